import module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startupSnapshot } from "node:v8";
import { createProgram, runCli } from "./program.ts";
import { exitOnceWritten } from "./snapshot-exit.ts";
// Loaded lazily by the ingest command (run/ingest.ts, finalize.ts); here so the snapshot holds them evaluated.
import "./run/ingest.ts";
import "../analytics/ingest/inputs.ts";
import "../bounce/classify-event.ts";
import "../dmarc/read-pool.ts";

/**
 * `deliverlens ingest` from a V8 startup snapshot (scripts/build-cache.ts builds it; bin/deliverlens.js runs
 * `node --snapshot-blob … ingest …` when it is fresh): the CLI and the ingest path — the store, every reader's
 * SQL and field tables, the classifier — are loaded and initialised when the snapshot is taken, instead of ~150
 * modules compiled and evaluated on every run. DuckDB is not in it (a native addon cannot be): the bundle holds
 * a stand-in for its package that loads the real one on first use (build-cache.ts), as the store opens.
 */
// The CLI built once while the snapshot is taken, and thrown away: commander and every command's registration
// are compiled then and the snapshot keeps their bytecode (as classify-snapshot.ts does).
createProgram();
startupSnapshot.setDeserializeMainFunction(() => {
  // DuckDB's package loads from its files (~180 modules): from Node's compile cache, as bin/ gives the plain run —
  // a folder of its own: V8 takes a code cache only in a process started from the same snapshot, so one shared
  // with the plain runs (stats, serve…) would be rejected and written again at every exit by both (strace: 186
  // files rewritten after each ingest).
  module.enableCompileCache?.(
    join(process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "node-compile-cache"), "ingest-snapshot"),
  );
  // A process started from a snapshot has no script argument: argv is [node, "ingest", …].
  const argv = [process.argv[0], "deliverlens", ...process.argv.slice(1)];
  void runCli(argv).then(exitOnceWritten);
});
