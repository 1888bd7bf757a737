import { spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqlString } from "../../util/sql.ts";
import { STAGING_COLUMNS, type StagingRow } from "./staging.ts";

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
 * Every string is quoted (quotes doubled): text round-trips exactly, NUL and line breaks included; an
 * empty field is NULL and `""` the empty string. Times are epoch milliseconds (BIGINT), made TIMESTAMPs
 * in SQL.
 */

/** Bytes buffered before a write. */
const WRITE_AT = 1 << 20;
/** DuckDB's CSV reader refuses longer lines; a row holds at most a few fields of one 1 MB input line. */
const MAX_CSV_LINE = 16 * 1024 * 1024;
/** How long the writer sleeps when DuckDB has not opened the pipe yet. */
const PIPE_WAIT_MS = 1;
/** How often a write DuckDB does not take looks whether DuckDB failed. */
const FAILURE_POLL_MS = 20;

const COLUMNS_SQL = `{${STAGING_COLUMNS.map(
  ([name, type]) => `${sqlString(name)}: ${sqlString(type === "TIMESTAMP" ? "BIGINT" : type)}`,
).join(", ")}}`;
const TIMES = STAGING_COLUMNS.filter(([, type]) => type === "TIMESTAMP").map(([name]) => name);
const NAMES = STAGING_COLUMNS.map(([name]) => name);

