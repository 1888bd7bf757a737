import { sourceHint } from "../../bounce/classify-event.ts";
import { leadingReplyCodeOfBytes } from "../../bounce/reply.ts";
import { ReplyMask } from "../../bounce/reply-key.ts";
import { latin1 } from "../../events/byte-scan.ts";
import type { DeliveryEvent } from "../../events/event.ts";
import type { OutcomeSpans } from "../../events/source.ts";
import { isAsciiSpace, trimAscii } from "../../util/ascii.ts";
import { type CsvRows, plainCsv } from "./csv-staging.ts";
import {
  CLASSIFIED,
  masked,
  noTimeRow,
  ROW_COLUMNS,
  replyCodeOf,
  storedHostKey,
  timeOf,
  unsetColumns,
  unsetError,
} from "./staging.ts";

/**
 * The staging row of an outcome a parser read on a line's bytes (ParseContext.outcomes), written as CSV
 * bytes straight into the rows' buffer: the recipient and reply copied from the line's bytes (trimmed,
 * the recipient lower-cased, quotes doubled on the way), the other fields from the event without a row
 * object or a row string. Building the row as one string and encoding it cost ~1.5 µs of a grep'd
 * Postfix row's ~4.7 on its parsing thread; writing only the reply's bytes saved nothing, so the whole
 * row is written here. The bytes are what `CsvRows.add(stagingRow(…))` writes for the same event (a
 * parity test holds the two to it): the quoting rules are csv-staging.ts's (plainCsv): a field is written
 * as it is, and written again quoted from its start where a byte turns out to need quotes.
 *
 * The line is ASCII (what the byte path reads), so its bytes are its characters.
 */

/** The columns in the order `add` writes them: a change to ROW_COLUMNS must change `add` too. */
const WRITTEN = [
  "identity",
  "type",
  "time",
  "recipient",
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
  "problem",
  "raw",
  "hint",
  "reply_mask",
  "host_key",
  "queue_id",
];
if (WRITTEN.join() !== ROW_COLUMNS.map(([name]) => name).join()) {
  throw new Error("outcome-csv.ts writes a row's columns in another order than ROW_COLUMNS");
}

/** WRITTEN's indexes of the columns a format may leave out (UnsetColumn). */
const IDENTITY = WRITTEN.indexOf("identity");
const CAMPAIGN = WRITTEN.indexOf("campaign");
const STREAM = WRITTEN.indexOf("stream");
const SOURCE_LABEL = WRITTEN.indexOf("source_label");
const MACHINE_OPEN = WRITTEN.indexOf("machine_open");
const READER_IP = WRITTEN.indexOf("reader_ip");
const USER_AGENT = WRITTEN.indexOf("user_agent");
const URL = WRITTEN.indexOf("url");

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const DIGIT_0 = 0x30;

export class OutcomeCsv {
  private readonly format: string;
  /** Whether the rows of the format leave each column out (unsetColumns), by WRITTEN's index. */
  private readonly unset: readonly boolean[];
  /** The last time's text and its digits (consecutive lines mostly share their second). */
  private lastTime: string | null = null;
  private timeDigits = "";
  private lastDomain: string | null = null;
  private lastDomainLower: string | null = null;
  private readonly mask = new ReplyMask();
  /** The KeptRow of the last row whose line had no shape. */
  private unshaped: KeptRow | null = null;

  constructor(format: string) {
    this.format = format;
    const unset: readonly string[] = unsetColumns(format);
    this.unset = WRITTEN.map((name) => unset.includes(name));
  }

