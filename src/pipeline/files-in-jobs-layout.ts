import type { MessagePort } from "node:worker_threads";
import type { ClassifyOptions } from "./classify-source.ts";

/**
 * What classify's thread shares with its second classifying thread (files-in-jobs.ts, files-in-jobs-worker.ts):
 * the files, cut into jobs of `jobFiles`; control[NEXT_JOB], the next job no thread has taken; control[SENT],
 * how many jobs the second thread has posted back on `port` (it notifies on it); control[OUT], the next job
 * the output waits for (the second thread takes no job AHEAD or more past it).
 */
export interface FilesJobsShared {
  paths: readonly string[];
  /** Paths never opened by either thread (a FIFO's writer would find its one reader gone). */
  streams: ReadonlySet<string>;
  /** The run's options, less the reply cache (each thread has its own). */
  options: Pick<ClassifyOptions, "format" | "all">;
  jobFiles: number;
  control: Int32Array;
  port: MessagePort;
}
export const NEXT_JOB = 0;
export const SENT = 1;
export const OUT = 2;
/** Jobs the second thread may be done with past the one the output waits for: bounds what waits in memory. */
export const AHEAD = 8;
