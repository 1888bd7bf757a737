import { closeSync, fstatSync, openSync, statSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import type { ParseProblem } from "../events/event.ts";
import type { FormatName } from "../events/formats.ts";
import type { OpenedSource } from "../events/input.ts";
import { newLineIndexMemory, SharedLineIndex, SLOTS } from "../events/line-index.ts";
import { eventSource } from "../events/registry.ts";
import { newCounters, type ParseCounters, problem } from "../events/source.ts";
import { debugLog } from "../util/debug.ts";
import { EventClassifier, evictionMessage } from "./classify-events.ts";
import {
  END_OF_INPUT,
  type ShardBatch,
  type ShardEnd,
  shardBatches,
  type ThreadTimes,
  threadCpu,
} from "./classify-log-shard.ts";
import type { LogThreadSetup } from "./classify-log-worker.ts";
import { threadsAllowed } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { JsonLines } from "./json-lines.ts";
import { MIN_THREADED_LOG_BYTES, newLogThread, takeLogThread } from "./log-thread-ahead.ts";

/**
 * A big log (a format whose EventSource.shards: Postfix, Exim) classified on two threads. Both read the
 * whole file; each takes the messages of half the message ids (ParseContext.shard: Postfix queue ids,
 * Exim message ids) — a message's state never leaves its thread, so every line is read as one reader
 * reads it — and the records come back merged by line, in input order. The lines of the
 * other half are skipped undecoded: a chunk's lines and their message ids are found once, by the first
 * thread to reach it, and shared (events/line-index.ts: the other reads only its own lines); what each
 * thread saves is the work per message line (the event, its classification, its JSON), the bulk of a
 * log's cost. Each thread stays within a few chunks of the other (memory: see batchesAhead).
 *
 * Differences from one reader, all within what the readers promise (postfix.ts, exim.ts: a message's
 * state is kept at least its lifetime, and bounded in count): the file is read up to its size when
 * opened; a state older than its lifetime may be forgotten at another moment (each thread's clock
 * advances with its own lines), and each thread keeps up to half the count.
 */

export { MIN_THREADED_LOG_BYTES } from "./log-thread-ahead.ts";

/**
 * Batches either thread may be ahead of the other (bounds memory: a batch is the records of ~1 MB of log),
 * enough that neither waits for the other's start-up or a slow chunk.
 */
const AHEAD = 16;
/**
 * The main thread may be up to MORE_AHEAD batches ahead while the records it holds for the merge are
 * fewer than these bytes: it then keeps on while the worker starts up (~0.2 s) instead of waiting. Within
 * the shared line index's slots, with room for the chunks a waiting thread indexes ahead (INDEX_AHEAD).
 */
const MORE_AHEAD = SLOTS - 8;
const AHEAD_BYTES = 16 * 1024 * 1024;
/**
 * Chunks a thread reads and indexes ahead (SharedLineIndex.indexAhead) each time it would wait for the other
 * to come within its lead: a few milliseconds of work, after which it looks again.
 */
export const INDEX_AHEAD = 2;

/** How many batches the main thread may be ahead of the worker, holding `bytes` of records for the merge. */
export function batchesAhead(bytes: number): number {
  return bytes < AHEAD_BYTES ? MORE_AHEAD : AHEAD;
}

/** Whether to classify this input on two threads. */
export function worthLogThreads(input: OpenedSource, format: FormatName): boolean {
  return (
    input.chunks !== undefined &&
    input.name !== "-" &&
    eventSource(format)?.shards === true &&
    sizeOf(input.name) >= MIN_THREADED_LOG_BYTES &&
    threadsAllowed()
  );
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Records as the bytes ndjson writes for them, or a problem. */
export type JsonItem = JsonLines | ParseProblem;

/**
 * Records (as JSON lines) and problems of a log, in input order, one batch per chunk read. A batch's records
 * are valid until the next batch is asked for: their memory is then written again.
 */
export async function* classifyLogOnTwoThreads(
  input: OpenedSource,
  format: FormatName,
  options: ClassifyOptions,
): AsyncGenerator<JsonItem[]> {
  // One descriptor for both threads: they read the same file even if it is renamed (rotated) meanwhile.
  const fd = openSync(input.name, "r");
  try {
    yield* onTwoThreads(input, fd, format, options);
  } finally {
    closeSync(fd);
  }
}

async function* onTwoThreads(
  input: OpenedSource,
  fd: number,
  format: FormatName,
  options: ClassifyOptions,
): AsyncGenerator<JsonItem[]> {
  const job = {
    path: input.name,
    fd,
    size: fstatSync(fd).size,
    format,
    modified: input.modified,
    all: options.all ?? false,
  };
  const memory = newLineIndexMemory(2);
  // Started ahead when classify saw one big file (log-thread-ahead.ts): its start-up is then mostly done.
  const worker = takeLogThread() ?? newLogThread();
  const setup: LogThreadSetup = {
    job: { ...job, shard: { index: 1, count: 2 } },
    memory,
    ahead: AHEAD,
    indexAhead: INDEX_AHEAD,
  };
  worker.postMessage(setup);
  const other = new OtherShard(worker);
  const counters = newCounters();
  options.classifier ??= new EventClassifier();
  const classifier = options.classifier;
  const mine = new Pending();
  /** Memory of this thread's batches already read, for its next batches. */
  const spares: ArrayBuffer[] = [];
  /** How far this thread had read after each of its last batches (it runs at most AHEAD or MORE_AHEAD ahead). */
  const read: number[] = [];
  const started = performance.now();
  const startCpu = process.threadCpuUsage();
  /** Seconds this thread waited for the worker, and for the consumer of its batches (the output). */
  let waited = 0;
  let output = 0;
  try {
    const shard = { ...job, shard: { index: 0, count: 2 } };
    const lines = new SharedLineIndex(memory, 0, 2);
    for (const batch of shardBatches(shard, classifier, counters, spares, lines)) {
      mine.add(batch);
      read.push(batch.upTo);
      // The worker's batches arrive as events: let them in after each chunk (this thread never waits on I/O).
      await new Promise(setImmediate);
      let behind = 0;
      while (read.length > batchesAhead(mine.bytes)) behind = read.shift() ?? 0;
      // Ahead of the worker by its lead: the chunks it will read next are indexed here meanwhile.
      if (other.upTo < behind) lines.indexAhead(INDEX_AHEAD);
      const waiting = performance.now();
      const theirs = await other.until(behind);
      waited += performance.now() - waiting;
      const merged = merge(mine, other.pending, Math.min(batch.upTo, theirs));
      const yielded = performance.now();
      if (merged.length > 0) yield merged;
      output += performance.now() - yielded;
      // What was yielded has been read: the batches it came from are written again.
      for (const buffer of mine.read()) spares.push(buffer);
      other.giveBack();
    }
    const waiting = performance.now();
    await other.finished();
    waited += performance.now() - waiting;
    const times = { cpu: threadCpu(startCpu), startCpu: 0, waited: waited / 1000 };
    debugLog(balance(performance.now() - started, output / 1000, times, other.times, other.first - started));
    const merged = merge(mine, other.pending, END_OF_INPUT);
    if (other.failure !== null) merged.push({ ...problem(input.name, null, other.failure), failed: true });
    const total = sum(counters, other.counters);
    if (total.evicted > 0) merged.push(problem(input.name, null, evictionMessage(total)));
    if (merged.length > 0) yield merged;
  } finally {
    await other.stop();
  }
}

/** The DELIVERLENS_DEBUG line on both threads' times (milliseconds since the main thread's start given). */
function balance(
  wall: number,
  output: number,
  main: ThreadTimes,
  worker: ThreadTimes | null,
  first: number,
): string {
  const s = (seconds: number) => `${seconds.toFixed(2)} s`;
  const them = worker
    ? `worker ${s(worker.cpu)} CPU (${s(worker.startCpu)} before its first chunk), first batch at ${s(first / 1000)}, waited ${s(worker.waited)}`
    : "worker failed";
  return `  two threads, ${s(wall / 1000)}: main ${s(main.cpu)} CPU, waited ${s(main.waited)}, output ${s(output)}; ${them}`;
}

function sum(a: ParseCounters, b: ParseCounters | null): ParseCounters {
  return { evicted: a.evicted + (b?.evicted ?? 0), evictedEarly: a.evictedEarly + (b?.evictedEarly ?? 0) };
}

/** Batches of one shard not yet handed on, and the next item in the first. */
class Pending {
  private readonly batches: ShardBatch[] = [];
  /** The memory of batches all handed on. */
  private readonly done: ArrayBuffer[] = [];
  private item = 0;
  private problem = 0;
  /** The JSON bytes of the batches held. */
  bytes = 0;

  add(batch: ShardBatch): void {
    if (batch.lines.length === 0) return;
    this.batches.push(batch);
    this.bytes += batch.json.length;
  }

  /** Takes the memory of the batches handed on so far (their items must have been read). */
  read(): ArrayBuffer[] {
    return this.done.splice(0, this.done.length);
  }

  /** The next item's line (items without a line come after every line: only the end of input has them). */
  nextLine(): number {
    const batch = this.batches[0];
    if (batch === undefined) return Number.POSITIVE_INFINITY;
    const line = batch.lines[this.item];
    return line < 0 ? END_OF_INPUT : line;
  }

  /**
   * The next item, a problem or records: with the next record, those after it in the batch that follow it in
   * `json` too and whose lines are at most `upTo` (their bytes are one piece).
   */
  take(upTo: number): JsonItem {
    const batch = this.batches[0];
    const items = batch.lines.length;
    let i = this.item;
    let item: JsonItem;
    if (batch.kinds[i] === 1) {
      item = batch.problems[this.problem++];
      i++;
    } else {
      const start = batch.starts[i];
      let end = batch.ends[i];
      for (i++; i < items && batch.kinds[i] === 0 && batch.starts[i] === end + 1; i++) {
        const line = batch.lines[i];
        if ((line < 0 ? END_OF_INPUT : line) > upTo) break;
        end = batch.ends[i];
      }
      item = new JsonLines(batch.json.subarray(start, end + 1), i - this.item);
    }
    this.item = i;
    if (i >= items) {
      this.batches.shift();
      this.bytes -= batch.json.length;
      this.done.push(batch.json.buffer);
      this.item = 0;
      this.problem = 0;
    }
    return item;
  }
}

/** Items of both shards up to line `upTo`, in line order (the first shard first within a line). */
function merge(mine: Pending, theirs: Pending, upTo: number): JsonItem[] {
  const merged: JsonItem[] = [];
  for (;;) {
    const a = mine.nextLine();
    const b = theirs.nextLine();
    if (Math.min(a, b) > upTo) return merged;
    merged.push(a <= b ? mine.take(Math.min(b, upTo)) : theirs.take(Math.min(a - 1, upTo)));
  }
}

/** The worker's side: its batches as they arrive, and how far it has read. */
class OtherShard {
  readonly pending = new Pending();
  upTo = 0;
  counters: ParseCounters | null = null;
  times: ThreadTimes | null = null;
  /** When its first batch came (performance.now()). */
  first = 0;
  failure: string | null = null;
  private wake: (() => void) | null = null;
  private readonly worker: Worker;

  constructor(worker: Worker) {
    this.worker = worker;
    worker.on("message", (message: ShardBatch | ShardEnd) => {
      if ("counters" in message) {
        this.counters = message.counters;
        this.times = message.times;
      } else {
        if (this.first === 0) this.first = performance.now();
        this.pending.add(message);
        this.upTo = message.upTo;
      }
      this.notify();
    });
    const fail = (error: Error) => {
      if (this.counters === null) this.failure ??= `the second thread stopped: ${error.message}`;
      this.notify();
    };
    worker.on("error", fail);
    worker.on("exit", () => fail(new Error("it exited")));
  }

  /** Resolves with the worker's progress once it has read up to `line` (or has ended, or failed). */
  async until(line: number): Promise<number> {
    while (this.upTo < line && this.counters === null && this.failure === null) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    return this.failure !== null ? END_OF_INPUT : this.upTo;
  }

  /** Resolves once the worker has sent everything (or failed). */
  async finished(): Promise<void> {
    while (this.counters === null && this.failure === null) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The memory of the worker's batches already read goes back to it (moved, not copied). */
  giveBack(): void {
    for (const spare of this.pending.read()) this.worker.postMessage({ spare }, [spare]);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
