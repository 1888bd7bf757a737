import { type DayShare, spreadCount } from "./spread.ts";
import type { AggregateReport, AggregateRow } from "./types.ts";

/**
 * A report's stored rows — one per record per day of its range (src/dmarc/spread.ts), in dmarc_rows'
 * column order (AGGREGATE_ROW_COLUMNS, src/store/report-rows.ts) — written as UTF-8 CSV lines straight
 * into one buffer reused for every report of the thread: no row object, no line string, no encoder per
 * report (they were a third of a reader thread's work and most of its garbage, notes/dmarc.md). The
 * caller gets its own exact copy (it crosses threads).
 *
 * Every string is quoted (quotes doubled), so text round-trips exactly, line breaks included; an empty
 * field is NULL and `""` the empty string (the store reads it with allow_quoted_nulls = false).
 */

export interface RowsCsv {
  bytes: Uint8Array;
  lines: number;
  /** The messages the records count (before spreading: the sum is the same). */
  messages: number;
}

let out = Buffer.allocUnsafeSlow(1024 * 1024);
let at = 0;

function room(bytes: number): void {
  if (at + bytes <= out.length) return;
  let size = out.length * 2;
  while (size < at + bytes) size *= 2;
  const bigger = Buffer.allocUnsafeSlow(size);
  out.copy(bigger, 0, 0, at);
  out = bigger;
}

/** A whole number (never negative: counts, days, record numbers). */
function int(value: number): void {
  if (value < 10) {
    room(1);
    out[at++] = 0x30 + value;
    return;
  }
  const digits = String(value);
  room(digits.length);
  for (let i = 0; i < digits.length; i++) out[at++] = digits.charCodeAt(i);
}

/** A quoted string (quotes doubled), or nothing for null; then the separator. */
function text(value: string | null, separator: number): void {
  if (value !== null) {
    const n = value.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; a doubled quote one more.
    room(4 * n + 3);
    out[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) {
        const rest = value.slice(i);
        at += out.write(rest.includes('"') ? rest.replaceAll('"', '""') : rest, at, "utf8");
        break;
      }
      if (c === 0x22) out[at++] = 0x22;
      out[at++] = c;
    }
    out[at++] = 0x22;
  }
  room(1);
  out[at++] = separator;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** The CSV lines of a report's records spread over `shares` (its days), `key` its report_key. */
export function aggregateRowsCsv(key: string, report: AggregateReport, shares: readonly DayShare[]): RowsCsv {
  at = 0;
  let lines = 0;
  let messages = 0;
  const rows = report.rows;
  // Bytes written once and copied where they come again: the key, and a record's columns after the count
  // (the same on each of its days, and often the same as the record before's).
  let keyEnd = -1;
  let previous: AggregateRow | null = null;
  let tail = -1;
  let tailEnd = -1;
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index];
    messages += row.count;
    const counts = shares.length === 1 ? null : spreadCount(row.count, shares);
    const sameTail = previous !== null && sameColumns(row, previous);
    for (let d = 0; d < shares.length; d++) {
      const count = counts === null ? row.count : counts[d];
      if (count === 0 && counts !== null) continue;
      lines++;
      if (keyEnd < 0) {
        text(key, COMMA);
        keyEnd = at;
      } else again(0, keyEnd);
      int(index + 1);
      room(1);
      out[at++] = COMMA;
      int(shares[d].day);
      room(1);
      out[at++] = COMMA;
      text(row.sourceIp, COMMA);
      int(count);
      room(1);
      out[at++] = COMMA;
      if (previous === row || sameTail) again(tail, tailEnd);
      else {
        tail = at;
        recordTail(row);
        tailEnd = at;
        previous = row;
      }
    }
  }
  return { bytes: new Uint8Array(out.subarray(0, at)), lines, messages };
}

/** Bytes written before (from `start` to `end`), written again at the end. */
function again(start: number, end: number): void {
  const length = end - start;
  room(length);
  if (length < 64) for (let i = 0; i < length; i++) out[at + i] = out[start + i];
  else out.copy(out, at, start, end);
  at += length;
}

/** Whether two records have the same columns after the count (recordTail's). */
function sameColumns(a: AggregateRow, b: AggregateRow): boolean {
  if (
    a.disposition !== b.disposition ||
    a.dkim !== b.dkim ||
    a.spf !== b.spf ||
    a.reasonComment !== b.reasonComment ||
    a.headerFrom !== b.headerFrom ||
    a.envelopeFrom !== b.envelopeFrom ||
    a.envelopeTo !== b.envelopeTo ||
    a.reasons.length !== b.reasons.length ||
    a.dkimAuth.length !== b.dkimAuth.length ||
    a.spfAuth.length !== b.spfAuth.length
  )
    return false;
  for (let i = 0; i < a.reasons.length; i++) if (a.reasons[i] !== b.reasons[i]) return false;
  for (let i = 0; i < a.dkimAuth.length; i++) {
    const x = a.dkimAuth[i];
    const y = b.dkimAuth[i];
    if (x.domain !== y.domain || x.selector !== y.selector || x.result !== y.result) return false;
  }
  for (let i = 0; i < a.spfAuth.length; i++) {
    const x = a.spfAuth[i];
    const y = b.spfAuth[i];
    if (x.domain !== y.domain || x.scope !== y.scope || x.result !== y.result) return false;
  }
  return true;
}

/** The columns after `messages`: what the record says, the same on each of its days. */
function recordTail(row: AggregateRow): void {
  // The DKIM result shown first: an aligned pass if there is one, else the first signature.
  const aligned = row.dkimAuth.find(
    (d) => d.result === "pass" && d.domain !== null && aligns(d.domain, row.headerFrom),
  );
  const dkim = aligned ?? row.dkimAuth[0];
  const spf = row.spfAuth.find((s) => s.scope === null || s.scope === "mfrom") ?? row.spfAuth[0];
  text(row.disposition, COMMA);
  text(row.dkim, COMMA);
  text(row.spf, COMMA);
  text(row.reasons.length > 0 ? row.reasons.join(",") : null, COMMA);
  text(row.reasonComment, COMMA);
  text(row.headerFrom, COMMA);
  text(row.envelopeFrom, COMMA);
  text(row.envelopeTo, COMMA);
  text(dkim?.domain ?? null, COMMA);
  text(dkim?.selector ?? null, COMMA);
  text(dkim?.result ?? null, COMMA);
  text(
    row.dkimAuth.length > 1
      ? row.dkimAuth
          .map((d) => `${d.domain ?? ""}${d.selector ? `/${d.selector}` : ""}=${d.result}`)
          .join(" ")
      : null,
    COMMA,
  );
  text(spf?.domain ?? null, COMMA);
  text(spf?.scope ?? null, COMMA);
  text(spf?.result ?? null, NEWLINE);
}

/** Relaxed alignment by shared suffix (the organizational domain is not computed here: display only). */
function aligns(domain: string, headerFrom: string): boolean {
  return domain === headerFrom || headerFrom.endsWith(`.${domain}`) || domain.endsWith(`.${headerFrom}`);
}
