import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqlString } from "../../store/index.ts";
import { STAGING_COLUMNS, type StagingRow } from "./staging.ts";

/**
 * Staging rows of the JS parsers, written as CSV parts into a private temporary directory and read back
 * by DuckDB's parallel CSV reader (`partSql`). Handing rows to DuckDB one value at a time (its appender:
 * one native call per value, NULLs included, or data chunks whose strings still cost one call each) took
 * longer than parsing the log; a CSV line is one JavaScript string per row. Parts are bounded
 * (PART_ROWS), so the caller can have DuckDB insert one part while the next is parsed, on the other core.
 *
 * Every string is quoted (quotes doubled): text round-trips exactly, NUL and line breaks included; an
 * empty field is NULL and `""` the empty string. Times are epoch milliseconds (BIGINT), made TIMESTAMPs
 * in SQL.
 */

/** Rows per part: about 60 MB of CSV for a log line's row, and a few seconds of DuckDB work. */
export const PART_ROWS = 1 << 18;
/** Bytes buffered before a write to the part's file. */
const WRITE_AT = 1 << 20;
/** DuckDB's CSV reader refuses longer lines; a row holds at most a few fields of one 1 MB input line. */
const MAX_CSV_LINE = 16 * 1024 * 1024;

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

/** SQL reading one part as staging-shaped rows. */
export function partSql(path: string): string {
  const replace = TIMES.map((name) => `make_timestamp(${name} * 1000) AS ${name}`).join(", ");
  return `SELECT * REPLACE (${replace}) FROM read_csv(${sqlString(path)}, columns = ${COLUMNS_SQL},
    header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, auto_detect = false,
    strict_mode = true, max_line_size = ${MAX_CSV_LINE}, buffer_size = ${2 * MAX_CSV_LINE})`;
}

export class CsvStaging {
  private readonly dir: string;
  private parts = 0;
  private fd: number | null = null;
  private path = "";
  private buffer = Buffer.allocUnsafe(2 * WRITE_AT);
  private length = 0;
  /** Rows in the current part. */
  rows = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "deliverlens-staging-"));
  }

  add(row: StagingRow): void {
    if (this.fd === null) {
      this.path = join(this.dir, `part-${++this.parts}.csv`);
      this.fd = openSync(this.path, "wx", 0o600);
    }
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
    if (this.length >= WRITE_AT) this.write();
    this.rows++;
  }

  /** Writes out the first `at` bytes, making room for `room` more (growing the buffer if need be); 0. */
  private flush(at: number, room: number): number {
    this.length = at;
    this.write();
    if (room > this.buffer.length) this.buffer = Buffer.allocUnsafe(room);
    return 0;
  }

  /** Ends the current part: its path (for partSql), or null when it has no rows. */
  endPart(): string | null {
    if (this.fd === null) return null;
    this.write();
    closeSync(this.fd);
    this.fd = null;
    this.rows = 0;
    return this.path;
  }

  /** Deletes a part DuckDB has read. */
  drop(path: string): void {
    rmSync(path, { force: true });
  }

  /** Removes the directory and whatever is left in it. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private write(): void {
    if (this.length === 0 || this.fd === null) return;
    let at = 0;
    while (at < this.length) at += writeSync(this.fd, this.buffer, at, this.length - at);
    this.length = 0;
  }
}
