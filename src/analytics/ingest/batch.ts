import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FieldTable } from "../../events/field-table.ts";
import type { FormatName } from "../../events/formats.ts";
import { eventSource, openInputWithHead } from "../../events/index.ts";
import { newCounters } from "../../events/source.ts";
import {
  derivedFromReply,
  fieldTableSql,
  otherKindsSql,
  type Params,
  type Store,
  type TableSqlOptions,
} from "../../store/index.ts";
import { debugLog } from "../../util/debug.ts";
import { sqlString } from "../../util/sql.ts";
import { debugLine, stopwatch } from "../stopwatch.ts";
import { CsvRows, partSql } from "./csv-staging.ts";
import {
  crossNote,
  crossReported,
  crossSourceOf,
  fileStart,
  hasLegacyEmailRows,
  insertFlagged,
  rowsByFile,
  type Settled,
  SplitBatch,
  settleBatch,
  withRepeats,
} from "./finalize.ts";
import {
  batchReader,
  duckdbMayRead,
  type FileSummary,
  formatOf,
  headerMessageIds,
  type IngestOptions,
  ingestFile,
  literalPath,
  PIPE_FROM_BYTES,
} from "./ingest.ts";
import { type ParsedRows, parseRows, type RowSink } from "./js-path.ts";

/**
 * Small files of one `ingest` run (a Maildir of bounce emails, a folder of small logs) stored in batches:
 * each file parsed on its own, their rows staged together (a PART column tells whose), then one insert,
 * one settle, one day-summary upkeep and one transaction for the batch (finalize.ts settleBatch), where
 * file by file each cost its own statements — ~0.1 CPU-s a bounce email, 17–33× the same messages in an
 * mbox (review s24 R14). What a file is stays as file by file: one `files` row and one FileSummary each,
 * with its own counts; a file repeating an event of an earlier one (in the batch or stored) counts it as a
 * duplicate; quarantined rows keep their file and line. A batch holds whole files and commits as one, so a
 * crash leaves whole files. A file whose parse fails closes the batch before it and is ingested alone (its
 * failure told as file by file); a batch that fails to store is ingested again file by file.
 */

// Files below PIPE_FROM_BYTES (ingest.ts) join a batch; from it, a file is worth its own transaction (DuckDB reads
// its rows while they are parsed). A file's own transaction costs ~75 ms CPU whatever its size: a folder of 149
// hourly PowerMTA files (89 MB, half of them 1–1.2 MB) cost 21 CPU-s when files joined batches only below 1 MiB
// (session 48's earlier limit), 6.6 below 4 MiB (one file of the same rows: 3.3); 150 hourly SendGrid files 23.8 → 6.6.
/** A batch ends at this many files, or bytes of input. */
const BATCH_FILES = 500;
const BATCH_BYTES = 32 * 1024 * 1024;
/**
 * A DuckDB batch (DuckBatch) ends at this many bytes: its files are not held in JS, DuckDB reads them as it reads
 * one file that size, and each batch's statements cost DuckDB whatever their rows (whole process, 2 runs each,
 * load ~15: 808 Mailgun API pages 13.90–17.13 → 10.07–12.85 CPU-s, RSS 398–505 → 486–666 MB; 150 hourly SendGrid
 * files 5.77 → 3.83; 149 rotated PowerMTA files 6.02 → 4.63 — 32 MiB batches vs 128 MiB).
 */
const DUCK_BATCH_BYTES = 4 * BATCH_BYTES;

/** What ingesting a file gave: its summary, or its error. */
export type FileOutcome = { path: string; summary: FileSummary } | { path: string; error: unknown };

interface Parsed {
  path: string;
  size: number;
  mtimeMs: number;
  rows: number;
  /** Records its parsers left out as repeats (ParsedRows). */
  repeats: number;
  notes: string[];
  limits: string[];
  evicted: number;
  evictedEarly: number;
  /** Seconds spent parsing it. */
  seconds: number;
}

type Opened = Awaited<ReturnType<typeof openInputWithHead>>;

