import { startupSnapshot } from "node:v8";
import { forgetDecoders } from "../bounce/email/headers.ts";
import { expandInputs } from "../util/walk.ts";
import * as files from "./classify-files.ts";
import { serveJobs } from "./helper-jobs.ts";

/**
 * The helper process's entry for a V8 startup snapshot (scripts/build-cache.ts builds it): every
 * module is loaded and initialised (tables, the phrase index) when the snapshot is taken, so a helper started
 * from it begins with that heap instead of loading and evaluating ~110 modules. Before the snapshot it also
 * classifies the emails under DELIVERLENS_SNAPSHOT_WARM_UP (the build points it at the repository's own
 * fixtures, never at anything a run will read), so the functions every email needs are compiled already: the
 * snapshot keeps their bytecode. The results are thrown away; the caches keep only what they would after any
 * run (the decoders, whose native state a snapshot cannot hold, are dropped).
 */
const warmUp = process.env.DELIVERLENS_SNAPSHOT_WARM_UP;
if (warmUp) {
  const paths = expandInputs([warmUp]).files;
  void (async () => {
    for (const all of [false, true]) await files.classifyWholeFiles(paths, { format: null, all });
    forgetDecoders();
  })();
}
startupSnapshot.setDeserializeMainFunction(() => serveJobs(Promise.resolve(files)));
