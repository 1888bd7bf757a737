import type { Classification } from "./classify.ts";
import type { BounceRecord, SourceRef } from "./record.ts";

/** Version of the JSON record shape `classify --json/--ndjson` prints (bump on incompatible change). */
export const RECORD_SCHEMA_VERSION = 1;

const VERSION_PREFIX = `{"schemaVersion":${RECORD_SCHEMA_VERSION},`;

/** The record as one JSON object, `schemaVersion` first (spliced in: no copy of the record). */
export function jsonRecord(record: BounceRecord): string {
  return (hasRecordShape(record) && jsonOfShaped(record)) || VERSION_PREFIX + JSON.stringify(record).slice(1);
}

/** BounceRecord keys in the order classifiers build them; only records built so take the cached path. */
const RECORD_KEYS = [
  "recipient",
  "source",
  "format",
  "time",
  "provider",
  "remoteMta",
  "replyCode",
  "status",
  "providerCode",
  "reason",
  "category",
  "permanent",
  "retryable",
  "suppressRecipient",
  "action",
  "diagnostic",
  "rule",
  "feedbackType",
] as const;

function hasRecordShape(record: BounceRecord): boolean {
  let i = 0;
  for (const key in record) if (key !== RECORD_KEYS[i++]) return false;
  return i >= RECORD_KEYS.length - 1;
}

/** The classification part of a record (replyCode … up to the diagnostic), serialised once. */
interface Verdict {
  replyCode: number | null;
  status: string | null;
  providerCode: string | null;
  reason: string;
  category: string;
  permanent: boolean;
  retryable: boolean;
  suppressRecipient: boolean;
  json: string;
}

/** Serialised verdicts by action text (which few verdicts share), and `,"rule":…` by rule object. */
const verdicts = new Map<string, Verdict[]>();
const rules = new Map<object, string>();
const MAX_CACHED = 10_000;

/**
 * What JSON.stringify gives for a record of RECORD_KEYS shape, with the parts records share (the
 * classification, the rule) serialised once; undefined when a field would make the shortcut inexact.
 */
function jsonOfShaped(record: BounceRecord): string | undefined {
  // JSON.stringify gives undefined for a value JSON has no form for (undefined, a function): then the
  // shortcut is off. Each part is checked itself (not the joined text, which would be scanned once more).
  const recipient = JSON.stringify(record.recipient);
  const source = sourceJson(record.source);
  const format = repeated(record.format);
  const time = JSON.stringify(record.time);
  const provider = repeated(record.provider);
  const remoteMta = repeated(record.remoteMta);
  const verdict = verdictJson(record);
  const diagnostic = JSON.stringify(record.diagnostic);
  const rule = ruleJson(record.rule);
  const feedback = record.feedbackType === undefined ? "" : JSON.stringify(record.feedbackType);
  if (
    recipient === undefined ||
    source === undefined ||
    format === undefined ||
    time === undefined ||
    provider === undefined ||
    remoteMta === undefined ||
    verdict === undefined ||
    diagnostic === undefined ||
    rule === undefined ||
    feedback === undefined
  ) {
    return undefined;
  }
  return `${VERSION_PREFIX}"recipient":${recipient},"source":${source},"format":${format},"time":${time},"provider":${provider},"remoteMta":${remoteMta},${verdict}${diagnostic}${rule}${feedback === "" ? "" : `,"feedbackType":${feedback}`}}`;
}

/** JSON of values that repeat from record to record (format, provider, remote host), kept. */
const repeatedJson = new Map<unknown, string | undefined>();

function repeated(value: unknown): string | undefined {
  let json = repeatedJson.get(value);
  if (json === undefined && !repeatedJson.has(value)) {
    json = JSON.stringify(value);
    if (repeatedJson.size >= MAX_CACHED) repeatedJson.clear();
    // A copy as the key: the value may be a slice of a whole decoded input chunk, which it would keep.
    repeatedJson.set(typeof value === "string" ? ` ${value}`.slice(1) : value, json);
  }
  return json;
}

