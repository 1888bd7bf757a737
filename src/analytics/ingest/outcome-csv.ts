import { latin1 } from "../../events/byte-scan.ts";
import type { DeliveryEvent } from "../../events/event.ts";
import type { OutcomeSpans } from "../../events/source.ts";
import type { CsvRows } from "./csv-staging.ts";
import { CLASSIFIED, masked, noTimeRow, replyCodeOf, STAGING_COLUMNS, timeOf } from "./staging.ts";

/**
 * The staging row of an outcome a parser read on a line's bytes (ParseContext.outcomes), written as CSV
 * bytes straight into the rows' buffer: the recipient and reply copied from the line's bytes (trimmed,
 * the recipient lower-cased, quotes doubled on the way), the other fields from the event without a row
 * object or a row string. Building the row as one string and encoding it cost ~1.5 µs of a grep'd
 * Postfix row's ~4.7 on its parsing thread; writing only the reply's bytes saved nothing, so the whole
 * row is written here. The bytes are what `CsvRows.add(stagingRow(…))` writes for the same event (a
 * parity test holds the two to it): the quoting rules are csv-staging.ts's.
 *
 * The line is ASCII (what the byte path reads), so its bytes are its characters.
 */

/** The columns in the order `add` writes them: a change to STAGING_COLUMNS must change `add` too. */
const WRITTEN = [
  "identity",
  "type",
  "time",
  "recipient",
  "recipient_domain",
  "campaign",
  "sending_ip",
  "pool",
  "sending_domain",
  "stream",
  "remote_mta",
  "message_id",
  "reply",
  "reply_code",
  "status",
  "source_label",
  "machine_open",
  "reader_ip",
  "user_agent",
  "url",
  "line",
  "skip",
  "problem",
  "raw",
  "hint",
  "reply_mask",
];
if (WRITTEN.join() !== STAGING_COLUMNS.map(([name]) => name).join()) {
  throw new Error("outcome-csv.ts writes the staging columns in another order than STAGING_COLUMNS");
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const AT = 0x40;
const DASH = 0x2d;
const NEWLINE = 0x0a;
const DIGIT_0 = 0x30;
/** `,false,,,` — skip, problem and raw of an event's row, with the commas around them. */
const SKIP_TO_HINT = Buffer.from(",false,,,", "latin1");

/** JavaScript's `trim` on ASCII: tab, line feed, vertical tab, form feed, carriage return, space. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

export class OutcomeCsv {
  private readonly format: string;
  /** The last time's text and its digits (consecutive lines mostly share their second). */
  private lastTime: string | null = null;
  private timeDigits = "";
  private lastDomain: string | null = null;
  private lastDomainLower: string | null = null;

  constructor(format: string) {
    this.format = format;
  }

  /** Adds the staging row of `event`, whose recipient (and reply, where the event's is null) lie in `spans`. */
  add(rows: CsvRows, event: DeliveryEvent, spans: OutcomeSpans): void {
    const timeMs = timeOf(event.time);
    if (!Number.isFinite(timeMs)) {
      rows.add(noTimeRow(event));
      return;
    }
    if (event.time !== this.lastTime) {
      this.lastTime = event.time;
      this.timeDigits = String(timeMs);
    }
    const bytes = spans.bytes;
    let rcptStart = spans.recipientStart;
    let rcptEnd = spans.recipientEnd;
    while (rcptStart < rcptEnd && isSpace(bytes[rcptStart])) rcptStart++;
    while (rcptEnd > rcptStart && isSpace(bytes[rcptEnd - 1])) rcptEnd--;
    // The reply: the event's text where the parser decoded it, else the line's bytes.
    const text = event.reply === null ? null : event.reply.trim() || null;
    let replyStart = -1;
    let replyEnd = -1;
    if (event.reply === null && spans.replyStart >= 0) {
      replyStart = spans.replyStart;
      replyEnd = spans.replyEnd;
      while (replyStart < replyEnd && isSpace(bytes[replyStart])) replyStart++;
      while (replyEnd > replyStart && isSpace(bytes[replyEnd - 1])) replyEnd--;
      if (replyStart === replyEnd) replyStart = replyEnd = -1;
    }
    const replyCode =
      event.replyCode ??
      (text !== null
        ? replyCodeOf(text)
        : replyStart >= 0
          ? replyCodeOfBytes(bytes, replyStart, replyEnd)
          : null);
    const mask =
      CLASSIFIED.has(event.type) && (text !== null || replyStart >= 0)
        ? masked(text ?? latin1(bytes, replyStart, replyEnd))
        : null;
    const sendingDomain = this.lowerDomain(event.sendingDomain);
    const identity = event.eventId ? `${this.format}:${event.eventId}` : null;
    // Room: every string's characters at most 3 bytes (UTF-8) or 2 (a doubled quote), the line's twice
    // (the recipient also gives its domain), the numbers and separators well within the 128.
    const room =
      3 *
        (textLength(identity) +
          event.type.length +
          textLength(event.campaign) +
          textLength(event.sendingIp) +
          textLength(event.pool) +
          textLength(sendingDomain) +
          textLength(event.stream) +
          textLength(event.remoteMta) +
          textLength(event.messageId) +
          textLength(text) +
          textLength(event.status) +
          textLength(event.sourceLabel) +
          textLength(event.readerIp) +
          textLength(event.userAgent) +
          textLength(event.url) +
          textLength(event.reasonHint ?? null) +
          textLength(mask)) +
      4 * (rcptEnd - rcptStart) +
      2 * (replyEnd - replyStart) +
      this.timeDigits.length +
      128;
    const out = rows.reserve(room);
    let at = rows.end;
    at = field(out, at, identity);
    at = field(out, at, event.type);
    at = writeAscii(out, at, this.timeDigits);
    out[at++] = COMMA;
    if (rcptStart < rcptEnd) {
      // The recipient, lower-cased, then its domain: what follows its last `@` (none: NULL).
      let domain = rcptEnd;
      while (domain > rcptStart && bytes[domain - 1] !== AT) domain--;
      at = quotedBytes(out, at, bytes, rcptStart, rcptEnd, true);
      out[at++] = COMMA;
      if (domain > rcptStart) at = quotedBytes(out, at, bytes, domain, rcptEnd, true);
    } else out[at++] = COMMA;
    out[at++] = COMMA;
    at = field(out, at, event.campaign);
    at = field(out, at, event.sendingIp);
    at = field(out, at, event.pool);
    at = field(out, at, sendingDomain);
    at = field(out, at, event.stream);
    at = field(out, at, event.remoteMta);
    at = field(out, at, event.messageId);
    at =
      replyStart >= 0 ? quotedBytes(out, at, bytes, replyStart, replyEnd, false) : writeText(out, at, text);
    out[at++] = COMMA;
    if (replyCode !== null) at = writeAscii(out, at, String(replyCode));
    out[at++] = COMMA;
    at = field(out, at, event.status);
    at = field(out, at, event.sourceLabel);
    if (event.type === "open" && event.machineOpen !== null)
      at = writeAscii(out, at, String(event.machineOpen));
    out[at++] = COMMA;
    at = field(out, at, event.readerIp);
    at = field(out, at, event.userAgent);
    at = field(out, at, event.url);
    if (event.source.line !== null) at = writeAscii(out, at, String(event.source.line));
    out.set(SKIP_TO_HINT, at);
    at += SKIP_TO_HINT.length;
    at = field(out, at, event.reasonHint ?? null);
    at = writeText(out, at, mask);
    out[at++] = NEWLINE;
    rows.wrote(at);
  }

  /** The sending domain lower-cased, as stagingRow stores it (a message's lines repeat it: once). */
  private lowerDomain(domain: string | null): string | null {
    if (domain !== this.lastDomain) {
      this.lastDomain = domain;
      this.lastDomainLower = domain?.toLowerCase() ?? null;
    }
    return this.lastDomainLower;
  }
}

