import { startupSnapshot } from "node:v8";
import { serveJobs, serveJobsOnSocket } from "../pipeline/jobs-process.ts";
import { adoptStartedAhead } from "../pipeline/second-process.ts";
import { warmUpForSnapshot } from "../pipeline/snapshot-warm-up.ts";
import { createProgram, runCli } from "./program.ts";
import { exitOnceWritten } from "./snapshot-exit.ts";
// Loaded lazily by the classify command; here so the snapshot holds it evaluated.
import "./run/classify.ts";

/**
 * `deliverlens classify` from a V8 startup snapshot (scripts/build-cache.ts builds it; bin/deliverlens.js runs
 * `node --snapshot-blob … classify …` when it is fresh): the CLI and the classify path are loaded, initialised
 * and warmed (snapshot-warm-up.ts) when the snapshot is taken. Then the CLI on the arguments, as bin/ runs it
 * from the plain modules — or, started with no arguments as classify's second process (second-process.ts), the
 * jobs it is given.
 */
warmUpForSnapshot();
// The CLI built once while the snapshot is taken, and kept for the run: commander and every command's
// registration are compiled then, and the snapshot keeps their bytecode, instead of each run compiling them lazily
// from the bundle's source (--log-function-events: ~110 of the 225 functions a run compiled so; ~127 k
// instructions each); and the run parses with this program instead of building its ~14 commands' options again
// in code not yet warm.
const program = createProgram();
startupSnapshot.setDeserializeMainFunction(() => {
  if (process.env.DELIVERLENS_JOBS_PROCESS === "1" && process.argv.length === 1) {
    const listen = process.env.DELIVERLENS_JOBS_LISTEN;
    delete process.env.DELIVERLENS_JOBS_PROCESS;
    delete process.env.DELIVERLENS_JOBS_LISTEN;
    // Started by bin/ ahead of classify (bin/deliverlens.js), or by classify (second-process.ts).
    void (listen === undefined ? serveJobs() : serveJobsOnSocket(listen)).then(() => process.exit(0));
    return;
  }
  adoptStartedAhead();
  // A process started from a snapshot has no script argument: argv is [node, "classify", …].
  const argv = [process.argv[0], "deliverlens", ...process.argv.slice(1)];
  void runCli(argv, program).then(exitOnceWritten);
});
