import module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startupSnapshot } from "node:v8";
import { createProgram, runCli } from "./program.ts";
import { ingestFromSnapshot } from "./run/ingest.ts";
import { exitOnceWritten } from "./snapshot-exit.ts";
// Loaded lazily by the ingest command (run/ingest.ts, finalize.ts); here so the snapshot holds them evaluated.
import "../analytics/ingest/inputs.ts";
import "../analytics/ingest/no-threads.ts";
import "../bounce/classify-event.ts";
import "../dmarc/read-pool.ts";

/**
 * `deliverlens ingest` from a V8 startup snapshot (scripts/build-cache.ts builds it; bin/deliverlens.js runs
 * `node --snapshot-blob … ingest …` when it is fresh): the CLI and the ingest path — the store, every reader's
 * SQL and field tables, the classifier — are loaded and initialised when the snapshot is taken, instead of ~150
 * modules compiled and evaluated on every run. DuckDB is not in it (a native addon cannot be): the bundle holds
 * a stand-in for its package that loads the real one on first use (build-cache.ts), as the store opens.
 * Only an ingest that starts no worker thread runs here (run/ingest.ts asks no-threads.ts); another is run
 * again from the plain modules (relaunchPlain).
 */

/** Where bin/deliverlens.js puts the Node options it was given (JSON), for relaunchPlain. */
const LAUNCH_OPTIONS = "DELIVERLENS_LAUNCH_OPTIONS";

// The CLI built once while the snapshot is taken, and kept for the run (as classify-snapshot.ts does).
const program = createProgram();
startupSnapshot.setDeserializeMainFunction(() => {
  // DuckDB's package loads from its files (~180 modules): from Node's compile cache, as bin/ gives the plain run —
  // a folder of its own: V8 takes a code cache only in a process started from the same snapshot, so one shared
  // with the plain runs (stats, serve…) would be rejected and written again at every exit by both (strace: 186
  // files rewritten after each ingest).
  module.enableCompileCache?.(
    join(process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "node-compile-cache"), "ingest-snapshot"),
  );
  // The Node options bin/ was started with (it adds its own for this process): for a run of the plain modules.
  const launch = process.env[LAUNCH_OPTIONS];
  delete process.env[LAUNCH_OPTIONS];
  ingestFromSnapshot(() => relaunchPlain(launch));
  // A process started from a snapshot has no script argument: argv is [node, "ingest", …].
  const argv = [process.argv[0], "deliverlens", ...process.argv.slice(1)];
  void runCli(argv, program).then(exitOnceWritten);
});

/**
 * Runs this ingest from the plain modules instead (bin/deliverlens.js with the snapshot turned off, the Node
 * options bin/ was given): the same process where Node can (execve), else a child whose end is this one's.
 * For a run that may start a worker thread, which would abort this process (run/ingest.ts, no-threads.ts).
 */
function relaunchPlain(launch: string | undefined): never {
  let options: string[];
  try {
    options = JSON.parse(launch ?? "") as string[];
  } catch {
    // Started otherwise than by bin/: this process's options but the snapshot.
    options = process.execArgv.filter(
      (option, i, all) => !option.startsWith("--snapshot-blob") && all[i - 1] !== "--snapshot-blob",
    );
  }
  const bin = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
  const args = [...options, bin, ...process.argv.slice(1)];
  const env = { ...process.env, DELIVERLENS_INGEST_SNAPSHOT: "0" };
  module.flushCompileCache?.();
  if (typeof process.execve === "function") {
    try {
      process.execve(process.execPath, [process.execPath, ...args], env);
    } catch {
      // Not replaced: run it as a child below.
    }
  }
  const child = process
    .getBuiltinModule("node:child_process")
    .spawnSync(process.execPath, args, { stdio: "inherit", env });
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
