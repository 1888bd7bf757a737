import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { moduleWorker as folderWorker } from "../util/module-worker.ts";
import { startAhead } from "./second-process.ts";

export { dropAhead } from "./second-process.ts";

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

/**
 * A progress callback for the walk of the inputs (expandInputs) that starts classify's second process
 * (second-process.ts) as soon as MANY_FILES files are found, so that it starts while the rest is listed; or
 * undefined when no second process may run. dropAhead() ends one no job needed.
 */
export function secondProcessAhead(): ((found: number) => void) | undefined {
  if (!threadsAllowed()) return undefined;
  let started = false;
  return (found) => {
    if (started || found < MANY_FILES) return;
    started = true;
    startAhead();
  };
}

/** A worker thread running the module `name` of this folder (`classify-log-worker` …) with `workerData`. */
export function moduleWorker(name: string, workerData: unknown): Worker {
  return folderWorker(import.meta.url, name, workerData);
}
