import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RECIPIENT_DOMAIN_SQL } from "../../store/index.ts";
import { sqlString } from "../../util/sql.ts";
import { ChunkSender, type FeedPort, PipeFeed } from "./pipe-feed.ts";
import { PipeWriter } from "./pipe-writer.ts";
import {
  DERIVED_COLUMNS,
  ROW_COLUMNS,
  type RowColumn,
  type StagingRow,
  type UnsetColumn,
  unsetColumns,
  unsetError,
} from "./staging.ts";

/**
 * Staging rows of the JS parsers, written as CSV into a private temporary directory and read back by
 * DuckDB's CSV reader (`partSql`). Handing rows to DuckDB one value at a time (its appender: one native
 * call per value, NULLs included, or data chunks whose strings still cost one call each) took longer
 * than parsing the log; a CSV line is one JavaScript string per row.
 *
 * A file's rows go to DuckDB in ONE insert statement: inserting it in parts, one statement each, cost
 * DuckDB a half more, much of it at commit and at the checkpoint after the last part (2M grep'd Postfix
 * lines: 17.6 CPU-s in 8 statements, 11.0 in one). Where named pipes exist, the CSV goes through one
 * (`pipe`; a big log's two parsing threads through one each, read as one input: shard-staging.ts):
 * DuckDB's insert reads it while the parsers write, and nothing reaches the disk; elsewhere it goes to a
 * file that DuckDB reads once it is complete.
 *
 * A string is written as it is unless it holds a quote, a comma or a line break, or is empty: such a one is
 * quoted (quotes doubled) — text round-trips exactly, NUL and line breaks included; an empty field is NULL
 * and `""` the empty string. A quoted field takes DuckDB's reader its escaped-value path, on the one thread
 * that reads the rows (100k grep'd Postfix rows, the insert under callgrind: 2,535.6 → 2,527.2 M instructions
 * with every string quoted and unquoted, and 7 % fewer bytes through the pipe with the hint change). Times are epoch milliseconds (BIGINT), made TIMESTAMPs in SQL.
 */

/** Bytes buffered before a write. */
const WRITE_AT = 1 << 20;
/** DuckDB's CSV reader refuses longer lines; a row holds at most a few fields of one 1 MB input line. */
const MAX_CSV_LINE = 16 * 1024 * 1024;

/** The CSV columns of `format`'s rows (ROW_COLUMNS but its unset ones), in their order. */
function stagedColumns(format: string | null): (typeof ROW_COLUMNS)[number][] {
  const unset: readonly string[] = unsetColumns(format);
  return ROW_COLUMNS.filter(([name]) => !unset.includes(name));
}
const TIMES = ROW_COLUMNS.filter(([, type]) => type === "TIMESTAMP").map(([name]) => name);

/**
 * The staging columns a row leaves out (DERIVED_COLUMNS), from its others: a staged column costs DuckDB
 * its CSV parse (1M grep'd Postfix rows, insertFlagged, load 10–13: 4.84/4.77/4.58 CPU-s with these two
 * staged, 4.28/4.47/3.96 derived).
 */
const DERIVED_SQL: Record<(typeof DERIVED_COLUMNS)[number], string> = {
  recipient_domain: RECIPIENT_DOMAIN_SQL,
  skip: "type IS NULL AND problem IS NULL",
};

/**
 * The column a batch of files' rows start with (`parted`): the index of the file in the batch whose row it
 * is (CsvRows.part; batch.ts).
 */
export const PART = "part";

/**
 * SQL reading staged rows of `format` (files or pipes, read as one input) as staging-shaped rows: the
 * columns its rows leave out (unsetColumns) NULL; `parted`: rows of a batch of files, a PART column first.
 */
export function partSql(
  paths: string | readonly string[],
  format: string | null = null,
  parted = false,
): string {
  const replace = TIMES.map((name) => `make_timestamp(${name} * 1000) AS ${name}`).join(", ");
  const derived = DERIVED_COLUMNS.map((name) => `${DERIVED_SQL[name]} AS ${name}`).join(", ");
  const types = new Map<string, string>(ROW_COLUMNS);
  const unset = unsetColumns(format).map((name) => `, NULL::${types.get(name)} AS ${name}`);
  const columns = `{${parted ? `${sqlString(PART)}: 'INTEGER', ` : ""}${stagedColumns(format)
    .map(([name, type]) => `${sqlString(name)}: ${sqlString(type === "TIMESTAMP" ? "BIGINT" : type)}`)
    .join(", ")}}`;
  const files = typeof paths === "string" ? sqlString(paths) : `[${paths.map(sqlString).join(", ")}]`;
  return `SELECT * REPLACE (${replace}), ${derived}${unset.join("")} FROM read_csv(${files}, columns = ${columns},
    header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, auto_detect = false,
    strict_mode = true, max_line_size = ${MAX_CSV_LINE}, buffer_size = ${2 * MAX_CSV_LINE})`;
}