/**
 * Small files of a format DuckDB reads, all read by the same reader (batchReader: reader, compression, CSV
 * header), waiting to be read as one batch: ONE DuckDB read of their paths (each as `/dev/fd/N`, literalPath),
 * each row's file its `part`, instead of the parsers (an API page folder: 808 Mailgun pages, 30 KB–350 KB each).
 * Exact or nothing, as a file DuckDB reads alone: a bad record, or a value of another kind where text is read,
 * and the batch is rolled back and its files read by the parsers, as a batch of parsed files.
 */
interface DuckBatch {
  key: string;
  format: FormatName;
  reader: TableSqlOptions;
  files: { path: string; size: number; before: number; literal: { path: string; close(): void } }[];
  bytes: number;
}

/** How a batch's rows reach `event_rows`: the parsers' staged rows, or a DuckDB read of the batch's files. */
type BatchRows = { chunks: Buffer[]; first: number } | { sql: string; params: Params };

/** A run's batches: files are offered in input order, outcomes told in the same order. */
export class FileBatches {
  private readonly store: Store;
  private readonly options: IngestOptions;
  private readonly told: (outcome: FileOutcome) => void;
  private format: FormatName | null = null;
  private files: Parsed[] = [];
  private bytes = 0;
  private rows: CsvRows | null = null;
  private chunks: Buffer[] = [];
  /** A small file of a format DuckDB reads, waiting for the next (offer); the batch is then empty. */
  private waiting: { path: string; size: number; before: number; format: FormatName } | null = null;
  /** Files for one DuckDB read (DuckBatch); when set, the batch and `waiting` are empty. */
  private duck: DuckBatch | null = null;

  constructor(store: Store, options: IngestOptions, told: (outcome: FileOutcome) => void) {
    this.store = store;
    this.options = options;
    this.told = told;
  }

  /**
   * Parses the regular file `path` (`size` bytes, `before`: the run's bytes before it) into the batch; the
   * batch is stored first when the file does not fit it. False when the file is for ingestFile alone (too
   * large, of no format known, or its parse failed): the batch is stored before it. A file of a format
   * DuckDB reads waits (true) for the next one: beside another file of its format it joins a batch, read by
   * the parsers; else it is ingested alone (by DuckDB) before the next is.
   */
  async offer(path: string, size: number, before: number): Promise<boolean> {
    if (size >= PIPE_FROM_BYTES) return this.alone();
    let opened: Opened;
    try {
      opened = await openInputWithHead(path);
    } catch {
      return this.alone();
    }
    const format = formatOf(opened.head, path, this.options);
    const read = format && duckdbMayRead(format, this.options) ? duckReader(path, format, opened.head) : null;
    if (format && read) {
      opened.stream.destroy();
      const duck = this.duck;
      if (
        !duck ||
        duck.key !== read.key ||
        duck.files.length >= BATCH_FILES ||
        duck.bytes + size > DUCK_BATCH_BYTES
      )
        await this.flush();
      this.duck ??= { key: read.key, format, reader: read.reader, files: [], bytes: 0 };
      this.duck.files.push({ path, size, before, literal: read.literal });
      this.duck.bytes += size;
      return true;
    }
    if (this.duck) await this.flush();
    const waiting = this.waiting;
    const batched = this.files.length > 0 && this.format === format;
    if (!format || (duckdbMayRead(format, this.options) && !batched && waiting?.format !== format)) {
      opened.stream.destroy();
      if (!format) return this.alone();
      await this.alone();
      this.waiting = { path, size, before, format };
      return true;
    }
    if (waiting) {
      // Alone so far (the batch is empty): it starts one with this file of its format, else goes alone.
      this.waiting = null;
      const reopened =
        waiting.format === format ? await openInputWithHead(waiting.path).catch(() => null) : null;
      if (!reopened || !(await this.parse(waiting.path, waiting.size, waiting.before, format, reopened)))
        await this.ingestAlone([waiting]);
    }
    return (await this.parse(path, size, before, format, opened)) || this.alone();
  }

