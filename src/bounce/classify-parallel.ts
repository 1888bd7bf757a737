import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { classifyWholeFiles, type FileResult } from "./classify-files.ts";
import type { ClassifyOptions } from "./classify-source.ts";

/**
 * Many small files (a directory of bounce emails) on two threads: this one and a worker each classify
 * chunks of files; results come back in input order, at most AHEAD chunks buffered.
 */

/** Files per chunk: big enough that a message round trip is noise, small enough to balance the threads. */
const CHUNK_FILES = 48;
/** Chunks done but not yet handed on, at most (bounds memory: chunks hold only small files). */
const AHEAD = 8;
/** Below this many files a second thread does not pay for its start-up. */
const MIN_FILES = 20 * CHUNK_FILES;

/** Whether to use a second thread for these inputs (DELIVERLENS_THREADS=1 turns it off). */
export function worthParallel(paths: readonly string[]): boolean {
  if (process.env.DELIVERLENS_THREADS === "1") return false;
  return paths.length >= MIN_FILES && availableParallelism() > 1;
}

interface Slot {
  results: FileResult[] | null;
  pending: Promise<FileResult[]>;
}

/** Every path's result, in order; `streamed` ones are left to the caller. */
export async function* classifyFilesInParallel(
  paths: readonly string[],
  options: ClassifyOptions,
): AsyncGenerator<FileResult> {
  const chunks: string[][] = [];
  for (let at = 0; at < paths.length; at += CHUNK_FILES) chunks.push(paths.slice(at, at + CHUNK_FILES));
  const worker = startWorker(options);
  const slots = new Map<number, Slot>();
  let next = 0;
  let emitted = 0;
  let inWorker = 0;
  const local = async (index: number): Promise<FileResult[]> => classifyWholeFiles(chunks[index], options);
  // Keep the worker two chunks deep, so it never waits while this thread works.
  const feed = () => {
    while (worker.alive && inWorker < 2 && next < chunks.length && next - emitted < AHEAD) {
      const index = next++;
      inWorker++;
      const slot: Slot = { results: null, pending: Promise.resolve([]) };
      slot.pending = worker
        .run(index, chunks[index])
        .catch(() => local(index)) // the worker died: do its chunk here
        .then((results) => {
          inWorker--;
          slot.results = results;
          feed();
          return results;
        });
      slots.set(index, slot);
    }
  };
  try {
    while (emitted < chunks.length) {
      feed();
      const slot = slots.get(emitted);
      if (slot?.results) {
        slots.delete(emitted++);
        yield* slot.results;
      } else if (next < chunks.length && next - emitted < AHEAD) {
        // The worker is on the oldest chunks: do a later one here meanwhile, after letting its replies in
        // (this thread's work never waits on I/O, so without this the worker would be fed only when idle).
        await new Promise(setImmediate);
        feed();
        if (next >= chunks.length || next - emitted >= AHEAD) continue;
        const index = next++;
        slots.set(index, { results: await local(index), pending: Promise.resolve([]) });
      } else if (slot) {
        await slot.pending;
      }
    }
  } finally {
    await worker.stop();
  }
}

interface ChunkWorker {
  alive: boolean;
  run(id: number, paths: string[]): Promise<FileResult[]>;
  stop(): Promise<void>;
}

function startWorker(options: ClassifyOptions): ChunkWorker {
  const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const worker = new Worker(new URL(`./classify-worker.${extension}`, import.meta.url), {
    workerData: { format: options.format ?? null, all: options.all ?? false },
  });
  const waiting = new Map<number, { resolve(results: FileResult[]): void; reject(error: Error): void }>();
  const self: ChunkWorker = {
    alive: true,
    run(id, paths) {
      if (!self.alive) return Promise.reject(new Error("worker stopped"));
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, paths });
      });
    },
    async stop() {
      self.alive = false;
      await worker.terminate();
    },
  };
  worker.on("message", (message: { id: number; results: FileResult[] }) => {
    waiting.get(message.id)?.resolve(message.results);
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