/** `{"file":…,"line":…}` with the file's JSON kept: what JSON.stringify gives for that shape. */
function sourceJson(source: BounceRecord["source"]): string | undefined {
  let keys = 0;
  for (const key in source)
    if (++keys > 2 || (key !== "file" && key !== "line")) return JSON.stringify(source);
  const { file, line } = source;
  if (keys !== 2 || typeof file !== "string" || !(line === null || Number.isSafeInteger(line)))
    return JSON.stringify(source);
  if (file !== lastFile) {
    lastFileJson = JSON.stringify(file);
    lastFile = file;
  }
  return `{"file":${lastFileJson},"line":${line}}`;
}

/**
 * The last file name's JSON: a file's records come together, and with many files (a directory of bounce
 * emails) a map of names would miss on every file and hash each one. Only the last name is held.
 */
let lastFile: string | null = null;
let lastFileJson = "";

function verdictJson(record: Classification): string | undefined {
  if (typeof record.action !== "string") return undefined;
  let list = verdicts.get(record.action);
  if (list !== undefined) {
    for (const known of list) {
      if (
        known.replyCode === record.replyCode &&
        known.status === record.status &&
        known.providerCode === record.providerCode &&
        known.reason === record.reason &&
        known.category === record.category &&
        known.permanent === record.permanent &&
        known.retryable === record.retryable &&
        known.suppressRecipient === record.suppressRecipient
      ) {
        return known.json;
      }
    }
  }
  const parts = [
    record.replyCode,
    record.status,
    record.providerCode,
    record.reason,
    record.category,
    record.permanent,
    record.retryable,
    record.suppressRecipient,
    record.action,
  ].map((value) => JSON.stringify(value));
  if (parts.includes(undefined as unknown as string)) return undefined;
  const json = `"replyCode":${parts[0]},"status":${parts[1]},"providerCode":${parts[2]},"reason":${parts[3]},"category":${parts[4]},"permanent":${parts[5]},"retryable":${parts[6]},"suppressRecipient":${parts[7]},"action":${parts[8]},"diagnostic":`;
  if (verdicts.size >= MAX_CACHED) verdicts.clear();
  if (list === undefined) {
    list = [];
    verdicts.set(record.action, list);
  }
  if (list.length < 64) list.push({ ...pick(record), json });
  return json;
}

function pick(record: Classification): Omit<Verdict, "json"> {
  const { replyCode, status, providerCode, reason, category, permanent, retryable, suppressRecipient } =
    record;
  return { replyCode, status, providerCode, reason, category, permanent, retryable, suppressRecipient };
}

function ruleJson(rule: BounceRecord["rule"]): string | undefined {
  if (typeof rule !== "object" || rule === null) return undefined;
  let json = rules.get(rule);
  if (json === undefined) {
    const text = JSON.stringify(rule);
    if (text === undefined) return undefined;
    json = `,"rule":${text}`;
    if (rules.size >= MAX_CACHED) rules.clear();
    rules.set(rule, json);
  }
  return json;
}

/**
 * The JSON of the records of one classification (built as src/pipeline/classify-events.ts builds them:
 * its provider, verdict and rule with the event's own recipient, source, time, remote host and
 * diagnostic), with what they share serialised once: jsonRecord's text without the record object.
 */
export class ClassificationJson {
  /** `,"provider":…,"remoteMta":` (undefined: a shared part has no JSON form; jsonRecord decides). */
  private readonly provider: string | undefined;
  /** `"replyCode":…,"diagnostic":` */
  private readonly verdict: string | undefined;
  /** `,"rule":…` */
  private readonly rule: string | undefined;

  constructor(c: Classification) {
    const provider = JSON.stringify(c.provider);
    this.provider = provider === undefined ? undefined : `,"provider":${provider},"remoteMta":`;
    this.verdict = verdictJson(c);
    this.rule = ruleJson(c.rule);
  }

  /** A record's JSON, or undefined when a part has no JSON form (the caller then uses jsonRecord). */
  record(
    recipient: string | null,
    source: SourceRef,
    format: string,
    time: string | null,
    remoteMta: string | null,
    diagnostic: string,
    feedbackType: string | null | undefined,
  ): string | undefined {
    const sourceText = sourceJson(source);
    const formatText = repeated(format);
    if (
      this.provider === undefined ||
      this.verdict === undefined ||
      this.rule === undefined ||
      sourceText === undefined ||
      formatText === undefined ||
      recipient === undefined ||
      time === undefined ||
      remoteMta === undefined ||
      typeof diagnostic !== "string"
    ) {
      return undefined;
    }
    const feedback = feedbackType === undefined ? "" : `,"feedbackType":${JSON.stringify(feedbackType)}`;
    return `${VERSION_PREFIX}"recipient":${JSON.stringify(recipient)},"source":${sourceText},"format":${formatText},"time":${timeJson(time)}${this.provider}${repeated(remoteMta)},${this.verdict}${JSON.stringify(diagnostic)}${this.rule}${feedback}}`;
  }

