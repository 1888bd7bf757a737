import { closeSync, fstatSync, openSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import type { FormatName } from "../../events/formats.ts";
import { isEncodedFile } from "../../events/input.ts";
import { newLineIndexMemory, SharedLineIndex } from "../../events/line-index.ts";
import { eventSource } from "../../events/registry.ts";
import type { ParseCounters } from "../../events/source.ts";
import { threadsAllowed } from "../../pipeline/classify-parallel.ts";
import { busyWorkerHeaps, moduleWorker } from "../../util/module-worker.ts";
import { Wakeup } from "../../util/wakeup.ts";
import type { CsvStaging, ReaderFailure } from "./csv-staging.ts";
import {
  type ShardJob,
  type ShardMessage,
  type ShardOutput,
  type ShardStaged,
  STOP,
  stageShard,
} from "./shard-rows.ts";

/**
 * A big plain log (a format whose EventSource.shards: Postfix, Exim) staged on two threads, as `classify`
 * reads it (src/pipeline/classify-log-threads.ts): both threads read the whole file through one
 * descriptor, each parses the messages of half the message ids, and both hand their rows to the one pipe
 * DuckDB's insert reads (pipe-feed.ts; through a pipe each, DuckDB read one after the other). Without
 * named pipes, each writes its own file, read as one input (`read_csv([a, b])`) once both are written.
 * Rows need no order: each keeps its line, which is all the settling looks at.
 *
 * A failure on either side stops the other, and the pipe ends either way, so DuckDB's read and its
 * statement end too.
 */

/**
 * The size from which `ingest` parses a log on two threads: 8× `classify`'s (MIN_THREADED_LOG_BYTES).
 * The second thread is a second parser to warm up (its isolate, modules and JIT: +1.0–1.6 CPU-s measured
 * whatever the size, 34 MB to 300 MB of Postfix log), and on two cores it saves no time where DuckDB's
 * insert, running beside one parser, keeps the other core busy (a full Postfix log of 83 MB, 116k
 * events: one thread 2.5–2.8 CPU-s, 2.5–3.6 s; two threads 4.0–4.5 CPU-s, 4.1–4.6 s). From here (a
 * million lines or so) the parse outlasts the insert by enough for two threads to end sooner.
 */
export const MIN_SHARDED_LOG_BYTES = 256 * 1024 * 1024;

/**
 * A descriptor and size for reading `path` on two threads, or null where one reader is better: a format
 * not read in shards, a compressed file, one under `minBytes`.
 */
export function openForShards(
  path: string,
  format: FormatName,
  minBytes = MIN_SHARDED_LOG_BYTES,
): { fd: number; size: number } | null {
  if (!eventSource(format)?.shards || !threadsAllowed()) return null;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  const stat = fstatSync(fd);
  const plain = stat.isFile() && stat.size >= minBytes && !isEncodedFile(fd);
  if (plain) return { fd, size: stat.size };
  closeSync(fd);
  return null;
}

/**
 * Stages `job` into `stagings` (a pipe both threads feed, or two files: this thread's shard, the worker's)
 * and ends them; returns what both staged, counters summed into `counters`. `failed` is the reader's
 * failure (DuckDB's).
 */
export async function stageOnTwoThreads(
  job: ShardJob,
  stagings: readonly CsvStaging[],
  failed: ReaderFailure,
  counters: ParseCounters,
  onBytes?: (bytes: number) => void,
): Promise<ShardStaged> {
  const flags = new Int32Array(new SharedArrayBuffer(4));
  // The chunks both threads read, each read and indexed once (events/line-index.ts).
  const lines = newLineIndexMemory(2);
  const output: ShardOutput = stagings[0].pipe
    ? { feed: stagings[0].feedPort(1) }
    : { file: stagings[1].path };
  // The worker parses as the main thread does (both allocate fast): its heap starts with a large young generation.
  busyWorkerHeaps();
  const other = new WorkerShard(
    moduleWorker(
      import.meta.url,
      "stage-worker",
      { job, output, flags: flags.buffer, lines },
      "feed" in output ? [output.feed.port] : [],
    ),
    flags,
  );
  try {
    const mine = await stageShard(
      job,
      { index: 0, count: 2 },
      counters,
      async (bytes) => {
        other.check();
        await stagings[0].write(bytes, failed);
      },
      onBytes,
      new SharedLineIndex(lines, 0, 2),
    );
    // This thread's file ends with its rows, whatever the worker does; a pipe once the worker's rows end too.
    await stagings[0].end(failed);
    const theirs = await other.finished();
    stagings[stagings.length - 1].addWaited(theirs.waitedSeconds);
    counters.evicted += theirs.counters.evicted;
    counters.evictedEarly += theirs.counters.evictedEarly;
    return {
      rows: mine.rows + theirs.rows,
      waitedSeconds: mine.waitedSeconds + theirs.waitedSeconds,
      limits: [...mine.limits, ...theirs.limits],
      counters,
      cpuSeconds: [...mine.cpuSeconds, ...theirs.cpuSeconds],
    };
  } catch (error) {
    // DuckDB's failure, when it failed, is why the worker's pipe broke too.
    throw failed() ?? error;
  } finally {
    await other.stop();
    // The worker closed its file if it opened it.
    if (other.opened && stagings.length > 1) stagings[1].endedElsewhere();
  }
}

/** The worker's shard, which writes its own output (stage-worker.ts). */
class WorkerShard {
  /** Whether the worker opened its output (it closes it before its last message). */
  opened = false;
  private failure: unknown = null;
  private staged: ShardStaged | null = null;
  /** The worker's last message came, or it exited. */
  private done = false;
  private readonly wakeup = new Wakeup();
  private readonly worker: Worker;
  private readonly flags: Int32Array;

  constructor(worker: Worker, flags: Int32Array) {
    this.worker = worker;
    this.flags = flags;
    worker.on("message", (message: ShardMessage) => {
      if ("opened" in message) {
        this.opened = true;
        return;
      }
      this.done = true;
      if ("staged" in message) this.staged = message.staged;
      else this.fail(new Error(message.failed));
      this.notify();
    });
    worker.on("error", (error) => this.fail(new Error(`the second thread stopped: ${error.message}`)));
    // A worker that dies has its pipe closed with it (Node closes a worker's handles as it exits).
    worker.on("exit", () => {
      if (this.done) return;
      this.done = true;
      this.fail(new Error("the second thread stopped: it exited"));
    });
  }

  /** Throws the worker's failure, if any. */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /**
   * What the worker staged, once its last message came; throws its failure. Called once this thread's staging
   * has ended, so DuckDB's read is no failure here: a pipe ends only after the feeding thread wrote every chunk
   * of both threads, and DuckDB may end its read (its insert done) before the worker, which posts its last
   * message just after its end, is scheduled again — under load that failed whole ingests ("DuckDB ended
   * reading the staged rows before their end"); files are read only after this. DuckDB's own failure still
   * comes with the insert's result.
   */
  async finished(): Promise<ShardStaged> {
    while (!this.done) await this.wakeup.sleep();
    this.check();
    return this.staged as ShardStaged;
  }

  /** Stops the worker at its next chunk or wait, once it has closed its output. */
  async stop(): Promise<void> {
    Atomics.store(this.flags, STOP, 1);
    Atomics.notify(this.flags, STOP);
    while (!this.done) {
      await this.wakeup.sleep();
    }
    await this.worker.terminate();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    this.wakeup.wake();
  }
}