  /** Parses `path` (opened) into the batch, the batch stored first when it does not fit; false if the parse failed. */
  private async parse(
    path: string,
    size: number,
    before: number,
    format: FormatName,
    opened: Opened,
  ): Promise<boolean> {
    const started = performance.now();
    if (
      this.files.length > 0 &&
      (format !== this.format || this.files.length >= BATCH_FILES || this.bytes + size > BATCH_BYTES)
    )
      await this.flush();
    this.format = format;
    this.rows ??= new CsvRows(format, true);
    this.rows.part = this.files.length;
    const counters = newCounters();
    const limits: string[] = [];
    const rowsBefore = this.rows.rows;
    const rows = this.rows;
    const sink: RowSink = { add: (row) => rows.add(row), full: false, drain: async () => {} };
    let parsed: ParsedRows;
    try {
      const info = statSync(path);
      parsed = await parseRows(
        sink,
        path,
        format,
        {
          year: this.options.year ?? null,
          tz: this.options.tz ?? null,
          modified: opened.modified,
          onBytes: (bytes) => this.options.onProgress?.(before + bytes),
          counters,
        },
        limits,
        () => null,
        // Read once: the bytes the head came from.
        opened.stream,
      );
      this.files.push({
        path,
        size: info.size,
        mtimeMs: info.mtimeMs,
        rows: rows.rows - rowsBefore,
        ...parsed,
        limits,
        evicted: counters.evicted,
        evictedEarly: counters.evictedEarly,
        seconds: (performance.now() - started) / 1000,
      });
    } catch (error) {
      opened.stream.destroy();
      debugLog(`${path} left its batch: ${String(error)}`);
      rows.take();
      return false;
    }
    this.chunks.push(Buffer.from(rows.take()));
    this.bytes += size;
    this.options.onProgress?.(before + size);
    return true;
  }

