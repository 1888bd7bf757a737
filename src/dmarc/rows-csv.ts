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
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index];
    messages += row.count;
    const counts = shares.length === 1 ? null : spreadCount(row.count, shares);
    let tail = -1;
    let tailEnd = -1;
    for (let d = 0; d < shares.length; d++) {
      const count = counts === null ? row.count : counts[d];
      if (count === 0 && counts !== null) continue;
      lines++;
      text(key, COMMA);
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
      if (tail < 0) {
        tail = at;
        recordTail(row);
        tailEnd = at;
      } else {
        // The same record on another day: the same columns after the count.
        const length = tailEnd - tail;
        room(length);
        out.copy(out, at, tail, tailEnd);
        at += length;
      }
    }
  }
  return { bytes: new Uint8Array(out.subarray(0, at)), lines, messages };
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
