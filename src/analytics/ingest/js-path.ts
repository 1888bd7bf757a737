import { closeSync } from "node:fs";
import type { Readable } from "node:stream";
import type { FormatName } from "../../events/formats.ts";
import { openInput, type ReadOptions, readEventBatches } from "../../events/index.ts";
import { newCounters } from "../../events/source.ts";
import { CsvStaging, partSql, type ReaderFailure } from "./csv-staging.ts";
import { cpuSecondsSince } from "./shard-rows.ts";
import { openForShards, stageOnTwoThreads } from "./shard-staging.ts";
import { addItems, EMPTY_ROW, rowIdentity, type StagingRow } from "./staging.ts";

/** What staging a file with the parsers says besides its rows. */
export interface Staged {
  /** What the reader skipped on purpose and why (bounce emails: DMARC / TLS reports, auto-replies). */
  notes: string[];
  /** Problems of a named limit (src/util/limits.ts) that cut the file: the run exits 1. */
  limits: string[];
  /** Rows inserted (what `insert` returned). */
  inserted: number;
  /** Records left out as repeats (ParsedRows; none read on two threads: a log's line is one record). */
  repeats: number;
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
    let repeats = 0;
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
    } else ({ notes, repeats } = await parseRows(stagings[0], path, format, options, limits, failed));
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
      repeats,
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

/** What parsing a file gave besides its rows. */
export interface ParsedRows {
  /** What the reader skipped on purpose and why (stageEmail). */
  notes: string[];
  /** Records left out as repeats of an earlier record of their line (LineRepeats): read, and duplicates. */
  repeats: number;
}

/**
 * A file's rows parsed on this thread into `sink` (through LineRepeats): its notes returned, the problems
 * of a named limit that cut it added to `limits`. `input`: its bytes (decompressed) when already open
 * (openInputWithHead).
 */
export async function parseRows(
  sink: RowSink,
  path: string,
  format: FormatName,
  options: ReadOptions,
  limits: string[],
  failed: ReaderFailure,
  input: Readable = openInput(path),
): Promise<ParsedRows> {
  const rows = new LineRepeats(sink);
  let notes: string[] = [];
  if (format === "email") notes = await stageEmail(rows, path, input, options, limits, failed);
  else {
    for await (const batch of readEventBatches(input, format, path, options)) {
      addItems(rows, batch, format, limits);
      if (rows.full) await rows.drain(failed);
    }
  }
  return { notes, repeats: rows.repeats };
}

/**
 * Which of a file's records of one event is stored: the first. The settle keeps an event's row of the
 * least line (finalize.ts dropUnkept), but the records of one line tie there — a bounce email's (every
 * record of a message has its line: one report listing a recipient twice with two replies), a JSON array's
 * on one line — and DuckDB then kept whichever it read first, which differed between a file stored alone
 * and in a batch (review s24 R19). So a record repeating the event (rowIdentity) of an earlier record of
 * its line is left out here, in the order the parser gives them (`classify`'s): the file counts it as read
 * and as a duplicate, as the settle would have. Only a line with more than one record computes identities.
 */
export class LineRepeats implements RowSink {
  private readonly sink: RowSink;
  private line: StagingRow["line"] | undefined = undefined;
  /** The current line's first event row, and with a second one, the identities of its events. */
  private first: StagingRow | null = null;
  private identities: Set<string> | null = null;
  /** Rows left out. */
  repeats = 0;

  constructor(sink: RowSink) {
    this.sink = sink;
  }

  add(row: StagingRow): void {
    // A bad or skipped record is never stored: it is counted as what it is.
    if (row.type !== null && row.problem === null) {
      if (row.line !== this.line || this.first === null) {
        this.line = row.line;
        this.first = row;
        this.identities = null;
      } else {
        this.identities ??= new Set([rowIdentity(this.first)]);
        const identity = rowIdentity(row);
        if (this.identities.has(identity)) {
          this.repeats++;
          return;
        }
        this.identities.add(identity);
      }
    }
    this.sink.add(row);
  }

  get full(): boolean {
    return this.sink.full;
  }

  drain(failed: ReaderFailure): Promise<void> {
    return this.sink.drain(failed);
  }
}

/**
 * Bounce emails and mboxes: one event per reported recipient; messages that are not bounces (DMARC / TLS
 * reports, auto-replies) are skipped rows, summed up in the notes returned ("2 × a DMARC aggregate report…").
 */
async function stageEmail(
  staging: RowSink,
  path: string,
  input: Readable,
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
  for await (const batch of emailItemBatches(counted(input), path)) {
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