  /** Stores the batch, or the file waiting for a neighbour (alone), or the DuckDB batch, telling their outcomes. */
  async flush(): Promise<void> {
    const duck = this.duck;
    this.duck = null;
    if (duck) await this.storeDuck(duck);
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) await this.ingestAlone([waiting]);
    const files = this.files;
    const format = this.format;
    const chunks = this.chunks;
    this.files = [];
    this.chunks = [];
    this.bytes = 0;
    this.rows = null;
    if (files.length > 0 && format !== null) await this.storeFiles(files, format, chunks, 0);
  }

  /**
   * Stores `files` (their rows `chunks`, the first one's PART `first`) as a batch, else as SplitBatch says,
   * else one by one, as without batches: a failing file loses none of the others.
   */
  private async storeFiles(files: Parsed[], format: FormatName, chunks: Buffer[], first: number) {
    let summaries: FileSummary[];
    try {
      summaries = await this.storeBatch(files, format, { chunks, first });
    } catch (error) {
      if (error instanceof SplitBatch) {
        debugLog(`a batch of ${files.length} files is split: ${error.message}`);
        const { at } = error;
        if (at > 0) await this.storeFiles(files.slice(0, at), format, chunks.slice(0, at), first);
        await this.ingestAlone(files.slice(at, at + 1));
        if (at + 1 < files.length)
          await this.storeFiles(files.slice(at + 1), format, chunks.slice(at + 1), first + at + 1);
      } else {
        debugLog(`a batch of ${files.length} files is ingested file by file: ${String(error)}`);
        await this.ingestAlone(files);
      }
      return;
    }
    for (const summary of summaries) this.told({ path: summary.path, summary });
  }

  /**
   * A DuckDB batch stored: one file alone (ingestFile, DuckDB's readers as for any file), several by one read,
   * else (a bad record, or the read or its settle failed) parsed and stored as a batch of parsed files.
   */
  private async storeDuck({ format, reader, files }: DuckBatch): Promise<void> {
    try {
      if (files.length === 1) {
        await this.ingestAlone(files);
        return;
      }
      const table = eventSource(format)?.table;
      let summaries: FileSummary[] | null = null;
      if (table) {
        const sql = fieldTableSql(table, { ...reader, paths: files.map((file) => file.literal.path) });
        try {
          summaries = await this.storeBatch(
            files.map(({ path }) => {
              const { size, mtimeMs } = statSync(path);
              return { ...nothingParsed(), path, size, mtimeMs };
            }),
            format,
            { sql, params: sql.includes("$tz") ? { tz: this.options.tz ?? "UTC" } : {} },
          );
        } catch (error) {
          debugLog(
            `DuckDB's read of a batch of ${files.length} files left them to the parsers: ${String(error)}`,
          );
        }
      }
      if (summaries) {
        const last = files[files.length - 1];
        this.options.onProgress?.(last.before + last.size);
        for (const summary of summaries) this.told({ path: summary.path, summary });
        return;
      }
    } finally {
      for (const file of files) file.literal.close();
    }
    for (const { path, size, before } of files) {
      const opened = await openInputWithHead(path).catch(() => null);
      if (!opened || !(await this.parse(path, size, before, format, opened))) {
        await this.flush();
        await this.ingestAlone([{ path }]);
      }
    }
    await this.flush();
  }

  /** Each of `files` ingested in its own transaction (ingestFile). */
  private async ingestAlone(files: readonly { path: string }[]): Promise<void> {
    for (const { path } of files) {
      try {
        this.told({ path, summary: await ingestFile(this.store, path, this.ingestOptions()) });
      } catch (error) {
        this.told({ path, error });
      }
    }
  }

  /** The batch stored before a file ingested alone. */
  private async alone(): Promise<false> {
    await this.flush();
    return false;
  }

  private ingestOptions(): IngestOptions {
    const { format, tz, year, fastPath, dedupeWithTime, now } = this.options;
    return { format, tz, year, fastPath, dedupeWithTime, now };
  }

  /**
   * One transaction: the batch's rows inserted, settled, and a `files` row each. DuckDB's read of the files
   * (`from.sql`) counts each file's rows, and throws (rolled back) where the file alone would go to the parsers.
   */
  private async storeBatch(files: Parsed[], format: FormatName, from: BatchRows): Promise<FileSummary[]> {
    const started = performance.now();
    const dir = "chunks" in from ? mkdtempSync(join(tmpdir(), "deliverlens-batch-")) : null;
    const duckdb = "sql" in from;
    const table = eventSource(format)?.table;
    try {
      const csv = dir ? join(dir, "rows.csv") : "";
      if ("chunks" in from) writeFileSync(csv, Buffer.concat(from.chunks), { mode: 0o600 });
      const first = "chunks" in from ? from.first : 0;
      const store = this.store;
      // Each file's, as its `files` row has them.
      let seconds: number[] = [];
      // Each file's bounces the other kind of source stored (crossSourceOf).
      let crossed: number[] = [];
      const commit = stopwatch();
      const settled = await store.transaction(async () => {
        const { fileId: firstId, storedBefore } = await fileStart(store);
        const clock = (this.options.now ?? Date.now)();
        const legacyEmail = storedBefore && format === "email" && (await hasLegacyEmailRows(store));
        const cross = await crossSourceOf(store, format, storedBefore);
        const lap = stopwatch();
        const rows = files.reduce((sum, file) => sum + file.rows, 0);
        const inserted =
          rows > 0 || duckdb
            ? await insertFlagged(
                store,
                duckdb ? from.sql : partSql(csv, format, true),
                duckdb ? from.params : {},
                // The file of PART `first` is `firstId`.
                firstId - first,
                clock,
                storedBefore,
                this.options.dedupeWithTime,
                legacyEmail,
                true,
                cross,
                headerMessageIds(format),
                !duckdb,
              )
            : 0;
        lap("insert");
        if (duckdb) await this.duckRows(files, firstId, inserted, table);
        else if (inserted !== rows) throw new Error(`a batch staged ${rows} rows, DuckDB read ${inserted}`);
        if (cross) {
          const byFile = await crossReported(store, "file_id >= $first", { first: firstId }, format);
          crossed = files.map((_, at) => byFile.get(firstId + at) ?? 0);
        }
        const writeFiles = async (counts: Settled[]) => {
          seconds = this.shares(files, started);
          const derived = duckdb && table !== undefined && derivedFromReply(table);
          await this.writeFiles(firstId, files, format, counts, seconds, clock, derived);
        };
        const paths = files.map((file) => file.path);
        const counts = files.map((file) => file.rows);
        const done = await settleBatch(store, firstId, counts, paths, storedBefore, writeFiles, lap);
        commit("before commit");
        return done.map((counts, at) => withRepeats(counts, files[at].repeats));
      });
      commit("commit");
      debugLine(`a batch of ${files.length} ${format} files, ${settled.length} stored in one transaction`);
      return files.map((file, at) => ({
        path: file.path,
        format,
        reader: duckdb ? "duckdb" : "parsers",
        ...settled[at],
        seconds: seconds[at],
        evicted: file.evicted,
        evictedEarly: file.evictedEarly,
        notes: crossed[at] ? [...file.notes, crossNote(crossed[at], format)] : file.notes,
        limits: file.limits,
      }));
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * A DuckDB batch's rows as read: each file's count (`rows`), after the checks that send a file DuckDB read to
   * the parsers (ingest.ts loadFile: a bad record, a value of another kind where text is read) — one fails the
   * batch.
   */
  private async duckRows(
    files: Parsed[],
    firstId: number,
    inserted: number,
    table: FieldTable | undefined,
  ): Promise<void> {
    const lastId = firstId + files.length - 1;
    const counts = await rowsByFile(this.store, firstId, lastId);
    if (counts.some((file) => file.problems > 0)) throw new Error("a bad record: the parsers read the batch");
    const otherKinds = otherKindsSql(table, inserted, "file_id BETWEEN $file_id AND $last_id");
    const batch = { file_id: firstId, last_id: lastId };
    if (otherKinds && (await this.store.one<{ hit: boolean }>(otherKinds, batch))?.hit)
      throw new Error("a value of another kind where text is read: the parsers read the batch");
    for (const file of counts) files[file.file_id - firstId].rows = Number(file.rows);
  }

  /** Each file's seconds: its parse, and its share (by rows, plus one) of the batch's storing so far. */
  private shares(files: Parsed[], started: number): number[] {
    const storing = (performance.now() - started) / 1000;
    const weights = files.map((file) => file.rows + 1);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return files.map((file, at) => file.seconds + (storing * weights[at]) / total);
  }

  /** The batch's `files` rows, in one statement (one per file cost as much as the file's rows). */
  private async writeFiles(
    firstId: number,
    files: Parsed[],
    format: FormatName,
    settled: Settled[],
    seconds: number[],
    clock: number,
    /** files.derived_from_reply (docs/STORE.md): DuckDB read the rows of a table whose view derives them. */
    derived: boolean,
  ): Promise<void> {
    const values = files.map((file, at) => {
      const { read, stored, duplicates, quarantined } = withRepeats(settled[at], file.repeats);
      const mtime = Math.round(file.mtimeMs * 1000);
      return `(${firstId + at}, ${sqlString(file.path)}, ${sqlString(format)}, ${file.size},
        make_timestamp(${mtime}::BIGINT), make_timestamp(${clock * 1000}::BIGINT), ${read}, ${stored}, ${duplicates}, ${quarantined},
        ${seconds[at]}, ${derived})`;
    });
    await this.store.run(`INSERT INTO files VALUES ${values.join(", ")}`);
  }
}

/**
 * How `path` (of `format`, its head `head`) joins a DuckDB batch: the reader that reads it (batchReader) and its
 * key (files of one key are read by one query), and the file as DuckDB opens it; null when it cannot.
 */
function duckReader(
  path: string,
  format: FormatName,
  head: string,
): { key: string; reader: TableSqlOptions; literal: { path: string; close(): void } } | null {
  const literal = literalPath(path);
  if (!literal) return null;
  const reader = batchReader(format, head, literal.compression);
  if (!reader) {
    literal.close();
    return null;
  }
  return { key: `${format}\n${JSON.stringify(reader)}`, reader, literal };
}

/** A file of a DuckDB batch as its `files` row starts: its rows are counted once read. */
function nothingParsed(): Omit<Parsed, "path" | "size" | "mtimeMs"> {
  return { rows: 0, repeats: 0, notes: [], limits: [], evicted: 0, evictedEarly: 0, seconds: 0 };
}
