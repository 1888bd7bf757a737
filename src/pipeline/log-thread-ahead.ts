import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import { isMessageHead } from "../events/detect.ts";
import { isEncodedFile } from "../events/input.ts";
import { busyWorkerHeaps, moduleWorker as folderWorker } from "../util/module-worker.ts";

/**
 * A big log's second classifying thread (classify-log-worker.ts), started as soon as classify knows its one
 * input is a big plain file, before the main thread has loaded the readers, detected the format and opened
 * the log: the worker's own start (a Node environment, its modules: ~0.1–0.15 CPU-s) then runs on the other
 * core meanwhile instead of after. The worker waits for its job (a message: LogThreadSetup); a run that does
 * not shard the file (another format) ends it unused (dropLogThread).
 */

/** Below this a second thread does not pay for its start-up (~0.15 CPU-s) and the merge. */
export const MIN_THREADED_LOG_BYTES = 32 * 1024 * 1024;

/** A worker started ahead, until classify-log-threads.ts takes it; `gone`: it failed or exited meanwhile. */
let ahead: { worker: Worker; gone: boolean; onEnd: () => void } | null = null;

/** A new log thread, waiting for its job. */
export function newLogThread(): Worker {
  busyWorkerHeaps();
  return folderWorker(import.meta.url, "classify-log-worker", null);
}

/**
 * Starts the log thread now when `paths` is one regular, uncompressed file of MIN_THREADED_LOG_BYTES or
 * more (what classifyLogOnTwoThreads may read; the caller knows a second thread is allowed).
 */
export function startLogThreadAhead(paths: readonly string[]): void {
  if (ahead !== null || paths.length !== 1 || !bigPlainFile(paths[0])) return;
  const started = {
    worker: newLogThread(),
    gone: false,
    onEnd: () => {
      started.gone = true;
    },
  };
  // Events before it is taken: an error or its end is remembered, not thrown.
  started.worker.on("error", started.onEnd);
  started.worker.on("exit", started.onEnd);
  // Not what keeps this process alive until it has a job.
  started.worker.unref();
  ahead = started;
}

/** The log thread started ahead, if one is still running (the caller gives it its job); else null. */
export function takeLogThread(): Worker | null {
  const started = ahead;
  ahead = null;
  if (started === null) return null;
  if (started.gone) {
    void started.worker.terminate();
    return null;
  }
  started.worker.off("error", started.onEnd);
  started.worker.off("exit", started.onEnd);
  started.worker.ref();
  return started.worker;
}

/** Ends a log thread started ahead that no log took. */
export async function dropLogThread(): Promise<void> {
  const started = ahead;
  ahead = null;
  await started?.worker.terminate();
}

function bigPlainFile(path: string): boolean {
  try {
    // Stat first: opening a FIFO would wait for its writer.
    const stat = statSync(path);
    if (path === "-" || !stat.isFile() || stat.size < MIN_THREADED_LOG_BYTES) return false;
    const fd = openSync(path, "r");
    try {
      return !isEncodedFile(fd) && !startsAsMessage(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // reported when the input is read
  }
}

/** Bytes of a file's start read to tell a message from a log: a "yes" on them is the answer on the whole. */
const MESSAGE_HEAD_BYTES = 4096;

/**
 * Whether the file starts as a message (an mbox's From line, or header fields): the email reader's (two
 * processes for a big mbox: mbox-in-jobs.ts), never classifyLogOnTwoThreads' — a thread started for it would
 * load its modules (~0.1–0.15 CPU-s, on the cores the two processes share) to be ended unused.
 */
function startsAsMessage(fd: number): boolean {
  const head = Buffer.alloc(MESSAGE_HEAD_BYTES);
  return isMessageHead(head.toString("latin1", 0, readSync(fd, head, 0, head.length, 0)));
}