/** SQL reading staged rows (files or pipes, read as one input) as staging-shaped rows. */
export function partSql(paths: string | readonly string[]): string {
  const replace = TIMES.map((name) => `make_timestamp(${name} * 1000) AS ${name}`).join(", ");
  const files = typeof paths === "string" ? sqlString(paths) : `[${paths.map(sqlString).join(", ")}]`;
  return `SELECT * REPLACE (${replace}) FROM read_csv(${files}, columns = ${COLUMNS_SQL},
    header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, auto_detect = false,
    strict_mode = true, max_line_size = ${MAX_CSV_LINE}, buffer_size = ${2 * MAX_CSV_LINE})`;
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
  /** Rows added. */
  rows = 0;

  add(row: StagingRow): void {
    // The row as one string written with one call: a write per field cost twice as much (3.4 vs 1.5 µs a
    // grep'd Postfix row), each a call into native code.
    let line = "";
    for (let i = 0; i < NAMES.length; i++) {
      const value = row[NAMES[i]];
      if (i > 0) line += ",";
      if (value === null || value === undefined) continue;
      if (typeof value === "string") line += `"${value.includes('"') ? value.replaceAll('"', '""') : value}"`;
      else line += value;
    }
    line += "\n";
    // At most 3 UTF-8 bytes per UTF-16 unit.
    if (this.length + 3 * line.length > this.buffer.length) this.grow(this.length, 3 * line.length);
    this.length += this.buffer.write(line, this.length);
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
 * Where DuckDB reads staged rows: a named pipe written while DuckDB reads it, or a file it reads once
 * complete. Rows are added here (`add`, `drain`), or written as bytes a CsvRows made (`write`).
 */
export class CsvStaging {
  private readonly dir: string;
  /** Where DuckDB reads the rows (partSql). */
  readonly path: string;
  /** A named pipe (read while written) rather than a file (read once written). */
  readonly pipe: boolean;
  private fd: number | null = null;
  private readonly writer: PipeWriter | null = null;
  private ended = false;
  private readonly pending = new CsvRows();
  /** When the rows ended (performance.now()). */
  endedAt = 0;
  /** Seconds a writer of this pipe (another thread's, shard-staging.ts) waited, besides this one's. */
  waitedElsewhere = 0;

  /** `pipe`: use a named pipe when the platform has them (default); false: a file. */
  constructor(pipe = true) {
    this.dir = mkdtempSync(join(tmpdir(), "deliverlens-staging-"));
    this.path = join(this.dir, "rows.csv");
    this.pipe = pipe && makeFifo(this.path);
    if (this.pipe) this.writer = new PipeWriter(this.path);
    else this.fd = openSync(this.path, "wx", 0o600);
  }

  /** Seconds the writers waited for DuckDB to open or read the pipe. */
  get waitedSeconds(): number {
    return (this.writer?.waitedSeconds ?? 0) + this.waitedElsewhere;
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
   * Writes whole rows' bytes: to a file at once; to a pipe as DuckDB reads it, waiting while it is full
   * (DuckDB reading behind) or not opened yet; throws the reader's failure.
   */
  async write(bytes: Uint8Array, failed: ReaderFailure): Promise<void> {
    if (this.writer) await this.writer.write(bytes, failed);
    else if (this.fd !== null) writeAll(this.fd, bytes);
  }

  /**
   * Ends the rows: the pipe's writer closes (DuckDB's read ends there) after the buffered rows, or at
   * once with `discard` (a failed parse: DuckDB must still see the end, its insert is rolled back).
   * Once: later calls do nothing.
   */
  async end(failed: ReaderFailure, discard = false): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const rest = this.pending.take();
    try {
      if (!discard) await this.write(rest, failed);
      await this.writer?.end(failed, discard);
    } catch (error) {
      if (!discard) throw error;
    } finally {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
      this.endedAt = performance.now();
    }
  }

  /** Another thread wrote the rows and closed its end (shard-staging.ts): `end` does nothing more. */
  endedElsewhere(): void {
    this.ended = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.endedAt = performance.now();
  }

  /** Removes the directory and whatever is left in it. */
  close(): void {
    this.writer?.destroy();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * The write end of a named pipe DuckDB reads, on any thread. Written through libuv (a net.Socket on the
 * descriptor), which writes as soon as DuckDB makes room: sleeping a millisecond whenever the pipe (64 kB)
 * was full left DuckDB and the parser both idle (600k staged rows into one insert: 5.5–6.1 s wall and
 * 2.6 CPU-s that way, 3.4–4.3 s and 2.1 CPU-s through libuv, load 8–9).
 */
export class PipeWriter {
  private readonly path: string;
  private socket: Socket | null = null;
  /** Seconds spent waiting for DuckDB to open or read the pipe. */
  waitedSeconds = 0;
  /** Called with the descriptor once the pipe is open. */
  onOpen: ((fd: number) => void) | null = null;

  constructor(path: string) {
    this.path = path;
  }

  /** Writes whole rows' bytes once DuckDB has read what came before; throws the reader's failure. */
  async write(bytes: Uint8Array, failed: ReaderFailure): Promise<void> {
    const socket = await this.open(failed);
    if (bytes.length === 0) return;
    const started = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        // DuckDB may fail without closing the pipe: then nothing would ever call back.
        const poll = setInterval(() => {
          const failure = failed();
          if (failure) {
            clearInterval(poll);
            reject(failure);
          }
        }, FAILURE_POLL_MS);
        socket.write(bytes, (error) => {
          clearInterval(poll);
          if (error) reject(failed() ?? error);
          else resolve();
        });
      });
    } catch (error) {
      this.destroy();
      throw error;
    } finally {
      this.waitedSeconds += (performance.now() - started) / 1000;
    }
  }

  /**
   * Closes the pipe after what was written (DuckDB's read ends there), or at once with `discard`; opens
   * it first if it never was, so that a reader waiting for it sees its end.
   */
  async end(failed: ReaderFailure, discard = false): Promise<void> {
    const socket = await this.open(failed);
    if (discard || socket.destroyed) {
      this.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.end();
    });
  }

  /** Closes the pipe at once (what was not written yet is dropped). */
  destroy(): void {
    this.socket?.destroy();
  }

  /** Opening a pipe's write end fails (ENXIO) until DuckDB has opened the read end: tried every ms. */
  private async open(failed: ReaderFailure): Promise<Socket> {
    while (this.socket === null) {
      let fd: number;
      try {
        fd = openSync(this.path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENXIO") throw error;
        const failure = failed();
        if (failure) throw failure;
        const started = performance.now();
        await new Promise((resolve) => setTimeout(resolve, PIPE_WAIT_MS));
        this.waitedSeconds += (performance.now() - started) / 1000;
        continue;
      }
      this.socket = new Socket({ fd, readable: false, writable: true });
      // Failures reach the writes' callbacks; the event would otherwise be an uncaught error.
      this.socket.on("error", () => {});
      this.onOpen?.(fd);
    }
    return this.socket;
  }
}

/** Creates a named pipe at `path` (mkfifo(1): Node has no call for it); false where there is none. */
function makeFifo(path: string): boolean {
  if (process.platform === "win32") return false;
  const made = spawnSync("mkfifo", ["-m", "600", path], { stdio: "ignore" });
  return made.status === 0;
}
