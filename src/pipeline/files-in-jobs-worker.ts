import { workerData } from "node:worker_threads";
import { classifyWholeFiles } from "./classify-files.ts";
import type { FilesJobsShared } from "./files-in-jobs.ts";
import { post, takeNextJob } from "./job-sharing.ts";

/**
 * The second classifying thread of files-in-jobs.ts: takes the next job of files no thread has taken,
 * classifies it as the first thread would (classifyWholeFiles), and posts it back, until no job is left.
 */
const shared = workerData as FilesJobsShared;
const { paths, streams, options, jobFiles, control } = shared;
const jobs = Math.ceil(paths.length / jobFiles);

for (let job = takeNextJob(control, jobs); job !== null; job = takeNextJob(control, jobs)) {
  const first = job * jobFiles;
  post(shared, job, await classifyWholeFiles(paths.slice(first, first + jobFiles), options, streams));
}
shared.port.close();
