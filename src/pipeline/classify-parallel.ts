import { once } from "node:events";
import type { Worker } from "node:worker_threads";
import type { ParseProblem } from "../events/event.ts";
import { moduleWorker as folderWorker } from "../util/module-worker.ts";
import type { FileResult } from "./classify-files.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { HELPER_MIN_FILES, takeHelper, threadsAllowed } from "./helper-process.ts";

export { threadsAllowed };

/**
 * Independent jobs on two cores: this process and a helper process (helper-process.ts) each take jobs
 * (chunks of small files, segments of an mbox); results come back in job order, at most AHEAD jobs done but
 * not yet handed on.
 */

/** Files per job: big enough that a message round trip is noise, small enough to balance the threads. */
export const CHUNK_FILES = 48;
/** Jobs done or running but not yet handed on, at most (bounds memory). */
const AHEAD = 8;

/** What the helper can do (see classify-helper.ts). */
export interface Tasks {
  files: { job: string[]; result: FileResult[] };
  mbox: { job: { raw: Uint8Array; file: string; line: number; problem?: ParseProblem }; result: unknown[] };
}
export type TaskName = keyof Tasks;

/** One job as sent to the helper: the options travel with it (the helper may start before they are known). */
export interface HelperRequest {
  task: TaskName;
  id: number;
  job: unknown;
  options: Pick<ClassifyOptions, "format" | "all">;
}

/** Whether to classify these inputs on two cores. */
export function worthParallel(paths: readonly string[]): boolean {
  return paths.length >= HELPER_MIN_FILES && threadsAllowed();
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
  const helper = startHelper(options);
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
      slot.pending = (helper.run(task, index, job) as Promise<R>)
        .catch(() => local(job)) // the helper died: do its job here
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
    await helper.stop();
  }
}

interface TaskHelper {
  alive: boolean;
  run(task: TaskName, id: number, job: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** A worker thread running the module `name` of this folder (`classify-log-worker` …) with `workerData`. */
export function moduleWorker(name: string, workerData: unknown): Worker {
  return folderWorker(import.meta.url, name, workerData);
}

function startHelper(options: ClassifyOptions): TaskHelper {
  const helper = takeHelper();
  const sent = { format: options.format ?? null, all: options.all ?? false };
  const waiting = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  const exited = once(helper, "exit").catch(() => undefined);
  const self: TaskHelper = {
    alive: helper.connected,
    run(task, id, job) {
      if (!self.alive) return Promise.reject(new Error("helper stopped"));
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        const request: HelperRequest = { task, id, job, options: sent };
        helper.send(request, (error) => {
          if (error) fail(error);
        });
      });
    },
    async stop() {
      self.alive = false;
      if (helper.connected) helper.disconnect();
      // Waited for, so its CPU time counts in this process's children (time(1), the benchmarks).
      if (helper.exitCode === null && helper.signalCode === null) await exited;
    },
  };
  helper.on("message", (message: { id: number; result: unknown }) => {
    waiting.get(message.id)?.resolve(message.result);
    waiting.delete(message.id);
  });
  const fail = (error: Error) => {
    self.alive = false;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  helper.on("error", fail);
  helper.on("exit", () => fail(new Error("helper exited")));
  return self;
}