/** Characters a CSV field cannot hold unquoted (outcome-csv.ts writes bytes by the same rule). */
const NEEDS_QUOTES = /[",\n\r]/;

/** Whether a text is written as it is (plainCsv), not quoted: not empty, no quote, comma or line break. */
export function plainCsv(text: string): boolean {
  return text.length > 0 && !NEEDS_QUOTES.test(text);
}

/** Whether the reader of a pipe failed: its error (the writer stops and throws it), else null. */
export type ReaderFailure = () => unknown;

/**
 * Staging rows as CSV bytes, on any thread: `take` hands them over for a CsvStaging (or the worker's
 * OutputWriter) to write.
 */
export class CsvRows {
  private buffer = Buffer.allocUnsafeSlow(2 * WRITE_AT);
  private length = 0;
  /** The columns written, and those left out (unsetColumns). */
  private readonly names: readonly RowColumn[];
  private readonly unset: readonly UnsetColumn[];
  /** Rows added. */
  rows = 0;
  /** With `parted`: the PART column of the rows added from now on (the batch's file they come from). */
  part = 0;

  /**
   * Rows of `format` (its unset columns left out: partSql with the same format reads them); `parted`: each
   * row starts with its PART (partSql's `parted`).
   */
  private readonly parted: boolean;

  constructor(format: string | null = null, parted = false) {
    this.parted = parted;
    this.names = stagedColumns(format).map(([name]) => name);
    this.unset = unsetColumns(format);
  }

  add(row: StagingRow): void {
    for (const name of this.unset) {
      if (row[name] !== null && row[name] !== undefined) throw unsetError(name);
    }
    // The row as one string written with one call: a write per field cost twice as much (3.4 vs 1.5 µs a
    // grep'd Postfix row), each a call into native code.
    const names = this.names;
    let line = this.parted ? `${this.part},` : "";
    for (let i = 0; i < names.length; i++) {
      const value = row[names[i]];
      if (i > 0) line += ",";
      if (value === null || value === undefined) continue;
      if (typeof value === "string") line += plainCsv(value) ? value : `"${value.replaceAll('"', '""')}"`;
      else line += value;
    }
    line += "\n";
    // At most 3 UTF-8 bytes per UTF-16 unit.
    if (this.length + 3 * line.length > this.buffer.length) this.grow(this.length, 3 * line.length);
    this.length += this.buffer.write(line, this.length);
    this.rows++;
  }

  /**
   * The buffer with room for `bytes` more after `end`, for a writer of rows as bytes (outcome-csv.ts):
   * it writes there and says where its row ended (`wrote`). Valid until the next call.
   */
  reserve(bytes: number): Buffer {
    if (this.length + bytes > this.buffer.length) this.grow(this.length, bytes);
    return this.buffer;
  }

  /** Where the next row's bytes go. */
  get end(): number {
    return this.length;
  }

  /** A row written as bytes into `reserve`'s buffer ends at `end`. */
  wrote(end: number): void {
    this.length = end;
    this.rows++;
  }

  /** Whether enough rows wait to be worth handing over. */
  get full(): boolean {
    return this.length >= WRITE_AT;
  }

  /**
   * The bytes of the rows added since the last take, in the buffer the next rows overwrite: write them
   * before adding more (one buffer for the whole file: no garbage of a few MB a chunk).
   */
  take(): Uint8Array<ArrayBuffer> {
    const bytes = this.buffer.subarray(0, this.length);
    this.length = 0;
    return bytes;
  }

  private grow(at: number, room: number): void {
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buffer.length, at + room));
    this.buffer.copy(grown, 0, 0, at);
    this.buffer = grown;
  }
}

/**
 * Where DuckDB reads staged rows: a named pipe written while DuckDB reads it (by its own thread, fed by
 * both parsing threads of a big log: pipe-feed.ts; by the one parsing thread itself otherwise), or a
 * file it reads once complete. Rows are added here (`add`,
 * `drain`), or written as bytes a CsvRows made (`write`).
 */
export class CsvStaging {
  private readonly dir: string;
  /** Where DuckDB reads the rows (partSql). */
  readonly path: string;
  /** A named pipe (read while written) rather than a file (read once written). */
  readonly pipe: boolean;
  private fd: number | null = null;
  /** The pipe's feeding thread, and this thread's way to it (several parsers). */
  private readonly feed: PipeFeed | null = null;
  private readonly sender: ChunkSender | null = null;
  /** The pipe written from this thread (one parser). */
  private readonly writer: PipeWriter | null = null;
  private ended = false;
  private readonly pending: CsvRows;
  /** When the rows ended (performance.now()). */
  endedAt = 0;
  /** Seconds the pipe's writers waited for DuckDB: the feeding thread, and parsers waiting for a slot. */
  private waited = 0;
  /** Seconds the pipe's feeding thread had nothing to write (DuckDB waited for the parsers). */
  emptySeconds = 0;

