import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import type { FormatName } from "../../events/formats.ts";
import { compressionOf } from "../../events/input.ts";
import { eventSource } from "../../events/registry.ts";
import type { ParseCounters } from "../../events/source.ts";
import { MIN_THREADED_LOG_BYTES } from "../../pipeline/classify-log-threads.ts";
import { threadsAllowed } from "../../pipeline/classify-parallel.ts";
import { moduleWorker } from "../../util/module-worker.ts";
import type { CsvStaging, ReaderFailure } from "./csv-staging.ts";
import {
  type ShardJob,
  type ShardMessage,
  type ShardStaged,
  STOP,
  stageShard,
  WRITTEN,
} from "./shard-rows.ts";

/**
 * A big plain log (a format whose EventSource.shards: Postfix, Exim) staged on two threads, as `classify`
 * reads it (src/pipeline/classify-log-threads.ts): both threads read the whole file through one
 * descriptor, each parses the messages of half the message ids, and each stages its rows to its own
 * CsvStaging. DuckDB's one insert reads both as one input (`read_csv([a, b])`), a pipe on each of its two
 * threads; through one pipe, its one reading thread was the slower side (4M lines: the parsers waited
 * 20 s for it). Rows need no order: each keeps its line, which is all the settling looks at.
 *
 * The worker only parses and encodes: its CSV bytes come to this thread, which writes every pipe, so a
 * failure on any side ends both pipes the way one does (csv-staging.ts).
 */

/** CSV chunks the worker may have handed over but not yet written (bounds memory: ~1 MB each). */
const AHEAD = 8;

/**
 * A descriptor and size for reading `path` on two threads, or null where one reader is better: a format
 * not read in shards, a compressed file, one under `minBytes` (default: from where `classify` uses two).
 */
export function openForShards(
  path: string,
  format: FormatName,
  minBytes = MIN_THREADED_LOG_BYTES,
): { fd: number; size: number } | null {
  if (!eventSource(format)?.shards || !threadsAllowed()) return null;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  const stat = fstatSync(fd);
  const magic = Buffer.alloc(4);
  const plain =
    stat.isFile() &&
    stat.size >= minBytes &&
    compressionOf(magic.subarray(0, readSync(fd, magic, 0, 4, 0))) === null;
  if (plain) return { fd, size: stat.size };
  closeSync(fd);
  return null;
}

/**
 * Stages `job` into `stagings` (two: this thread's shard, the worker's), ending neither; returns what
 * both staged, counters summed into `counters`. `failed` is the reader's failure (DuckDB's).
 */
export async function stageOnTwoThreads(
  job: ShardJob,
  stagings: readonly CsvStaging[],
  failed: ReaderFailure,
  counters: ParseCounters,
  onBytes?: (bytes: number) => void,
): Promise<ShardStaged> {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const other = new WorkerShard(
    moduleWorker(import.meta.url, "stage-worker", { job, flags: flags.buffer, ahead: AHEAD }),
    stagings[1],
    flags,
    failed,
  );
  try {
    const mine = await stageShard(
      job,
      { index: 0, count: 2 },
      counters,
      async (bytes) => {
        other.check();
        await stagings[0].write(bytes, failed);
        // Lets the worker's chunks in (this thread never waits on I/O otherwise).
        await new Promise(setImmediate);
      },
      onBytes,
    );
    // Ended at once, not when the worker's shard is done too: DuckDB may be reading this pipe to its end
    // before it reads the other one.
    await stagings[0].end(failed);
    const theirs = await other.finished();
    counters.evicted += theirs.counters.evicted;
    counters.evictedEarly += theirs.counters.evictedEarly;
    return { rows: mine.rows + theirs.rows, limits: [...mine.limits, ...theirs.limits], counters };
  } finally {
    await other.stop();
  }
}

/** The worker's shard: its chunks written to its staging in order, as they arrive. */
class WorkerShard {
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private staged: ShardStaged | null = null;
  private wake: (() => void) | null = null;
  private readonly worker: Worker;
  private readonly flags: Int32Array;

  constructor(worker: Worker, staging: CsvStaging, flags: Int32Array, failed: ReaderFailure) {
    this.worker = worker;
    this.flags = flags;
    // The worker's chunks stop being written once anything failed (the caller then ends the pipe).
    const stopped = () => failed() ?? this.failure;
    /** Whether the worker sent all it staged (it exits then). */
    let sent = false;
    worker.on("message", (message: ShardMessage) => {
      if ("bytes" in message) {
        this.writing = this.writing.then(async () => {
          if (stopped()) return;
          try {
            await staging.write(message.bytes, stopped);
          } catch (error) {
            this.fail(error);
          }
          Atomics.add(flags, WRITTEN, 1);
          Atomics.notify(flags, WRITTEN);
        });
      } else if ("staged" in message) {
        sent = true;
        // Its pipe ends as soon as its rows are written, whatever the other shard does: DuckDB may read
        // the pipes one after the other (it reads a second pipe while the first is still open only at times).
        this.writing = this.writing.then(async () => {
          try {
            if (!stopped()) await staging.end(stopped);
          } catch (error) {
            this.fail(error);
          }
          this.staged = message.staged;
          this.notify();
        });
      } else this.fail(new Error(message.failed));
    });
    worker.on("error", (error) => this.fail(new Error(`the second thread stopped: ${error.message}`)));
    worker.on("exit", () => {
      if (!sent) this.fail(new Error("the second thread stopped: it exited"));
    });
  }

  /** Throws the worker's failure, if any. */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** What the worker staged, once every chunk of it is written; throws its failure. */
  async finished(): Promise<ShardStaged> {
    while (this.staged === null && this.failure === null) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    await this.writing;
    this.check();
    return this.staged as unknown as ShardStaged;
  }

  /** Stops the worker (at once if it still runs) after the chunks being written. */
  async stop(): Promise<void> {
    Atomics.store(this.flags, STOP, 1);
    Atomics.notify(this.flags, WRITTEN);
    this.failure ??= new Error("stopped");
    await this.writing;
    await this.worker.terminate();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
