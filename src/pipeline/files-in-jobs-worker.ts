import { workerData } from "node:worker_threads";
import { classifyWholeFiles } from "./classify-files.ts";
import { AHEAD, type FilesJobsShared, NEXT_JOB, OUT, SENT } from "./files-in-jobs-layout.ts";

/**
 * The second classifying thread of files-in-jobs.ts: takes the next job of files no thread has taken,
 * classifies it as the first thread would (classifyWholeFiles), and posts it back with its index, until no
 * job is left; never more than AHEAD jobs past the one the output waits for.
 */
const { paths, streams, options, jobFiles, control, port } = workerData as FilesJobsShared;
const jobs = Math.ceil(paths.length / jobFiles);

for (;;) {
  const out = Atomics.load(control, OUT);
  const next = Atomics.load(control, NEXT_JOB);
  if (next >= jobs) break;
  if (next >= out + AHEAD) {
    Atomics.wait(control, OUT, out);
    continue;
  }
  // The first thread takes jobs too: this one moves on when it got there first.
  if (Atomics.compareExchange(control, NEXT_JOB, next, next + 1) !== next) continue;
  const first = next * jobFiles;
  const done = await classifyWholeFiles(paths.slice(first, first + jobFiles), options, streams);
  port.postMessage({ job: next, done });
  Atomics.add(control, SENT, 1);
  Atomics.notify(control, SENT);
}
port.close();
