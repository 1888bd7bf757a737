import { classifyWholeFiles, type FilesDone, receivedResults, type SentResult } from "./classify-files.ts";
import { threadsAllowed } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { AHEAD_HERE, GIVEN, type JobsLayout, noCounts, turn } from "./job-sharing.ts";
import type { FilesJob } from "./jobs-process.ts";
import { SecondProcess } from "./second-process.ts";

/** Files per job: the records of a job are handed to the output at once. */
export const JOB_FILES = 48;

const NO_STREAMS: ReadonlySet<string> = new Set();

/**
 * Every path's result, a job of files at a time (classifyWholeFiles), in order; `streamed` ones are left to
 * the caller. When a second core is allowed, a second process classifies jobs too (second-process.ts): this
 * one takes the next job, gives the second the ones after it (at most GIVEN at a time), classifies its own,
 * and hands the jobs to the output in order.
 */
export async function* classifyFilesInJobs(
  paths: readonly string[],
  options: ClassifyOptions,
  streams: ReadonlySet<string> = NO_STREAMS,
  { worker, counts = noCounts() }: JobsLayout = {},
): AsyncGenerator<FilesDone> {
  const jobs = Math.ceil(paths.length / JOB_FILES);
  const files = (job: number) => paths.slice(job * JOB_FILES, (job + 1) * JOB_FILES);
  const here = (job: number) => {
    counts.here++;
    return classifyWholeFiles(files(job), options, streams);
  };
  if (!threadsAllowed() || jobs < 2) {
    for (let job = 0; job < jobs; job++) yield await here(job);
    return;
  }
  const second = new SecondProcess<FilesDone>(
    { role: "files", options: { format: options.format, all: options.all } },
    ({ job, head, rest }) => ({ files: receivedResults(head as SentResult[], files(job)), json: rest }),
    worker,
  );
  counts.posted = () => second.returned;
  counts.held = () => second.held;
  counts.ended = () => second.gone;
  const ready = new Map<number, FilesDone>();
  let next = 0;
  try {
    for (let job = 0; job < jobs; job++) {
      while (!ready.has(job)) {
        second.receive(ready, () => counts.there++);
        if (ready.has(job)) break;
        if (second.lost(job)) {
          ready.set(job, await here(job));
          continue;
        }
        // What waits in memory stays bounded: no job AHEAD_HERE or more past the output.
        const end = Math.min(jobs, job + AHEAD_HERE);
        if (next < end) {
          const mine = next++;
          for (; next < end && second.canTake(GIVEN); next++) {
            const job: FilesJob = {
              paths: files(next),
              streams: files(next).filter((path) => streams.has(path)),
            };
            second.give(next, job);
          }
          ready.set(mine, await here(mine));
          // Its results come in while this process waits for nothing else.
          await turn();
        } else await second.next();
      }
      const done = ready.get(job) as FilesDone;
      ready.delete(job);
      yield done;
    }
  } finally {
    await second.stop();
  }
}