  /**
   * `record`'s bytes up to the diagnostic's JSON, written into `out`, for a record without a feedback type
   * whose recipient is null or the ASCII bytes [from, to) of `bytes`: false (nothing written) where
   * `record` would give undefined. Written as few parts, each made once (per file, per time, per remote
   * host of this classification). With an `ending` (the diagnostic's JSON and the record's end, the
   * same bytes for every call with that object), the whole record: the part after the time is then
   * one piece per remote host. `afterTime`: afterTime(remoteMta, ending) given by the caller.
   */
  writeHead(
    out: JsonBytes,
    bytes: Uint8Array,
    from: number,
    to: number,
    recipientNull: boolean,
    source: SourceRef,
    format: string,
    time: string | null,
    remoteMta: string | null,
    ending: Uint8Array | null,
    afterTime: Uint8Array | null = null,
  ): boolean {
    if (!this.writable || typeof source.file !== "string" || !Number.isSafeInteger(source.line)) return false;
    out.bytes(RECIPIENT_PREFIX);
    if (recipientNull) out.bytes(NULL);
    else out.quoted(bytes, from, to);
    out.bytes(sourceBytes.of(source.file));
    out.integer(source.line as number);
    out.bytes(formatTime.of(format, time));
    out.bytes(afterTime ?? this.afterTime(remoteMta, ending));
    return true;
  }

  /** Whether writeHead writes (every shared part has a JSON form). */
  get writable(): boolean {
    return this.provider !== undefined && this.verdict !== undefined && this.rule !== undefined;
  }

  /**
   * What writeHead writes after the time for `remoteMta` and `ending` (the same bytes for the same
   * two: a caller that knows them unchanged may pass them back to writeHead). Only when `writable`.
   */
  afterTime(remoteMta: string | null, ending: Uint8Array | null): Uint8Array {
    return ending === null ? this.middle(remoteMta) : this.whole(remoteMta, ending);
  }

  /** The middle of a remote host and `ending`, joined (kept per host for the last `ending`). */
  private whole(remoteMta: string | null, ending: Uint8Array): Uint8Array {
    if (ending !== this.ending) {
      this.ending = ending;
      this.wholes.clear();
      this.lastWhole = null;
    }
    // The last host's first (a classification's records mostly come from one host for a while).
    if (this.lastWhole !== null && remoteMta === this.lastWholeHost) return this.lastWhole;
    let whole = this.wholes.get(remoteMta);
    if (whole === undefined) {
      if (this.wholes.size >= MAX_HOSTS) this.wholes.clear();
      whole = joined(this.middle(remoteMta), ending);
      // A copy as the key: the host may be a slice of a whole decoded input chunk, which it would keep.
      this.wholes.set(remoteMta === null ? null : ` ${remoteMta}`.slice(1), whole);
    }
    this.lastWholeHost = remoteMta === null ? null : ` ${remoteMta}`.slice(1);
    this.lastWhole = whole;
    return whole;
  }

  /** `,"provider":…,"remoteMta":…,"replyCode":…,"diagnostic":` of a remote host, kept per host. */
  private middle(remoteMta: string | null): Uint8Array {
    if (this.lastMiddle !== null && remoteMta === this.lastMiddleHost) return this.lastMiddle;
    let middle = this.middles.get(remoteMta);
    if (middle === undefined) {
      if (this.middles.size >= MAX_HOSTS) this.middles.clear();
      middle = utf8(`${this.provider}${JSON.stringify(remoteMta)},${this.verdict}`);
      // A copy as the key: the host may be a slice of a whole decoded input chunk, which it would keep.
      this.middles.set(remoteMta === null ? null : ` ${remoteMta}`.slice(1), middle);
    }
    this.lastMiddleHost = remoteMta === null ? null : ` ${remoteMta}`.slice(1);
    this.lastMiddle = middle;
    return middle;
  }

