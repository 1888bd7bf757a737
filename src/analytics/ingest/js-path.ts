import { closeSync } from "node:fs";
import type { FormatName } from "../../events/formats.ts";
import { openInput, type ReadOptions, readEventBatches } from "../../events/index.ts";
import { newCounters } from "../../events/source.ts";
import { CsvStaging, partSql, type ReaderFailure } from "./csv-staging.ts";
import { cpuSecondsSince } from "./shard-rows.ts";
import { openForShards, stageOnTwoThreads } from "./shard-staging.ts";
import { addItems, EMPTY_ROW } from "./staging.ts";

/** What staging a file with the parsers says besides its rows. */
export interface Staged {
  /** What the reader skipped on purpose and why (bounce emails: DMARC / TLS reports, auto-replies). */
  notes: string[];
  /** Problems of a named limit (src/util/limits.ts) that cut the file: the run exits 1. */
  limits: string[];
  /** Rows inserted (what `insert` returned). */
  inserted: number;
  /** Whether DuckDB read the rows while they were parsed (named pipes), or after. */
  piped: boolean;
  /** Threads that parsed the file (two for a big log read in shards). */
  threads: number;
  /** Per staging (a thread's rows): seconds its writer waited for DuckDB to read, and when its rows ended. */
  waitedSeconds: number[];
  endedSeconds: number[];
  /** Seconds the pipe had nothing written to it while DuckDB read it (it waited for the parsers). */
  emptySeconds: number;
  /** Seconds from the end of the parsing to the end of the insert. */
  insertTailSeconds: number;
  /** CPU seconds each parsing thread used (this one's first). */
  cpuSeconds: number[];
}

/**
 * Any format, through the events parsers (src/events/): each event or problem becomes a staging row; the
 * rows go to DuckDB as CSV (csv-staging.ts) read by one `insert` (a staging-shaped SQL source). Through
 * named pipes, the insert starts first and reads the rows as they are parsed; otherwise it starts when the
 * file is parsed. A plain log of a format read in shards, from `threadsFrom` bytes, is parsed on two
 * threads, each staging its own half (shard-staging.ts). `options.onBytes` reports progress.
 */
export async function stageWithParsers(
  path: string,
  format: FormatName,
  options: ReadOptions,
  insert: (sql: string) => Promise<number>,
  pipe = true,
  threadsFrom: number | null = null,
): Promise<Staged> {
  const started = performance.now();
  const shards = threadsFrom !== null && format !== "email" ? openForShards(path, format, threadsFrom) : null;
  const stagings = newStagings(shards ? 2 : 1, pipe, format);
  const limits: string[] = [];
  let inserting: Promise<number> | null = null;
  let failure: unknown = null;
  const start = () => {
    // An insert that throws at once fails like one that fails reading: the writers stop, the pipe ends.
    inserting = (async () =>
      insert(partSql(stagings.length === 1 ? stagings[0].path : stagings.map((s) => s.path), format)))();
    inserting.then(
      () => {
        failure ??= new Error("DuckDB ended reading the staged rows before their end");
      },
      (error) => {
        failure = error ?? new Error("DuckDB failed reading the staged rows");
      },
    );
    return inserting;
  };
  const failed = () => failure;
  const piped = stagings[0].pipe;
  if (piped) start();
  let ended = false;
  try {
    let notes: string[] = [];
    let rows = 0;
    const cpu = process.threadCpuUsage();
    let cpuSeconds: number[] | null = null;
    if (shards) {
      const job = {
        path,
        ...shards,
        format,
        year: options.year ?? null,
        tz: options.tz ?? null,
        modified: options.modified ?? null,
      };
      const counters = options.counters ?? newCounters();
      const staged = await stageOnTwoThreads(job, stagings, failed, counters, options.onBytes);
      limits.push(...staged.limits);
      rows = staged.rows;
      cpuSeconds = staged.cpuSeconds;
    } else notes = await parseRows(stagings[0], path, format, options, limits, failed);
    rows += stagings[0].rows;
    ended = true;
    for (const staging of stagings) await staging.end(failed);
    const tail = performance.now();
    // A file without rows needs no insert; through a pipe, the insert reads none.
    const inserted = await (inserting ?? (rows > 0 ? start() : 0));
    return {
      notes,
      limits,
      inserted,
      piped,
      threads: shards ? 2 : 1,
      waitedSeconds: stagings.map((staging) => staging.waitedSeconds),
      endedSeconds: stagings.map((staging) => (staging.endedAt - started) / 1000),
      emptySeconds: stagings[0].emptySeconds,
      insertTailSeconds: (performance.now() - tail) / 1000,
      cpuSeconds: cpuSeconds ?? [cpuSecondsSince(cpu)],
    };
  } finally {
    // A failed parse still ends the pipes, so DuckDB's read (and its statement) ends too, before the
    // caller rolls back on the same connection.
    if (!ended) for (const staging of stagings) await staging.end(failed, true);
    await (inserting as Promise<number> | null)?.catch(() => {});
    for (const staging of stagings) staging.close();
    if (shards) closeSync(shards.fd);
  }
}

/**
 * Where `threads` parsing threads stage `format`'s rows: one pipe they all feed, else a file each (DuckDB
 * must not read a file that is still being written).
 */
function newStagings(threads: number, pipe: boolean, format: FormatName): CsvStaging[] {
  const first = new CsvStaging(pipe, threads, format);
  return first.pipe || threads === 1 ? [first] : [first, new CsvStaging(false, 1, format)];
}

/** Where a file's parsed rows go: a CsvStaging, or the rows of a batch of files (batch.ts). */
export type RowSink = Pick<CsvStaging, "add" | "full" | "drain">;

/**
 * A file's rows parsed on this thread into `sink`: its notes returned, the problems of a named limit that
 * cut it added to `limits`.
 */
export async function parseRows(
  sink: RowSink,
  path: string,
  format: FormatName,
  options: ReadOptions,
  limits: string[],
  failed: ReaderFailure,
): Promise<string[]> {
  if (format === "email") return stageEmail(sink, path, options, limits, failed);
  for await (const batch of readEventBatches(openInput(path), format, path, options)) {
    addItems(sink, batch, format, limits);
    if (sink.full) await sink.drain(failed);
  }
  return [];
}

/**
 * Bounce emails and mboxes: one event per reported recipient; messages that are not bounces (DMARC / TLS
 * reports, auto-replies) are skipped rows, summed up in the notes returned ("2 × a DMARC aggregate report…").
 */
async function stageEmail(
  staging: RowSink,
  path: string,
  options: ReadOptions,
  limits: string[],
  failed: ReaderFailure,
): Promise<string[]> {
  const { emailItemBatches, isSkip } = await import("../../pipeline/email-events.ts");
  const skipped = new Map<string, number>();
  let bytes = 0;
  const counted = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      options.onBytes?.(bytes);
      yield chunk;
    }
  };
  for await (const batch of emailItemBatches(counted(openInput(path)), path)) {
    for (const item of batch) {
      if (isSkip(item)) {
        skipped.set(item.note, (skipped.get(item.note) ?? 0) + 1);
        // Neither a type nor a problem: a skipped record (`skip`, derived by partSql).
        staging.add({ ...EMPTY_ROW, line: item.source.line });
      } else addItems(staging, [item], "email", limits);
    }
    if (staging.full) await staging.drain(failed);
  }
  return [...skipped].map(([note, count]) => (count > 1 ? `${count} × ${note}` : note));
}
