import { startupSnapshot } from "node:v8";
import * as files from "./classify-files.ts";
import { serveJobs } from "./helper-jobs.ts";

/**
 * The helper process's entry for a V8 startup snapshot (email-bundle.ts builds it): every module is loaded
 * and initialised (tables, the phrase index) when the snapshot is taken, so a helper started from it begins
 * with that heap instead of loading and evaluating ~110 modules.
 */
startupSnapshot.setDeserializeMainFunction(() => serveJobs(Promise.resolve(files)));