  /**
   * `pipe`: use a named pipe when the platform has them (default); false: a file. `parsers`: the threads
   * writing a pipe (this one, and those given `feedPort(i)`). `format`: whose rows (CsvRows).
   */
  constructor(pipe = true, parsers = 1, format: string | null = null) {
    this.pending = new CsvRows(format);
    this.dir = mkdtempSync(join(tmpdir(), "deliverlens-staging-"));
    this.path = join(this.dir, "rows.csv");
    this.pipe = pipe && makeFifo(this.path);
    // A feeding thread pays only for two parsers: for one, its start cost more than it saved (a 20 MB
    // log: +0.05–0.2 CPU-s, +20 MB peak RSS), DuckDB reading such a file's rows in one or two buffers.
    if (this.pipe && parsers > 1) {
      this.feed = new PipeFeed(this.path, parsers);
      this.sender = new ChunkSender(this.feed.ports[0]);
    } else if (this.pipe) this.writer = new PipeWriter(this.path);
    else this.fd = openSync(this.path, "wx", 0o600);
  }

  /** The way to this pipe for parsing thread `parser` (from 1), to be posted to it (its port transferred). */
  feedPort(parser: number): FeedPort {
    if (!this.feed) throw new Error("a staging made for one parser is written by one thread");
    return this.feed.ports[parser];
  }

  /** Seconds the writers waited for DuckDB to open or read the pipe. */
  get waitedSeconds(): number {
    return this.waited + (this.sender?.waitedSeconds ?? 0) + (this.writer?.waitedSeconds ?? 0);
  }

  /** Adds seconds another thread's writer waited (shard-staging.ts). */
  addWaited(seconds: number): void {
    this.waited += seconds;
  }

  /** Rows added (not those written as bytes). */
  get rows(): number {
    return this.pending.rows;
  }

  /** Buffers a row; `drain` writes the buffered rows. */
  add(row: StagingRow): void {
    this.pending.add(row);
  }

  /** Whether enough rows wait in the buffer for `drain` to be worth awaiting. */
  get full(): boolean {
    return this.pending.full;
  }

  /** Writes the buffered rows (see `write`). */
  async drain(failed: ReaderFailure): Promise<void> {
    await this.write(this.pending.take(), failed);
  }

  /**
   * Writes whole rows' bytes: to a file at once; to a pipe's feeding thread, waiting only while the
   * chunks handed over before are not read yet, or to the pipe itself as DuckDB reads it; throws the
   * reader's failure (or the feeding thread's).
   */
  async write(bytes: Uint8Array, failed: ReaderFailure): Promise<void> {
    if (this.sender) await this.sender.send(bytes, this.stopped(failed));
    else if (this.writer) await this.writer.write(bytes, failed);
    else if (this.fd !== null) writeAll(this.fd, bytes);
  }

  /**
   * Ends the rows: the pipe closes (DuckDB's read ends there) after what every parser handed over —
   * without the buffered rows with `discard` (a failed parse: DuckDB must still see the end, its insert
   * is rolled back), at once if the reader failed. Once: later calls do nothing.
   */
  async end(failed: ReaderFailure, discard = false): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const rest = this.pending.take();
    try {
      if (!discard) await this.write(rest, failed);
      if (this.feed && this.sender) {
        this.sender.end();
        const waits = await this.feed.finish(failed);
        this.waited += waits.waitedSeconds;
        this.emptySeconds = waits.emptySeconds;
      }
      await this.writer?.end(failed, discard);
    } catch (error) {
      if (!discard) throw error;
      await this.feed?.stop();
    } finally {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
      this.endedAt = performance.now();
    }
  }

  /** Another thread wrote the rows to this file and closed it (shard-staging.ts): `end` does nothing more. */
  endedElsewhere(): void {
    this.ended = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.endedAt = performance.now();
  }

  /** Removes the directory and whatever is left in it (a pipe still fed is closed first). */
  close(): void {
    void this.feed?.stop();
    this.writer?.destroy();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The reader's failure, else the feeding thread's. */
  private stopped(failed: ReaderFailure): ReaderFailure {
    return () => failed() ?? this.feed?.failure() ?? null;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** Creates a named pipe at `path` (mkfifo(1): Node has no call for it); false where there is none. */
function makeFifo(path: string): boolean {
  if (process.platform === "win32") return false;
  const made = spawnSync("mkfifo", ["-m", "600", path], { stdio: "ignore" });
  return made.status === 0;
}