/** The ASCII bytes [from, to) quoted (quotes doubled), `lower`: lower-cased; where they end. */
function quotedBytes(
  out: Buffer,
  at: number,
  bytes: Buffer,
  from: number,
  to: number,
  lower: boolean,
): number {
  out[at++] = QUOTE;
  for (let i = from; i < to; i++) {
    let c = bytes[i];
    if (c === QUOTE) out[at++] = QUOTE;
    else if (lower && c >= 0x41 && c <= 0x5a) c += 0x20;
    out[at++] = c;
  }
  out[at++] = QUOTE;
  return at;
}

/** writeText, then the comma that ends the field. */
function field(out: Buffer, at: number, text: string | null): number {
  const end = writeText(out, at, text);
  out[end] = COMMA;
  return end + 1;
}

function textLength(text: string | null): number {
  return text === null ? 0 : text.length + 2;
}

/** A string field quoted (quotes doubled; NULL: nothing) at `at`; where it ends. */
function writeText(out: Buffer, at: number, text: string | null): number {
  if (text === null) return at;
  const start = at;
  out[at++] = QUOTE;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return writeEncoded(out, start, text);
    if (c === QUOTE) out[at++] = QUOTE;
    out[at++] = c;
  }
  out[at++] = QUOTE;
  return at;
}

/** writeText of a text with characters beyond ASCII: UTF-8. */
function writeEncoded(out: Buffer, at: number, text: string): number {
  out[at++] = QUOTE;
  at += out.write(text.includes('"') ? text.replaceAll('"', '""') : text, at);
  out[at++] = QUOTE;
  return at;
}

/** An ASCII text (digits) at `at`, unquoted. */
function writeAscii(out: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** replyCodeOf (staging.ts) on an ASCII text's bytes [from, to): a 2xx–5xx code, then the end, a space or a dash. */
function replyCodeOfBytes(bytes: Buffer, from: number, to: number): number | null {
  if (to - from < 3) return null;
  const a = bytes[from] - DIGIT_0;
  const b = bytes[from + 1] - DIGIT_0;
  const c = bytes[from + 2] - DIGIT_0;
  if (a < 2 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return null;
  if (to - from > 3 && bytes[from + 3] !== DASH && !isSpace(bytes[from + 3])) return null;
  return 100 * a + 10 * b + c;
}
