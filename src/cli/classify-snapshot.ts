import { startupSnapshot } from "node:v8";
import { warmUpForSnapshot } from "../pipeline/snapshot-warm-up.ts";
import { runCli } from "./program.ts";
// Loaded lazily by the classify command; here so the snapshot holds it evaluated.
import "./run/classify.ts";

/**
 * `deliverlens classify` from a V8 startup snapshot (scripts/build-cache.ts builds it; bin/deliverlens.js runs
 * `node --snapshot-blob … classify …` when it is fresh): the CLI and the classify path are loaded, initialised
 * and warmed (snapshot-warm-up.ts) when the snapshot is taken. Then the CLI on the arguments, as bin/ runs it
 * from the plain modules.
 */
warmUpForSnapshot();
startupSnapshot.setDeserializeMainFunction(() => {
  // A process started from a snapshot has no script argument: argv is [node, "classify", …].
  const argv = [process.argv[0], "deliverlens", ...process.argv.slice(1)];
  void runCli(argv);
});
