import { spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqlString } from "../../store/index.ts";
import { STAGING_COLUMNS, type StagingRow } from "./staging.ts";

/**
 * Staging rows of the JS parsers, written as CSV into a private temporary directory and read back by
 * DuckDB's CSV reader (`partSql`). Handing rows to DuckDB one value at a time (its appender: one native
 * call per value, NULLs included, or data chunks whose strings still cost one call each) took longer
 * than parsing the log; a CSV line is one JavaScript string per row.
 *
 * A file's rows go to DuckDB in ONE insert statement: inserting it in parts, one statement each, made
 * DuckDB write the rows again at commit and at the checkpoint (2M grep'd Postfix lines: 17.6 CPU-s in
 * 8 statements, 11.0 in one). Where named pipes exist, the CSV goes through one
 * (`pipe`): DuckDB's insert reads it while the parsers write, one on each core, and nothing is stored
 * twice; elsewhere it goes to a file that DuckDB reads once it is complete.
 *
 * Every string is quoted (quotes doubled): text round-trips exactly, NUL and line breaks included; an
 * empty field is NULL and `""` the empty string. Times are epoch milliseconds (BIGINT), made TIMESTAMPs
 * in SQL.
 */

/** Bytes buffered before a write. */
const WRITE_AT = 1 << 20;
/** DuckDB's CSV reader refuses longer lines; a row holds at most a few fields of one 1 MB input line. */
const MAX_CSV_LINE = 16 * 1024 * 1024;
/** How long the writer sleeps when the pipe is full (DuckDB reading behind) or not yet opened. */
const PIPE_WAIT_MS = 1;

const COLUMNS_SQL = `{${STAGING_COLUMNS.map(
  ([name, type]) => `${sqlString(name)}: ${sqlString(type === "TIMESTAMP" ? "BIGINT" : type)}`,
).join(", ")}}`;
const TIMES = STAGING_COLUMNS.filter(([, type]) => type === "TIMESTAMP").map(([name]) => name);
const NAMES = STAGING_COLUMNS.map(([name]) => name);
const COMMA = 44;
const QUOTE = 34;
const LF = 10;
/** Room for a separator and a number or boolean field (String(value) of a BIGINT-sized number). */
const FIELD_ROOM = 32;

/** SQL reading staged rows (a file or a pipe) as staging-shaped rows. */
export function partSql(path: string): string {
  const replace = TIMES.map((name) => `make_timestamp(${name} * 1000) AS ${name}`).join(", ");
  return `SELECT * REPLACE (${replace}) FROM read_csv(${sqlString(path)}, columns = ${COLUMNS_SQL},
    header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, auto_detect = false,
    strict_mode = true, max_line_size = ${MAX_CSV_LINE}, buffer_size = ${2 * MAX_CSV_LINE})`;
}

/** Whether the reader of a pipe failed: its error (the writer stops and throws it), else null. */
export type ReaderFailure = () => unknown;

export class CsvStaging {
  private readonly dir: string;
  /** Where DuckDB reads the rows (partSql). */
  readonly path: string;
  /** A named pipe (read while written) rather than a file (read once written). */
  readonly pipe: boolean;
  private fd: number | null = null;
  private buffer = Buffer.allocUnsafe(2 * WRITE_AT);
  private length = 0;
  /** Rows added. */
  rows = 0;
  /** Seconds the writer waited for DuckDB to read the pipe. */
  waitedSeconds = 0;

  /** `pipe`: use a named pipe when the platform has them (default); false: a file. */
  constructor(pipe = true) {
    this.dir = mkdtempSync(join(tmpdir(), "deliverlens-staging-"));
    this.path = join(this.dir, "rows.csv");
    this.pipe = pipe && makeFifo(this.path);
    if (!this.pipe) this.fd = openSync(this.path, "wx", 0o600);
  }

