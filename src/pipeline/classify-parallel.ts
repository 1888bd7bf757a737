import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { ParseProblem } from "../events/event.ts";
import { moduleWorker as folderWorker } from "../util/module-worker.ts";
import type { FileResult } from "./classify-files.ts";
import type { ClassifyOptions } from "./classify-source.ts";

/**
 * Independent jobs on two threads: this one and a worker each take jobs (chunks of small files, segments
 * of an mbox); results come back in job order, at most AHEAD jobs done but not yet handed on.
 */

/** Files per job: big enough that a message round trip is noise, small enough to balance the threads. */
export const CHUNK_FILES = 48;
/** Jobs done or running but not yet handed on, at most (bounds memory). */
const AHEAD = 8;
/** Below this many files a second thread does not pay for its start-up (~0.15 s of CPU). */
const MIN_FILES = 20 * CHUNK_FILES;

/** What the worker can do (see classify-worker.ts). */
export interface Tasks {
  files: { job: string[]; result: FileResult[] };
  mbox: { job: { raw: Uint8Array; file: string; line: number; problem?: ParseProblem }; result: unknown[] };
}
export type TaskName = keyof Tasks;

/** Whether a second thread may be used at all (DELIVERLENS_THREADS=1 turns it off). */
export function threadsAllowed(): boolean {
  return process.env.DELIVERLENS_THREADS !== "1" && availableParallelism() > 1;
}

/** Whether to classify these inputs on two threads. */
export function worthParallel(paths: readonly string[]): boolean {
  return paths.length >= MIN_FILES && threadsAllowed();
}

interface Slot<R> {
  result: R | null;
  pending: Promise<R> | null;
}

/** Every job's result, in job order; `local` does a job on this thread (and stands in if the worker dies). */
export async function* inOrderOnTwoThreads<T extends TaskName>(
  task: T,
  jobs: Iterator<Tasks[T]["job"]>,
  options: ClassifyOptions,
  local: (job: Tasks[T]["job"]) => Promise<Tasks[T]["result"]> | Tasks[T]["result"],
): AsyncGenerator<Tasks[T]["result"]> {
  type R = Tasks[T]["result"];
  const worker = startWorker(options);
  const slots = new Map<number, Slot<R>>();
  let next = 0;
  let emitted = 0;
  let inWorker = 0;
  let exhausted = false;
  const take = (): Tasks[T]["job"] | null => {
    if (exhausted || next - emitted >= AHEAD) return null;
    const item = jobs.next();
    if (item.done) exhausted = true;
    return item.done ? null : item.value;
  };
  // Keep the worker two jobs deep, so it never waits while this thread works.
  const feed = () => {
    while (worker.alive && inWorker < 2) {
      const job = take();
      if (job === null) return;
      const index = next++;
      inWorker++;
      const slot: Slot<R> = { result: null, pending: null };
      slot.pending = (worker.run(task, index, job) as Promise<R>)
        .catch(() => local(job)) // the worker died: do its job here
        .then((result) => {
          inWorker--;
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
      // The worker is on the oldest jobs: do a later one here meanwhile, after letting its replies in
      // (this thread's work never waits on I/O, so without this the worker would be fed only when idle).
      await new Promise(setImmediate);
      feed();
      const job = take();
      if (job !== null) {
        const index = next++;
        slots.set(index, { result: await local(job), pending: null });
      } else if (slot?.pending) await slot.pending;
    }
  } finally {
    await worker.stop();
  }
}

interface TaskWorker {
  alive: boolean;
  run(task: TaskName, id: number, job: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** A worker thread running the module `name` of this folder (`classify-worker` …) with `workerData`. */
export function moduleWorker(name: string, workerData: unknown): Worker {
  return folderWorker(import.meta.url, name, workerData);
}

function startWorker(options: ClassifyOptions): TaskWorker {
  const worker = moduleWorker("classify-worker", {
    format: options.format ?? null,
    all: options.all ?? false,
  });
  const waiting = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  const self: TaskWorker = {
    alive: true,
    run(task, id, job) {
      if (!self.alive) return Promise.reject(new Error("worker stopped"));
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ task, id, job });
      });
    },
    async stop() {
      self.alive = false;
      await worker.terminate();
    },
  };
  worker.on("message", (message: { id: number; result: unknown }) => {
    waiting.get(message.id)?.resolve(message.result);
    waiting.delete(message.id);
  });
  const fail = (error: Error) => {
    self.alive = false;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  worker.on("error", fail);
  worker.on("exit", () => fail(new Error("worker exited")));
  return self;
}
