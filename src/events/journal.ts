import { StringDecoder } from "node:string_decoder";

/**
 * systemd journal exports (`journalctl -o json`, `-o json-seq`, `-o json-pretty`): one JSON object per entry,
 * the program's text in `MESSAGE` without the syslog stamp and tag (systemd.journal-fields(7)). Read as a
 * decoding layer, like gzip: each entry becomes the syslog line rsyslog would have written for it —
 * `2026-03-02T00:00:02.381705+00:00 HOST IDENT[PID]: MESSAGE` (RFC 3339 stamp from `__REALTIME_TIMESTAMP`,
 * microseconds since the epoch, UTC) — so every log reader (Postfix, Exim) reads it as it reads a log file.
 * https://www.freedesktop.org/software/systemd/man/latest/journalctl.html#json
 */

/** Bytes looked at to tell a journal export: its first entry's first key. */
export const JOURNAL_HEAD_BYTES = 64;

/**
 * journalctl writes `__CURSOR` first, then `__REALTIME_TIMESTAMP` (both always, whatever --output-fields says);
 * json-seq puts an RS (0x1E) before each entry; older versions write `{ "__CURSOR" : …`.
 */
const JOURNAL_HEAD = /^\x1e?\s*\{\s*"__(?:CURSOR|REALTIME_TIMESTAMP)"\s*:/;

export function isJournalHead(bytes: Uint8Array): boolean {
  // Every input is asked (a folder of bounce emails, each file): most answer at their first byte.
  const first = bytes[0];
  if (
    first !== 0x7b &&
    first !== 0x1e &&
    first !== 0x20 &&
    first !== 0x0a &&
    first !== 0x0d &&
    first !== 0x09
  )
    return false;
  const start = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, JOURNAL_HEAD_BYTES));
  return JOURNAL_HEAD.test(start.toString("latin1"));
}

/** The most text one entry may take (json-pretty spans lines): past it, the entry is dropped. */
const MAX_ENTRY = 1024 * 1024;
/** Lines gathered before a chunk of them is handed on. */
const OUT_BYTES = 256 * 1024;

/**
 * The syslog lines of a journal export's bytes. A line that is not a journal entry (nor part of a
 * json-pretty one), and an entry that gives no syslog line (no MESSAGE: journalctl writes `null` for a
 * field over 4096 bytes unless run with --all), are passed on as they are — an entry of several lines
 * joined into one — for the log reader to judge (and count as a line it cannot read). Text past
 * MAX_ENTRY is dropped whole: to its line's end, or for json-pretty to the entry's closing `}`, so no
 * part of it is ever read as a line of its own.
 */
export async function* journalLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry = "";
  let pending = "";
  // Past MAX_ENTRY: the rest of a json-pretty entry (to its `}`), or of one line (to its end), is dropped.
  let droppingEntry = false;
  let droppingLine = false;
  let out: string[] = [];
  let outLength = 0;
  const take = (line: string) => {
    if (droppingEntry) {
      droppingEntry = line !== "}";
      return;
    }
    if (pending !== "") {
      pending += `\n${line}`;
      // json-pretty ends an entry with a `}` of its own line.
      if (line === "}") {
        give(entryLine(pending) ?? pending.replace(/\r?\n\s*/g, " "));
        pending = "";
      } else if (pending.length > MAX_ENTRY) {
        pending = "";
        droppingEntry = true;
      }
      return;
    }
    const text = line.charCodeAt(0) === 0x1e ? line.slice(1) : line;
    if (text === "{") pending = text;
    else if (text.trim() !== "") give(text.startsWith("{") ? (entryLine(text) ?? text) : text);
  };
  const give = (line: string | null) => {
    if (line === null) return;
    out.push(line);
    outLength += line.length + 1;
  };
  const flush = () => {
    const bytes = Buffer.from(`${out.join("\n")}\n`, "utf8");
    out = [];
    outLength = 0;
    return bytes;
  };
  // One decoder for the whole input: a character whose bytes straddle two chunks is decoded whole (review R153).
  const decoder = new StringDecoder("utf8");
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      if (droppingLine) droppingLine = false;
      else take(text.slice(from, nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
      from = nl + 1;
    }
    carry = text.slice(from);
    if (carry.length > MAX_ENTRY) {
      carry = "";
      droppingLine = true;
      // A line too long inside a json-pretty entry drops the entry with it.
      droppingEntry = pending !== "";
      pending = "";
    }
    if (outLength >= OUT_BYTES) yield flush();
  }
  carry += decoder.end();
  if (carry !== "" && !droppingLine) take(carry);
  if (out.length > 0) yield flush();
}

/** One entry's syslog line, or null when it has no message (or is not JSON). */
function entryLine(text: string): string | null {
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return null;
  const fields = entry as Record<string, unknown>;
  const message = fieldText(fields.MESSAGE);
  if (message === null) return null;
  const ident = fieldText(fields.SYSLOG_IDENTIFIER) ?? fieldText(fields._COMM) ?? "-";
  const pid = fieldText(fields.SYSLOG_PID) ?? fieldText(fields._PID);
  const host = fieldText(fields._HOSTNAME) ?? "-";
  // A line per entry: a message of several lines is joined by spaces.
  // The time the journal received it; else the time its sender gave (review R154), else `-`.
  const time =
    stamp(fieldText(fields.__REALTIME_TIMESTAMP)) ??
    stamp(fieldText(fields._SOURCE_REALTIME_TIMESTAMP)) ??
    "-";
  return `${time} ${oneWord(host)} ${oneWord(ident)}${pid !== null ? `[${oneWord(pid)}]` : ""}: ${message.replace(/\r?\n/g, " ")}`;
}

/**
 * A journal field's text: a string, or — for a value that is not valid UTF-8 — the list of its bytes
 * journalctl writes instead (decoded as UTF-8, bad bytes replaced); null for anything else.
 */
function fieldText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((b) => typeof b === "number" && b >= 0 && b <= 255))
    return Buffer.from(value as number[]).toString("utf8");
  return null;
}

function oneWord(text: string): string {
  return text.replace(/\s+/g, "_") || "-";
}

/** A journal time (microseconds since the epoch, as digits) → RFC 3339 in UTC; null when unreadable. */
function stamp(micros: string | null): string | null {
  if (micros === null || !/^\d{1,17}$/.test(micros)) return null;
  const ms = Math.floor(Number(micros) / 1000);
  const iso = new Date(ms).toISOString();
  if (iso.length !== 24) return null;
  return `${iso.slice(0, 19)}.${micros.padStart(6, "0").slice(-6)}+00:00`;
}