  /** The record's bytes after the diagnostic (see writeHead). */
  tail(): Uint8Array {
    this.tailBytes ??= utf8(`${this.rule}}`);
    return this.tailBytes;
  }

  /** `,"provider":…,"remoteMta":…,"replyCode":…,"diagnostic":` per remote host. */
  private readonly middles = new Map<string | null, Uint8Array>();
  /** The middle and `ending` joined, per remote host (writeWhole). */
  private readonly wholes = new Map<string | null, Uint8Array>();
  private ending: Uint8Array | null = null;
  /** The host `middle` and `whole` gave their last piece for (a copy), and the pieces. */
  private lastMiddleHost: string | null = null;
  private lastMiddle: Uint8Array | null = null;
  private lastWholeHost: string | null = null;
  private lastWhole: Uint8Array | null = null;
  private tailBytes: Uint8Array | undefined;
}

export function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Buffer.concat([a, b]);
}

/** Remote hosts whose record parts a classification keeps (the hosts of one provider's MX, mostly). */
const MAX_HOSTS = 64;

export function utf8(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

const RECIPIENT_PREFIX = utf8(`${VERSION_PREFIX}"recipient":`);
const NULL = utf8("null");

/** Bytes made from the last value given (the records of a file share it). */
class LastBytes {
  private last: string | undefined = undefined;
  private made: Uint8Array = NULL;
  private readonly make: (value: string) => string;

  constructor(make: (value: string) => string) {
    this.make = make;
  }

  of(value: string): Uint8Array {
    if (value !== this.last) {
      this.made = utf8(this.make(value));
      // A copy: the value may be a slice of a whole decoded input chunk, which it would keep.
      this.last = ` ${value}`.slice(1);
    }
    return this.made;
  }
}

const sourceBytes = new LastBytes((file) => `,"source":{"file":${JSON.stringify(file)},"line":`);

/**
 * `},"format":…,"time":…` made from the last format and time given: consecutive records of a log mostly
 * share their second, and the next second's time (as long) is written over the last one's characters
 * where none needs an escape, not made anew.
 */
class FormatTimeBytes {
  private format: string | undefined = undefined;
  private made: Uint8Array = NULL;
  private lastNull = false;
  /** Where the last time's characters are in `made`, and their number (-1: none, or one needs an escape). */
  private timeAt = 0;
  private timeLength = -1;

  of(format: string, time: string | null): Uint8Array {
    if (format === this.format && (time === null ? this.lastNull : this.written(time))) return this.made;
    const json = JSON.stringify(time);
    this.made = utf8(`},"format":${JSON.stringify(format)},"time":${json}`);
    // A copy: the format may be a slice of a whole decoded input chunk, which it would keep.
    this.format = ` ${format}`.slice(1);
    this.lastNull = time === null;
    const plain = time !== null && json.length === time.length + 2 && PRINTABLE_ASCII.test(time);
    this.timeLength = plain ? time.length : -1;
    this.timeAt = this.made.length - 1 - (plain ? time.length : 0);
    return this.made;
  }

  /** Whether `made` holds `time` now, its characters written over the last time's where they differ. */
  private written(time: string): boolean {
    if (time.length !== this.timeLength) return false;
    const made = this.made;
    const at = this.timeAt;
    for (let i = 0; i < time.length; i++) {
      const c = time.charCodeAt(i);
      if (made[at + i] === c) continue;
      if (c < 32 || c === 34 || c === 92 || c > 126) return false;
      made[at + i] = c;
    }
    return true;
  }
}

/** Characters JSON.stringify writes as they are, one UTF-8 byte each. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const formatTime = new FormatTimeBytes();

/** JSON.stringify's escapes of the ASCII control characters that have a short form. */
const SHORT_ESCAPES: Record<number, number> = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 };
const HEX_DIGITS = "0123456789abcdef";

/**
 * Records' JSON as UTF-8 bytes, one after another in one buffer (handed on whole, so not from Buffer's
 * shared pool), grown as needed.
 */
export class JsonBytes {
  buffer: Buffer;
  length = 0;

