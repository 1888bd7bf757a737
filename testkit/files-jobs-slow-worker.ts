import { workerData } from "node:worker_threads";
import { classifyWholeFiles } from "../src/pipeline/classify-files.ts";
import type { FilesJobsShared } from "../src/pipeline/files-in-jobs.ts";
import { post, takeNextJob } from "../src/pipeline/job-sharing.ts";

/**
 * Test-only second thread for files-in-jobs.ts: takes one job, and posts it (classified as the real one,
 * files-in-jobs-worker.ts, would) only a second and a half later; then ends.
 */
const shared = workerData as FilesJobsShared;
const { paths, streams, options, jobFiles, control } = shared;
const job = takeNextJob(control, Math.ceil(paths.length / jobFiles));
if (job !== null) {
  const done = await classifyWholeFiles(paths.slice(job * jobFiles, (job + 1) * jobFiles), options, streams);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
  post(shared, job, done);
}
shared.port.close();
