import type { FormatName } from "../../events/formats.ts";
import { reusedFileChunks } from "../../events/input.ts";
import { lineReader } from "../../events/read.ts";
import { isProblem, type Out, type ParseCounters, problem, type Shard } from "../../events/source.ts";
import { CsvRows } from "./csv-staging.ts";
import { itemRow, limitOf } from "./staging.ts";

/** One shard of a log staged as CSV (see shard-staging.ts): what both of its threads run. */

/** The file and the read options both shards share (what ReadOptions says, minus callbacks). */
export interface ShardJob {
  path: string;
  /** One descriptor for both threads: they read the same file even if it is renamed (rotated) meanwhile. */
  fd: number;
  /** The bytes read: the file's size when it was opened. */
  size: number;
  format: FormatName;
  year: number | null;
  tz: string | null;
  modified: Date | null;
}

/** What a shard staged. */
export interface ShardStaged {
  rows: number;
  limits: string[];
  counters: ParseCounters;
}

/** The worker's messages: CSV bytes to write, then what it staged, or why it stopped. */
export type ShardMessage = { bytes: Uint8Array<ArrayBuffer> } | { staged: ShardStaged } | { failed: string };

/** Flags shared with the worker: [chunks written, stop]. */
export const WRITTEN = 0;
export const STOP = 1;

/**
 * One shard's rows: parsed chunk by chunk, encoded as CSV, and handed over (`hand`) about every MB.
 * `onBytes` reports how far the file is read.
 */
export async function stageShard(
  job: ShardJob,
  shard: Shard,
  counters: ParseCounters,
  hand: (bytes: Uint8Array<ArrayBuffer>) => Promise<void> | void,
  onBytes?: (bytes: number) => void,
): Promise<ShardStaged> {
  const reader = lineReader(job.format, job.path, { ...job, counters, shard });
  const rows = new CsvRows();
  const limits: string[] = [];
  const add = (out: Out) => {
    for (const item of out) {
      if (isProblem(item)) {
        const limit = limitOf(item);
        if (limit !== null) limits.push(limit);
      }
      rows.add(itemRow(item, job.format));
    }
  };
  const chunks = reusedFileChunks(job.fd, job.size);
  let bytes = 0;
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = chunks.next();
    } catch (error) {
      // The first shard speaks for the input (as readEventBatches does).
      const out: Out = [];
      reader.finish(out);
      if (shard.index === 0) {
        out.push(problem(job.path, null, `input could not be read to the end: ${(error as Error).message}`));
      }
      add(out);
      break;
    }
    if (next.done) {
      const out: Out = [];
      reader.finish(out);
      add(out);
      break;
    }
    const out: Out = [];
    reader.push(next.value, out);
    add(out);
    bytes += next.value.length;
    onBytes?.(bytes);
    if (rows.full) await hand(rows.take());
  }
  await hand(rows.take());
  return { rows: rows.rows, limits, counters };
}

/** The worker's side: hands each chunk over, waiting while AHEAD chunks are not yet written. */
export function workerHand(
  flags: Int32Array,
  ahead: number,
  post: (bytes: Uint8Array<ArrayBuffer>) => void,
): (bytes: Uint8Array<ArrayBuffer>) => void {
  let sent = 0;
  return (bytes) => {
    for (let written = Atomics.load(flags, WRITTEN); sent - written >= ahead; ) {
      if (Atomics.load(flags, STOP) === 1) throw new Error("stopped");
      Atomics.wait(flags, WRITTEN, written, 100);
      written = Atomics.load(flags, WRITTEN);
    }
    if (Atomics.load(flags, STOP) === 1) throw new Error("stopped");
    post(bytes);
    sent++;
  };
}
