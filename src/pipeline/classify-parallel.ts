import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { moduleWorker as folderWorker } from "../util/module-worker.ts";

/** Whether a second thread or process may be used at all (DELIVERLENS_THREADS=1 turns it off). */
export function threadsAllowed(): boolean {
  return process.env.DELIVERLENS_THREADS !== "1" && availableParallelism() > 1;
}

/**
 * Below this many input files a second classifying process (files-in-jobs.ts) does not pay for its start
 * and its own warm-up (its JIT, its memo of replies).
 */
export const MANY_FILES = 960;

/**
 * Whether these inputs are many files, classified whole in jobs (files-in-jobs.ts), by two processes when
 * allowed.
 */
export function manyFiles(paths: readonly string[]): boolean {
  return paths.length >= MANY_FILES;
}

/** A worker thread running the module `name` of this folder (`classify-log-worker` …) with `workerData`. */
export function moduleWorker(name: string, workerData: unknown): Worker {
  return folderWorker(import.meta.url, name, workerData);
}