  /**
   * Room for `size` bytes: `spare` (memory of an earlier JsonBytes whose bytes are no longer read) when it
   * has that much, else new memory with half as much again (so that it serves as a spare later).
   */
  constructor(size: number, spare?: ArrayBuffer) {
    this.buffer =
      spare !== undefined && spare.byteLength >= size
        ? Buffer.from(spare)
        : Buffer.allocUnsafeSlow(Math.max(64, Math.ceil(size * 1.5)));
  }

  reserve(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.length + more, 2 * this.buffer.length));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  bytes(part: Uint8Array): void {
    this.reserve(part.length);
    this.buffer.set(part, this.length);
    this.length += part.length;
  }

  /** A text as UTF-8 (what Buffer.write gives for it). */
  text(text: string): void {
    this.reserve(text.length * 3); // at most 3 UTF-8 bytes per UTF-16 unit
    this.length += this.buffer.write(text, this.length);
  }

  /** A non-negative safe integer's digits. */
  integer(value: number): void {
    // Line numbers: 32-bit integer division is several times cheaper than Math.floor of a double's.
    if (value <= 0x7fffffff) {
      this.smallInteger(value);
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.reserve(digits);
    const buffer = this.buffer;
    let rest = value;
    for (let i = this.length + digits - 1; i >= this.length; i--) {
      buffer[i] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.length += digits;
  }

  /** `integer` of a value below 2^31. */
  private smallInteger(value: number): void {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    this.reserve(digits);
    const buffer = this.buffer;
    let rest = value;
    for (let i = this.length + digits - 1; i >= this.length; i--) {
      const next = (rest / 10) | 0;
      buffer[i] = 48 + rest - next * 10;
      rest = next;
    }
    this.length += digits;
  }

  /** JSON.stringify of the string whose characters are the ASCII bytes [from, to) (quotes included). */
  quoted(bytes: Uint8Array, from: number, to: number): void {
    this.reserve(6 * (to - from) + 2);
    const buffer = this.buffer;
    let n = this.length;
    buffer[n++] = 34;
    for (let i = from; i < to; i++) {
      const c = bytes[i];
      if (c >= 32 && c !== 34 && c !== 92) buffer[n++] = c;
      else n = writeEscape(buffer, n, c);
    }
    buffer[n++] = 34;
    this.length = n;
  }

  /** `quoted` of ASCII bytes that need no escape (the caller knows them to be such): one copy. */
  copiedString(bytes: Buffer, from: number, to: number): void {
    this.reserve(to - from + 2);
    const buffer = this.buffer;
    buffer[this.length] = 34;
    const end = this.length + 1 + bytes.copy(buffer, this.length + 1, from, to);
    buffer[end] = 34;
    this.length = end + 1;
  }

  /** ASCII bytes that need no escape in a JSON string (the caller knows them to be such). */
  plain(bytes: Uint8Array, from: number, to: number): void {
    this.reserve(to - from);
    const buffer = this.buffer;
    let n = this.length;
    for (let i = from; i < to; i++) buffer[n++] = bytes[i];
    this.length = n;
  }
}

/** Writes JSON.stringify's escape of an ASCII quote, backslash or control character at `n`; the new end. */
function writeEscape(buffer: Buffer, n: number, c: number): number {
  buffer[n++] = 92;
  const short = c === 34 || c === 92 ? c : SHORT_ESCAPES[c];
  if (short !== undefined) {
    buffer[n++] = short;
    return n;
  }
  buffer[n++] = 117; // u00XX
  buffer[n++] = 48;
  buffer[n++] = 48;
  buffer[n++] = HEX_DIGITS.charCodeAt(c >> 4);
  buffer[n++] = HEX_DIGITS.charCodeAt(c & 15);
  return n;
}

/** The last time's JSON: consecutive records of a log mostly share their time (a stamp per second). */
let lastTime: string | null = null;
let lastTimeJson = "null";

function timeJson(time: string | null): string {
  if (time !== lastTime) {
    lastTimeJson = JSON.stringify(time);
    // A copy: the time may be a slice of a whole decoded input chunk, which it would keep.
    lastTime = time === null ? null : ` ${time}`.slice(1);
  }
  return lastTimeJson;
}