  /** Adds the staging row of `event`, whose recipient (and reply, where the event's is null) lie in `spans`. */
  add(rows: CsvRows, event: DeliveryEvent, spans: OutcomeSpans): void {
    // The parser gives consecutive lines of one second the same time string: compared by reference.
    if (event.time !== this.lastTime) {
      this.lastTime = event.time;
      const timeMs = timeOf(event.time);
      this.timeDigits = Number.isFinite(timeMs) ? String(timeMs) : "";
    }
    const bytes = spans.bytes;
    if (this.timeDigits === "") {
      // The recipient may be left on the bytes (OutcomeSpans).
      const recipient = event.recipient ?? (latin1(bytes, spans.recipientStart, spans.recipientEnd) || null);
      rows.add(noTimeRow({ ...event, recipient }));
      return;
    }
    let rcptStart = spans.recipientStart;
    let rcptEnd = spans.recipientEnd;
    while (rcptStart < rcptEnd && isAsciiSpace(bytes[rcptStart])) rcptStart++;
    while (rcptEnd > rcptStart && isAsciiSpace(bytes[rcptEnd - 1])) rcptEnd--;
    // The reply: the event's text where the parser decoded it, else the line's bytes.
    const text = event.reply === null ? null : trimAscii(event.reply) || null;
    let replyStart = -1;
    let replyEnd = -1;
    if (event.reply === null && spans.replyStart >= 0) {
      replyStart = spans.replyStart;
      replyEnd = spans.replyEnd;
      while (replyStart < replyEnd && isAsciiSpace(bytes[replyStart])) replyStart++;
      while (replyEnd > replyStart && isAsciiSpace(bytes[replyEnd - 1])) replyEnd--;
      if (replyStart === replyEnd) replyStart = replyEnd = -1;
    }
    const replyCode =
      event.replyCode ??
      (text !== null
        ? replyCodeOf(text)
        : replyStart >= 0
          ? leadingReplyCodeOfBytes(bytes, replyStart, replyEnd)
          : null);
    // What the row takes from the event's type and remote MTA alone, kept on the line's shape (the same for
    // every outcome of it: OutcomeShape) and checked: the host key's memo is a Map of every relay a log names,
    // mostly out of the CPU's caches in a wide log (~2 % of a 400-domain log's ingest CPU).
    // A line of no shape: the last such row's.
    const shape = spans.shape;
    const held = shape === null ? this.unshaped : shape.kept;
    let kept: KeptRow;
    if (held instanceof KeptRow && held.type === event.type && held.remoteMta === event.remoteMta)
      kept = held;
    else {
      kept = new KeptRow(event.type, event.remoteMta);
      if (shape === null) this.unshaped = kept;
      else shape.kept = kept;
    }
    const classified = kept.classified;
    // The masked reply of a failure: from the text, or (below) written from the bytes.
    const mask = classified && text !== null ? masked(text) : null;
    const maskBytes = classified && replyStart >= 0;
    const sendingDomain = this.lowerDomain(event.sendingDomain);
    // The hint only for a type whose reply the store classifies (stagingRow).
    const hint = classified ? sourceHint(event) : null;
    const hostKey = kept.hostKey;
    const identity = event.eventId ? `${this.format}:${event.eventId}` : null;
    // Room: every string's characters at most 3 bytes (UTF-8) or 2 (a doubled quote), the numbers and
    // separators well within the 128.
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
          textLength(hint) +
          textLength(mask) +
          textLength(hostKey) +
          textLength(event.queueId ?? null)) +
      2 * (rcptEnd - rcptStart + spans.queueIdEnd - spans.queueIdStart) +
      // The reply, and its mask (a replacement may be one longer than its token: `1:02:03` → `00:00:00`).
      (maskBytes ? 6 : 2) * (replyEnd - replyStart) +
      this.timeDigits.length +
      128;
    const out = rows.reserve(room);
    let at = rows.end;
    at = this.field(out, at, IDENTITY, identity);
    at = field(out, at, event.type);
    at = writeAscii(out, at, this.timeDigits);
    out[at++] = COMMA;
    if (rcptStart < rcptEnd) at = csvBytes(out, at, bytes, rcptStart, rcptEnd, true);
    out[at++] = COMMA;
    at = this.field(out, at, CAMPAIGN, event.campaign);
    at = field(out, at, event.sendingIp);
    at = field(out, at, event.pool);
    at = field(out, at, sendingDomain);
    at = this.field(out, at, STREAM, event.stream);
    at = field(out, at, event.remoteMta);
    at = field(out, at, event.messageId);
    at = replyStart >= 0 ? csvBytes(out, at, bytes, replyStart, replyEnd, false) : writeText(out, at, text);
    out[at++] = COMMA;
    if (replyCode !== null) at = writeInteger(out, at, replyCode);
    out[at++] = COMMA;
    at = field(out, at, event.status);
    at = this.field(out, at, SOURCE_LABEL, event.sourceLabel);
    const machineOpen = event.type === "open" ? event.machineOpen : null;
    if (this.unset[MACHINE_OPEN]) {
      if (machineOpen !== null) throw unsetError(WRITTEN[MACHINE_OPEN]);
    } else {
      if (machineOpen !== null) at = writeAscii(out, at, String(machineOpen));
      out[at++] = COMMA;
    }
    at = this.field(out, at, READER_IP, event.readerIp);
    at = this.field(out, at, USER_AGENT, event.userAgent);
    at = this.field(out, at, URL, event.url);
    if (event.source.line !== null) at = writeInteger(out, at, event.source.line);
    // Problem and raw: an event's row has neither.
    out[at++] = COMMA;
    out[at++] = COMMA;
    out[at++] = COMMA;
    at = field(out, at, hint);
    at = maskBytes ? this.maskedBytes(out, at, bytes, replyStart, replyEnd) : writeText(out, at, mask);
    out[at++] = COMMA;
    at = writeText(out, at, hostKey);
    out[at++] = COMMA;
    // The log's id of the message: the event's, else the line's bytes (OutcomeSpans).
    if (event.queueId != null) at = writeText(out, at, event.queueId);
    else if (spans.queueIdStart < spans.queueIdEnd)
      at = csvBytes(out, at, bytes, spans.queueIdStart, spans.queueIdEnd, false);
    out[at++] = NEWLINE;
    rows.wrote(at);
  }

  /** A field of the column at WRITTEN's `column`: written (field), or left out where the format's rows leave it out. */
  private field(out: Buffer, at: number, column: number, text: string | null): number {
    if (!this.unset[column]) return field(out, at, text);
    if (text !== null) throw unsetError(WRITTEN[column]);
    return at;
  }

  /**
   * The reply bytes [from, to) masked (ReplyMask.masked of their text) as a field (plainCsv: as they are,
   * else quoted); where they end. A mask's replacements need no quotes.
   */
  private maskedBytes(out: Buffer, at: number, bytes: Buffer, from: number, to: number): number {
    const mask = this.mask;
    const count = mask.scanBytes(bytes, from, to);
    // Not empty (the reply is trimmed and not blank): quoted only for a byte that needs it.
    let quoted = false;
    for (let i = from; i < to && !quoted; i++) quoted = needsQuotes(bytes[i]);
    if (quoted) out[at++] = QUOTE;
    let copied = from;
    for (let t = 0; t <= count; t++) {
      const start = t < count ? from + mask.start(t) : to;
      for (let i = copied; i < start; i++) {
        const c = bytes[i];
        if (quoted && c === QUOTE) out[at++] = QUOTE;
        out[at++] = c;
      }
      if (t === count) break;
      at = writeAscii(out, at, mask.replacement(t));
      copied = from + mask.end(t);
    }
    if (quoted) out[at++] = QUOTE;
    return at;
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

/** What OutcomeCsv.add writes for an event's type and remote MTA (a sink's OutcomeShape.kept). */
class KeptRow {
  readonly type: string;
  readonly remoteMta: string | null;
  /** Whether the store classifies the type (CLASSIFIED). */
  readonly classified: boolean;
  /** The stored host key (storedHostKey): for a failure, or any row naming a remote MTA. */
  readonly hostKey: string | null;

  constructor(type: string, remoteMta: string | null) {
    this.type = type;
    this.remoteMta = remoteMta;
    this.classified = CLASSIFIED.has(type);
    this.hostKey = this.classified || remoteMta ? storedHostKey(remoteMta) : null;
  }
}

/** Whether a byte makes its field quoted (csv-staging.ts plainCsv). */
function needsQuotes(c: number): boolean {
  return c === QUOTE || c === COMMA || c === NEWLINE || c === CR;
}

/**
 * The ASCII bytes [from, to) (not empty) as a field: as they are, else (a byte needing quotes) quoted;
 * `lower`: lower-cased; where they end.
 */
function csvBytes(out: Buffer, at: number, bytes: Buffer, from: number, to: number, lower: boolean): number {
  const start = at;
  for (let i = from; i < to; i++) {
    let c = bytes[i];
    if (needsQuotes(c)) return quotedBytes(out, start, bytes, from, to, lower);
    if (lower && c >= 0x41 && c <= 0x5a) c += 0x20;
    out[at++] = c;
  }
  return at;
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

/**
 * A string field at `at` (NULL: nothing): as it is, else (empty, or a character needing quotes: plainCsv)
 * quoted, quotes doubled; where it ends.
 */
function writeText(out: Buffer, at: number, text: string | null): number {
  if (text === null) return at;
  if (text.length === 0) return writeEncoded(out, at, text);
  const start = at;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || needsQuotes(c)) return writeEncoded(out, start, text);
    out[at++] = c;
  }
  return at;
}

/** writeText of a text with characters beyond ASCII or needing quotes: UTF-8. */
function writeEncoded(out: Buffer, at: number, text: string): number {
  if (plainCsv(text)) return at + out.write(text, at);
  out[at++] = QUOTE;
  at += out.write(text.includes('"') ? text.replaceAll('"', '""') : text, at);
  out[at++] = QUOTE;
  return at;
}

/** A number as `String` gives it, its digits written without the string where it is a whole number ≥ 0. */
function writeInteger(out: Buffer, at: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) return writeAscii(out, at, String(n));
  let end = at + 1;
  for (let k = n; k >= 10; k = Math.floor(k / 10)) end++;
  for (let i = end - 1, k = n; i >= at; i--, k = Math.floor(k / 10)) out[i] = DIGIT_0 + (k % 10);
  return end;
}

/** An ASCII text (digits) at `at`, unquoted. */
function writeAscii(out: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}
