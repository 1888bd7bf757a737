import { closeSync, constants, openSync, writeSync } from "node:fs";
import type { DeliveryEvent } from "../../events/event.ts";
import type { FormatName } from "../../events/formats.ts";
import type { SharedLineIndex } from "../../events/line-index.ts";
import { lineReader, readShard } from "../../events/read.ts";
import type { OutcomeSpans, ParseCounters, Shard } from "../../events/source.ts";
import { CsvRows } from "./csv-staging.ts";
import { OutcomeCsv } from "./outcome-csv.ts";
import { ChunkSender, type FeedPort } from "./pipe-feed.ts";
import { addItems } from "./staging.ts";

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
  /** Seconds its writer waited for DuckDB (the worker's; this thread's staging counts its own). */
  waitedSeconds: number;
  limits: string[];
  counters: ParseCounters;
  /** CPU seconds the staging thread(s) used for this, each (with DuckDB busy meanwhile: who waits on whom). */
  cpuSeconds: number[];
}

/** Where the worker writes its rows: the pipe's feeding thread (pipe-feed.ts), or its own file. */
export type ShardOutput = { feed: FeedPort } | { file: string };

/**
 * The worker's messages: the descriptor it opened its output on (to be closed if it dies), then what it
 * staged or why it stopped, its output closed either way.
 */
export type ShardMessage = { opened: number } | { staged: ShardStaged } | { failed: string };

/** Flags shared with the worker: [stop] (set: the worker stops at its next chunk or wait). */
export const STOP = 0;

/**
 * One shard's rows: parsed chunk by chunk, encoded as CSV, and handed over (`hand`) about every MB.
 * `onBytes` reports how far the file is read; `lines`: the chunks and line indexes shared with the other
 * shard's thread (events/line-index.ts: each chunk read and each line's head scanned once for both).
 */
export async function stageShard(
  job: ShardJob,
  shard: Shard,
  counters: ParseCounters,
  hand: (bytes: Uint8Array<ArrayBuffer>) => Promise<void> | void,
  onBytes?: (bytes: number) => void,
  lines: SharedLineIndex | null = null,
): Promise<ShardStaged> {
  const cpu = process.threadCpuUsage();
  const rows = new CsvRows(job.format);
  // A parser that reads recipient lines on their bytes (Postfix) hands their outcomes here: no line
  // string, and their rows are written from the bytes (outcome-csv.ts).
  const outcomeCsv = new OutcomeCsv(job.format);
  const outcomes = {
    outcome: (event: DeliveryEvent, spans: OutcomeSpans) => outcomeCsv.add(rows, event, spans),
  };
  const reader = lineReader(job.format, job.path, { ...job, counters, shard, outcomes });
  const limits: string[] = [];
  for (const { out, bytes, last } of readShard(reader, job, shard, lines)) {
    addItems(rows, out, job.format, limits);
    if (last) break;
    onBytes?.(bytes);
    if (rows.full) await hand(rows.take());
  }
  await hand(rows.take());
  return { rows: rows.rows, waitedSeconds: 0, limits, counters, cpuSeconds: [cpuSecondsSince(cpu)] };
}

/**
 * The worker's side: hands its rows to the pipe's feeding thread, or writes them to its own file, itself
 * (the other thread wrote them between its own chunks at first: its pipe ended 27 s after the other's at
 * 4M lines). `stopped` says whether to stop (the other side failed).
 */
export class OutputWriter {
  private readonly sender: ChunkSender | null;
  private fd: number | null = null;
  private readonly output: ShardOutput;
  private readonly stopped: () => Error | null;
  private readonly onOpen: (fd: number) => void;

  constructor(output: ShardOutput, stopped: () => Error | null, onOpen: (fd: number) => void) {
    this.output = output;
    this.stopped = stopped;
    this.onOpen = onOpen;
    this.sender = "feed" in output ? new ChunkSender(output.feed) : null;
  }

  /** Seconds spent waiting for DuckDB to read the chunks handed over before. */
  get waitedSeconds(): number {
    return this.sender?.waitedSeconds ?? 0;
  }

  /** Writes whole rows' bytes. */
  async write(bytes: Uint8Array): Promise<void> {
    const stop = this.stopped();
    if (stop) throw stop;
    if (this.sender) {
      await this.sender.send(bytes, this.stopped);
      return;
    }
    if (this.fd === null && "file" in this.output) {
      this.fd = openSync(this.output.file, constants.O_WRONLY | constants.O_APPEND);
      this.onOpen(this.fd);
    }
    let at = 0;
    while (at < bytes.length) at += writeSync(this.fd as number, bytes, at, bytes.length - at);
  }

  /** Ends this thread's rows (a failed parse's too: the main thread stops the pipe if DuckDB failed). */
  end(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.sender?.end();
  }
}

/** CPU seconds this thread used since `start` (process.threadCpuUsage). */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.threadCpuUsage(start);
  return (used.user + used.system) / 1e6;
}