  add(row: StagingRow): void {
    // Field by field into the buffer (no row string to build and flatten); a row may span two writes.
    let at = this.length;
    for (let i = 0; i < NAMES.length; i++) {
      const value = row[NAMES[i]];
      if (at + FIELD_ROOM > this.buffer.length) at = this.flush(at, FIELD_ROOM);
      if (i > 0) this.buffer[at++] = COMMA;
      if (value === null || value === undefined) continue;
      if (typeof value === "string") {
        const text = value.includes('"') ? value.replaceAll('"', '""') : value;
        // At most 3 UTF-8 bytes per UTF-16 unit, and the two quotes.
        const room = 3 * text.length + 2;
        if (at + room > this.buffer.length) at = this.flush(at, room);
        const buffer = this.buffer;
        buffer[at++] = QUOTE;
        at += buffer.write(text, at, "utf8");
        buffer[at++] = QUOTE;
      } else at += this.buffer.write(String(value), at, "latin1");
    }
    if (at + 1 > this.buffer.length) at = this.flush(at, 1);
    this.buffer[at++] = LF;
    this.length = at;
    if (!this.pipe && this.length >= WRITE_AT) this.writeFile();
    this.rows++;
  }

  /** Whether enough rows wait in the buffer for `drain` to be worth awaiting. */
  get full(): boolean {
    return this.length >= WRITE_AT;
  }

  /**
   * A pipe: writes the buffered rows, waiting while DuckDB reads behind (or has not opened the pipe yet);
   * throws the reader's failure. A file: nothing to do (add writes).
   */
  async drain(failed: ReaderFailure): Promise<void> {
    if (!this.pipe) return;
    const fd = await this.openPipe(failed);
    let at = 0;
    while (at < this.length) {
      try {
        at += writeSync(fd, this.buffer, at, this.length - at);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw failed() ?? error;
        await this.wait(failed);
      }
    }
    this.length = 0;
  }

  /**
   * Ends the rows: the pipe's writer closes (DuckDB's read ends there) after the buffered rows, or at
   * once with `discard` (a failed parse: DuckDB must still see the end, its insert is rolled back).
   */
  async end(failed: ReaderFailure, discard = false): Promise<void> {
    if (discard) this.length = 0;
    if (this.pipe) {
      try {
        // Opens the pipe if need be, so that a reader waiting for it sees its end.
        await this.drain(failed);
      } catch (error) {
        if (!discard) throw error;
      }
    } else this.writeFile();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Removes the directory and whatever is left in it. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Makes room: a file writes out the first `at` bytes (0 is returned); a pipe's buffer grows (at). */
  private flush(at: number, room: number): number {
    if (this.pipe) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, at + room));
      this.buffer.copy(grown, 0, 0, at);
      this.buffer = grown;
      return at;
    }
    this.length = at;
    this.writeFile();
    if (room > this.buffer.length) this.buffer = Buffer.allocUnsafe(room);
    return 0;
  }

  private writeFile(): void {
    if (this.length === 0 || this.fd === null) return;
    let at = 0;
    while (at < this.length) at += writeSync(this.fd, this.buffer, at, this.length - at);
    this.length = 0;
  }

  /**
   * The pipe's write end, non-blocking (a full pipe must not block the event loop DuckDB's results come
   * back on). Opening it fails (ENXIO) until DuckDB has opened the read end.
   */
  private async openPipe(failed: ReaderFailure): Promise<number> {
    while (this.fd === null) {
      try {
        this.fd = openSync(this.path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENXIO") throw error;
        await this.wait(failed);
      }
    }
    return this.fd;
  }

  private async wait(failed: ReaderFailure): Promise<void> {
    const failure = failed();
    if (failure) throw failure;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, PIPE_WAIT_MS));
    this.waitedSeconds += (performance.now() - started) / 1000;
  }
}

/** Creates a named pipe at `path` (mkfifo(1): Node has no call for it); false where there is none. */
function makeFifo(path: string): boolean {
  if (process.platform === "win32") return false;
  const made = spawnSync("mkfifo", ["-m", "600", path], { stdio: "ignore" });
  return made.status === 0;
}
