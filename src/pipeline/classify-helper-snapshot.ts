import { startupSnapshot } from "node:v8";
import * as segments from "./classify-email.ts";
import { serveJobs } from "./helper-jobs.ts";
import { warmUpForSnapshot } from "./snapshot-warm-up.ts";

/**
 * The helper process's entry for a V8 startup snapshot (scripts/build-cache.ts builds it): every module is
 * loaded and initialised (tables, the phrase index) and warmed (snapshot-warm-up.ts) when the snapshot is
 * taken, so a helper started from it begins with that heap instead of loading and evaluating ~110 modules.
 */
warmUpForSnapshot();
startupSnapshot.setDeserializeMainFunction(() => serveJobs(Promise.resolve(segments)));
