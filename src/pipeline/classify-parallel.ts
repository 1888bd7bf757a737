import type { Worker } from "node:worker_threads";
import type { ParseProblem } from "../events/event.ts";
import { moduleWorker as folderWorker } from "../util/module-worker.ts";
import type { SegmentRange } from "./classify-email.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { type HelperOptions, startHelper, threadsAllowed } from "./helper-process.ts";

export { threadsAllowed };

/**
 * Independent jobs on two cores: this process and a helper process (helper-process.ts) each take jobs
 * (segments of an mbox); results come back in job order, at most AHEAD jobs done but not yet handed on.
 */

/** Jobs done or running but not yet handed on, at most (bounds memory). */
const AHEAD = 8;

/** What the helper can do (see classify-helper.ts). */
export interface Tasks {
  /** An mbox's segment: the helper is sent only its place in the file (`range`; null: done here). */
  mbox: {
    job: { raw: Uint8Array; file: string; line: number; problem?: ParseProblem; range: SegmentRange | null };
    result: unknown[];
  };
}
export type TaskName = keyof Tasks;

/** Below this many input files a reader thread (read-ahead.ts) does not pay for its start (~0.03 CPU-s). */
export const MANY_FILES = 960;

/**
 * Whether these inputs are many files, classified whole in jobs (classify-files.ts), read ahead on a
 * second thread when allowed.
 */
export function manyFiles(paths: readonly string[]): boolean {
  return paths.length >= MANY_FILES;
}

interface Slot<R> {
  result: R | null;
  pending: Promise<R> | null;
}

/** Every job's result, in job order; `local` does a job on this thread (and stands in if the helper dies). */
export async function* inOrderOnTwoThreads<T extends TaskName>(
  task: T,
  jobs: Iterator<Tasks[T]["job"]>,
  options: ClassifyOptions,
  local: (job: Tasks[T]["job"]) => Promise<Tasks[T]["result"]> | Tasks[T]["result"],
): AsyncGenerator<Tasks[T]["result"]> {
  type R = Tasks[T]["result"];
  const helper = startHelper();
  const sent: HelperOptions = { format: options.format ?? null, all: options.all ?? false };
  /**
   * The helper's answer to a job; null when it declines (an mbox segment without a place in a file, or whose
   * file changed): done here then.
   */
  const ask = (job: Tasks[T]["job"]): Promise<unknown> => {
    const { range } = job as Tasks["mbox"]["job"];
    return range === null ? Promise.resolve(null) : helper.run(task, range, sent);
  };
  const slots = new Map<number, Slot<R>>();
  let next = 0;
  let emitted = 0;
  let inHelper = 0;
  let exhausted = false;
  const take = (): Tasks[T]["job"] | null => {
    if (exhausted || next - emitted >= AHEAD) return null;
    const item = jobs.next();
    if (item.done) exhausted = true;
    return item.done ? null : item.value;
  };
  // Keep the helper two jobs deep, so it never waits while this process works.
  const feed = () => {
    while (helper.alive && inHelper < 2) {
      const job = take();
      if (job === null) return;
      const index = next++;
      inHelper++;
      const slot: Slot<R> = { result: null, pending: null };
      slot.pending = (ask(job) as Promise<R | null>)
        .catch(() => null) // the helper died: do its job here
        .then((answer) => answer ?? local(job))
        .then((result) => {
          inHelper--;
          slot.result = result;
          feed();
          return result;
        });
      slots.set(index, slot);
    }
  };
  try {
    for (;;) {
      feed();
      const slot = slots.get(emitted);
      if (slot !== undefined && slot.result !== null) {
        slots.delete(emitted++);
        yield slot.result;
        continue;
      }
      if (slot === undefined && exhausted) return;
      // The helper is on the oldest jobs: do a later one here meanwhile, after letting its replies in
      // (this process's work never waits on I/O, so without this the helper would be fed only when idle).
      await new Promise(setImmediate);
      feed();
      const job = take();
      if (job !== null) {
        const index = next++;
        slots.set(index, { result: await local(job), pending: null });
      } else if (slot?.pending) await slot.pending;
    }
  } finally {
    helper.stop();
  }
}

/** A worker thread running the module `name` of this folder (`classify-log-worker` …) with `workerData`. */
export function moduleWorker(name: string, workerData: unknown): Worker {
  return folderWorker(import.meta.url, name, workerData);
}
