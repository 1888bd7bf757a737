import { classifyWholeFiles, type FilesDone } from "./classify-files.ts";
import { threadsAllowed } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { AHEAD_HERE, type JobsLayout, type JobsShared, noCounts } from "./job-sharing.ts";
import { SecondIsolate } from "./second-isolate.ts";

/** What the second thread (files-in-jobs-worker.ts) is given. */
export interface FilesJobsShared extends JobsShared {
  paths: readonly string[];
  /** Paths never opened by either thread (a FIFO's writer would find its one reader gone). */
  streams: ReadonlySet<string>;
  /** The run's options, less the reply cache (each thread has its own). */
  options: Pick<ClassifyOptions, "format" | "all">;
  jobFiles: number;
}

/** Files per job: the records of a job are handed to the output at once. */
export const JOB_FILES = 48;

const NO_STREAMS: ReadonlySet<string> = new Set();

/**
 * Every path's result, a job of files at a time (classifyWholeFiles), in order; `streamed` ones are left to
 * the caller. When a second thread is allowed, a second isolate classifies jobs too (files-in-jobs-worker.ts):
 * each thread takes the next job no thread has taken, reads its files and classifies them, so both cores
 * classify; this thread hands the jobs to the output in order.
 */
export async function* classifyFilesInJobs(
  paths: readonly string[],
  options: ClassifyOptions,
  streams: ReadonlySet<string> = NO_STREAMS,
  { worker = "files-in-jobs-worker", counts = noCounts() }: JobsLayout = {},
): AsyncGenerator<FilesDone> {
  const jobs = Math.ceil(paths.length / JOB_FILES);
  const here = (job: number) => {
    counts.here++;
    return classifyWholeFiles(paths.slice(job * JOB_FILES, (job + 1) * JOB_FILES), options, streams);
  };
  if (!threadsAllowed() || jobs < 2) {
    for (let job = 0; job < jobs; job++) yield await here(job);
    return;
  }
  const data: Omit<FilesJobsShared, keyof JobsShared> = {
    paths,
    streams,
    options: { format: options.format, all: options.all },
    jobFiles: JOB_FILES,
  };
  const second = new SecondIsolate<FilesDone>(worker, data);
  counts.posted = () => second.posted;
  const ready = new Map<number, FilesDone>();
  try {
    for (let job = 0; job < jobs; job++) {
      while (!ready.has(job)) {
        second.receive(ready, (done) => {
          counts.there++;
          return fromClone(done);
        });
        if (ready.has(job)) break;
        const next = second.takeNext(Math.min(jobs, job + AHEAD_HERE));
        if (next !== null) ready.set(next, await here(next));
        // Every job up to the bound is taken, this one by the other thread: wait for it (done here if that
        // thread is gone).
        else if (!(await second.sent())) ready.set(job, await here(job));
      }
      const done = ready.get(job) as FilesDone;
      ready.delete(job);
      second.output(job + 1);
      yield done;
    }
  } finally {
    second.stop();
  }
}

/** A job's result as it crossed from the other thread (structured clone gives its buffer as a Uint8Array). */
function fromClone(done: FilesDone): FilesDone {
  return { files: done.files, json: Buffer.from(done.json.buffer, done.json.byteOffset, done.json.length) };
}
