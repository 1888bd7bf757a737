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
export const RECORD_KEYS = [
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
    // An index loop: for-of steps an array iterator in the Maglev-compiled code (email runs' tier), per record.
    for (let i = 0; i < list.length; i++) {
      const known = list[i];
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

  /** Whether a RecordTemplate can be made of it (every shared part has a JSON form). */
  get writable(): boolean {
    return this.provider !== undefined && this.verdict !== undefined && this.rule !== undefined;
  }

  /** `,"provider":…,"remoteMta":`: a record's text before its remote host (only when `writable`). */
  get beforeHost(): string {
    return this.provider as string;
  }

  /** `,"replyCode":…,"diagnostic":`: a record's text after its remote host (only when `writable`). */
  get afterHost(): string {
    return `,${this.verdict}`;
  }

  /** The record's bytes after the diagnostic (see writeHead). */
  tail(): Uint8Array {
    this.tailBytes ??= utf8(`${this.rule}}`);
    return this.tailBytes;
  }

  private tailBytes: Uint8Array | undefined;
}

export function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Buffer.concat([a, b]);
}

export function utf8(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

/** Where a record's tokens lie in its reply, from the reply's start (ReplyMask after a scan or match). */
export interface TokenPlaces {
  readonly count: number;
  start(t: number): number;
  end(t: number): number;
  /** The writer of records whose reply and recipient lie in `bytes` (null: none there; see RecordWriter). */
  writer(bytes: Uint8Array): RecordWriter | null;
}

/**
 * Records written in WebAssembly (bounce/line-bytes.ts ReplyBytes and line-bytes.wat `record`; bounce/ knows it
 * by this shape) for lines in a chunk memory: a RecordTemplate's bytes placed once in its memory (again in
 * each new `round`), the record written there by one call, and copied into the JsonBytes with the records
 * next to it by one copy (JsonBytes.settle).
 */
export interface RecordWriter {
  /** Record templates placed in an earlier round are gone (see ReplyBytes.recordRound). */
  readonly recordRound: number;
  /**
   * Places a record template (`ints`: its header, line-bytes.wat `record`; `parts`: its bytes in order); its
   * address, -1 where it is too big.
   */
  placeRecord(ints: Int32Array, parts: readonly Uint8Array[]): number;
  /** The time a record's `time` flag writes (LAST_TIME's plain bytes of `version`: the first ones of `bytes`). */
  time(version: number, bytes: Uint8Array): void;
  /**
   * The remote host the next records write, placed in this round where it was not (false: too long for the
   * writer; nothing changed).
   */
  host(host: HostJson): boolean;
  /** Token t's start and end, for the next `record`. */
  token(t: number, start: number, end: number): void;
  /**
   * The record of the template at `address` appended to `out` (at most `room` bytes, a newline's room kept
   * after it): WRITTEN; NOT_WRITTEN (nothing written) where the recipient needs an escape. With a reply
   * template's address `reply` (not -1: placed by the writer, bounce/reply-key.ts ReplyMask.placed), only
   * when the reply matches it, the tokens' places taken from that match (none given by `token`):
   * NOT_MATCHED where it does not; NOT_WRITTEN too where the match needs the scanner.
   */
  record(
    out: JsonBytes,
    room: number,
    address: number,
    from: number,
    to: number,
    line: number,
    replyStart: number,
    replyEnd: number,
    time: boolean,
    reply: number,
  ): number;
}

/**
 * A record's remote host as JSON (`null` or a string's JSON), the hole of a RecordTemplate between its
 * `"remoteMta":` and `,"replyCode":`: one template writes the records of any host (a classification's
 * records come from as many relays as a log's recipient domains have MX hosts).
 */
export class HostJson {
  readonly remoteMta: string | null;
  readonly bytes: Uint8Array;
  /** bytes.length, as a number of its own (a record's room is counted without reading the array). */
  readonly length: number;
  /** Where a RecordWriter placed it last, in its hosts' round `placedRound` (0: nowhere). */
  placedAt = 0;
  placedRound = 0;

  constructor(remoteMta: string | null) {
    // A copy: the host may be a slice of a whole decoded input chunk, which it would keep.
    this.remoteMta = remoteMta === null ? null : ` ${remoteMta}`.slice(1);
    this.bytes = own(utf8(JSON.stringify(remoteMta)));
    this.length = this.bytes.length;
  }
}

/** Bytes of their own (a pooled Buffer's bytes would keep the whole pool's memory as long as they are kept). */
function own(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const bytes = new Uint8Array(length);
  let n = 0;
  for (const part of parts) {
    bytes.set(part, n);
    n += part.length;
  }
  return bytes;
}

/** What RecordWriter.record and RecordTemplate.write with a reply template answer. */
export const WRITTEN = 1;
export const NOT_MATCHED = 0;
export const NOT_WRITTEN = -1;

/**
 * Bytes of a JsonBytes written elsewhere (a RecordWriter's memory): view[start, end) are its last bytes, not
 * yet in its buffer; `owner` the JsonBytes they are of (null: none).
 */
export interface StagedBytes {
  readonly view: Uint8Array;
  start: number;
  end: number;
  /** Where the staged bytes may reach. */
  readonly limit: number;
  owner: JsonBytes | null;
}

/** How a RecordTemplate writes the diagnostic. */
export const WHOLE_DIAGNOSTIC = 0;
/** The reply is the diagnostic, needing no escape (the caller knows). */
export const PLAIN_REPLY = 1;
/** The reply is the diagnostic, escaped as JSON.stringify escapes it. */
export const QUOTED_REPLY = 2;
/** The cached diagnostic with the reply's tokens put in (pieces around them). */
export const TOKENS = 3;

const RECORD_OPEN = utf8(`${VERSION_PREFIX}"recipient":"`);

/**
 * The JSON of the records of one classification (ClassificationJson) for one file and format, whose
 * recipient is the ASCII bytes of a line and whose diagnostic has one form (WHOLE_DIAGNOSTIC … TOKENS):
 * made once, then each record is its bytes with holes filled in one pass, with one bound check: the
 * recipient (escaped), the line number, the time, the remote host (HostJson: one template for the records
 * of every relay) and the diagnostic's reply or tokens.
 *
 * The part after the recipient up to the remote host is one piece with holes for the line number's digits
 * and the time: the digits are written over in the batch, and so is the time, with one copy from
 * LAST_TIME, when it is as long as the one the piece was made with and needs no escape (else the piece is
 * made anew). So a record whose diagnostic is cached whole is five copies and two short loops; a long
 * reply is one more copy.
 */
export class RecordTemplate {
  readonly file: string;
  readonly format: string;
  readonly form: number;
  private readonly json: ClassificationJson;
  /** TOKENS: the diagnostic's pieces around the tokens (the first is part of `after`, the last ends the record). */
  private readonly pieces: readonly Uint8Array[];
  private readonly piecesLength: number;
  /** The reply's end for PLAIN_REPLY and QUOTED_REPLY: its closing quote and the record's end. */
  private readonly replyEnd: Uint8Array;
  /** The bytes after the remote host, up to the diagnostic's first hole (or the record's end). */
  private readonly afterHost: Uint8Array;
  /** The LAST_TIME version `after` was made with, and its length there when plain (else -1: no hole for it). */
  private timeVersion = -1;
  private timeLength = -1;
  /** The bytes after the recipient, up to the remote host. */
  private after: Uint8Array = RECORD_OPEN;
  private digits = -1;
  /** Where the line number's digits and the time's characters are in `after`. */
  private lineAt = 0;
  private timeAt = 0;
  /** Where it is placed for a RecordWriter, in its round `placedRound` (0: not placed since `after` was made). */
  private placedAt = 0;
  private placedRound = 0;
  /**
   * A record's bytes but the recipient's, the host's and the reply's (RECORD_OPEN, `after`, `afterHost` and
   * the diagnostic's fixed part), made with `after`: the room a record is written in is counted from
   * numbers, without reading those arrays (each read of a typed array's length loads it and its buffer:
   * most of write's samples in a 4M-line `--all`, perf).
   */
  private fixedRoom = 0;

  constructor(
    json: ClassificationJson,
    file: string,
    format: string,
    form: number,
    ending: Uint8Array | null,
    pieces: readonly Uint8Array[] | null,
  ) {
    this.json = json;
    this.file = file;
    this.format = format;
    this.form = form;
    this.pieces = pieces ?? [];
    let length = 0;
    for (let i = 1; i < this.pieces.length; i++) length += this.pieces[i].length;
    this.piecesLength = length;
    this.replyEnd = own(utf8('"'), json.tail());
    const diagnostic =
      form === TOKENS
        ? this.pieces[0]
        : form === WHOLE_DIAGNOSTIC
          ? (ending ?? new Uint8Array(0))
          : utf8('"');
    this.afterHost = own(utf8(json.afterHost), diagnostic);
  }

  /** Where its writer placed it last (a lane's copy: line-bytes.wat reads its header there). */
  get address(): number {
    return this.placedAt;
  }

  /** The room of a record's bytes but the recipient's, the host's and the reply's (see fixedRoom). */
  get room(): number {
    return this.fixedRoom;
  }

  /** Whether it writes the records of these (all but the form compared as strings). */
  fits(file: string, format: string, form: number): boolean {
    return this.form === form && this.file === file && this.format === format;
  }

  /** `after` made for a line number of `digits` digits and the time LAST_TIME holds. */
  private make(digits: number): void {
    const head = `","source":{"file":${JSON.stringify(this.file)},"line":`;
    const formatTime = `},"format":${JSON.stringify(this.format)},"time":${LAST_TIME.json}`;
    const before = utf8(head + "0".repeat(digits) + formatTime);
    this.after = own(before, utf8(this.json.beforeHost));
    this.lineAt = utf8(head).length;
    this.digits = digits;
    this.timeVersion = LAST_TIME.version;
    this.timeLength = LAST_TIME.plainLength;
    this.timeAt = before.length - 1 - Math.max(0, this.timeLength);
    this.placedRound = 0;
    const form = this.form;
    this.fixedRoom =
      RECORD_OPEN.length +
      this.after.length +
      this.afterHost.length +
      (form === TOKENS ? this.piecesLength : form === WHOLE_DIAGNOSTIC ? 0 : this.replyEnd.length);
  }

  /** Its address for `writer` (placed in its round: the header line-bytes.wat `record` reads, then its bytes). */
  private placed(writer: RecordWriter): number {
    if (this.placedRound === writer.recordRound) return this.placedAt;
    const tokens = this.form === TOKENS ? this.pieces.length - 1 : 0;
    const ints = new Int32Array(10 + tokens);
    ints[0] = RECORD_OPEN.length;
    ints[1] = this.after.length;
    ints[2] = this.lineAt + this.digits;
    ints[3] = this.digits;
    ints[4] = this.timeAt;
    ints[5] = this.timeLength;
    ints[6] = this.form;
    ints[7] = tokens;
    ints[8] = this.form === PLAIN_REPLY ? this.replyEnd.length : 0;
    ints[9] = this.afterHost.length;
    for (let t = 0; t < tokens; t++) ints[10 + t] = this.pieces[t + 1].length;
    const parts = [RECORD_OPEN, this.after, this.afterHost];
    if (this.form === TOKENS) parts.push(...this.pieces.slice(1));
    else if (this.form === PLAIN_REPLY) parts.push(this.replyEnd);
    this.placedAt = writer.placeRecord(ints, parts);
    this.placedRound = writer.recordRound;
    return this.placedAt;
  }

  /**
   * The record of the recipient bytes[from, to) (ASCII, not empty), at a line number (a non-negative
   * safe integer) and time, whose reply is bytes[replyStart, replyEnd) with the tokens at `tokens`
   * (TOKENS: as many as the pieces' holes), written into `out`: WRITTEN. By the RecordWriter of `bytes`
   * where there is one (in WebAssembly, where the line lies in a chunk memory: one call, and one copy for
   * many records). With a reply template's address `reply` (not -1; placed in that writer's memory:
   * bounce/reply-key.ts ReplyMask.placed), only when the reply matches it, the tokens' places taken from
   * that match — one call for both: NOT_MATCHED (nothing written) where it does not match; NOT_WRITTEN
   * (nothing written) where there is no writer or it cannot tell (match in JavaScript, then write).
   */
  write(
    out: JsonBytes,
    host: HostJson,
    bytes: Buffer,
    from: number,
    to: number,
    line: number,
    time: string | null,
    replyStart: number,
    replyEnd: number,
    tokens: TokenPlaces,
    reply = -1,
  ): number {
    const digits = digitCount(line);
    LAST_TIME.set(time);
    // A plain time as long as the one `after` was made with (and not that one) is written over it in the record.
    if (
      digits !== this.digits ||
      (LAST_TIME.version !== this.timeVersion &&
        (LAST_TIME.plainLength < 0 || LAST_TIME.plainLength !== this.timeLength))
    ) {
      this.make(digits);
    }
    const form = this.form;
    const length = replyEnd - replyStart;
    // The recipient's bytes as they are; the reply's escaped at most six times over (\u00XX).
    const room =
      this.fixedRoom +
      (to - from) +
      host.length +
      (form === TOKENS ? length : form === WHOLE_DIAGNOSTIC ? 0 : 6 * length);
    const writer = form === QUOTED_REPLY || line > 0x7fffffff ? null : tokens.writer(bytes);
    const address = writer === null || !writer.host(host) ? -1 : this.placed(writer);
    if (writer !== null && address >= 0) {
      const time = this.timeLength >= 0 && LAST_TIME.version !== this.timeVersion;
      // The whole buffer (no view made per time): the record reads the time's length of it.
      if (time) writer.time(LAST_TIME.version, LAST_TIME.plain);
      if (form === TOKENS && reply < 0) {
        for (let t = 0; t < this.pieces.length - 1; t++) writer.token(t, tokens.start(t), tokens.end(t));
      }
      const written = writer.record(out, room, address, from, to, line, replyStart, replyEnd, time, reply);
      if (written === WRITTEN || reply >= 0) return written;
    } else if (reply >= 0) return NOT_WRITTEN;
    // The recipient's bytes escaped at most six times over.
    out.reserve(room + 5 * (to - from));
    const after = this.after;
    const buffer = out.buffer;
    let n = out.length;
    buffer.set(RECORD_OPEN, n);
    n += RECORD_OPEN.length;
    n = escaped(buffer, n, bytes, from, to);
    buffer.set(after, n);
    writeDigits(buffer, n + this.lineAt + digits, digits, line);
    if (this.timeLength >= 0 && LAST_TIME.version !== this.timeVersion) {
      buffer.set(LAST_TIME.plainBytes, n + this.timeAt);
    }
    n += after.length;
    buffer.set(host.bytes, n);
    n += host.bytes.length;
    buffer.set(this.afterHost, n);
    n += this.afterHost.length;
    if (form === TOKENS) {
      const pieces = this.pieces;
      for (let t = 1; t < pieces.length; t++) {
        for (let i = replyStart + tokens.start(t - 1), end = replyStart + tokens.end(t - 1); i < end; i++) {
          buffer[n++] = bytes[i];
        }
        const piece = pieces[t];
        buffer.set(piece, n);
        n += piece.length;
      }
    } else if (form !== WHOLE_DIAGNOSTIC) {
      if (form === QUOTED_REPLY) n = escaped(buffer, n, bytes, replyStart, replyEnd);
      else if (length < NATIVE_COPY) for (let i = replyStart; i < replyEnd; i++) buffer[n++] = bytes[i];
      else {
        // A view and one native set: Buffer.copy's JavaScript checks and its own view cost as much again.
        buffer.set(bytes.subarray(replyStart, replyEnd), n);
        n += length;
      }
      buffer.set(this.replyEnd, n);
      n += this.replyEnd.length;
    }
    out.length = n;
    return WRITTEN;
  }
}

/** The ASCII bytes [from, to) written at `n` as JSON.stringify writes their characters (no quotes); the new end. */
function escaped(buffer: Buffer, n: number, bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    // A run of bytes that need no escape, in a loop of its own: with the escape's call in the same loop,
    // optimized code checked both arrays' maps and detachment again at every byte (~50 instructions a byte).
    let c = bytes[i];
    while (c >= 32 && c !== 34 && c !== 92) {
      buffer[n++] = c;
      if (++i === to) return n;
      c = bytes[i];
    }
    n = writeEscape(buffer, n, c);
    i++;
  }
  return n;
}

/**
 * Sets the time the next record is written at (as RecordTemplate.write sets it) and puts it where `writer`'s
 * records take it with their `time` flag: its length there, -1 where it is no plain text (a record template
 * then has no hole for it).
 */
export function recordTime(writer: RecordWriter, time: string | null): number {
  LAST_TIME.set(time);
  if (LAST_TIME.plainLength >= 0) writer.time(LAST_TIME.version, LAST_TIME.plain);
  return LAST_TIME.plainLength;
}

/**
 * The last time a RecordTemplate wrote (consecutive records of a log mostly share their second: the same
 * string), and a number that changes with it: a template compares numbers, not texts. Held as given (a
 * copy would make every compare a text compare): at most one string. A new time costs one pass over its
 * characters (a log stamps every few lines): its JSON is made only for a template made anew.
 */
class LastTime {
  private time: string | null | undefined = undefined;
  version = 0;
  /** Its characters, one byte each, when its JSON is them quoted (plainLength of them; else -1). */
  readonly plain = new Uint8Array(MAX_PLAIN_TIME);
  plainLength = -1;
  /** A view of `plain`'s first plainLength bytes, made for the version `viewVersion`. */
  private view: Uint8Array = this.plain.subarray(0, 0);
  private viewVersion = 0;

  /** `plain`'s first plainLength bytes (a view made once per time, when a record is written in JavaScript). */
  get plainBytes(): Uint8Array {
    if (this.viewVersion !== this.version) {
      this.view = this.plain.subarray(0, Math.max(0, this.plainLength));
      this.viewVersion = this.version;
    }
    return this.view;
  }

  set(time: string | null): void {
    if (time === this.time) return;
    this.time = time;
    this.version++;
    this.plainLength = -1;
    if (time === null || time.length > MAX_PLAIN_TIME) return;
    const plain = this.plain;
    for (let i = 0; i < time.length; i++) {
      const c = time.charCodeAt(i);
      if (c < 32 || c === 34 || c === 92 || c > 126) return;
      plain[i] = c;
    }
    this.plainLength = time.length;
  }

  get json(): string {
    return JSON.stringify(this.time ?? null);
  }
}

/**
 * Replies at least this long are copied by one native set of a view (~350 instructions), shorter ones byte
 * by byte (~8 instructions a byte in optimized code).
 */
const NATIVE_COPY = 48;

/** Times longer than this are written by a template made anew (ISO times are 24 characters). */
const MAX_PLAIN_TIME = 64;

const LAST_TIME = new LastTime();

/** JSON.stringify's escapes of the ASCII control characters that have a short form. */
const SHORT_ESCAPES: Record<number, number> = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 };
const HEX_DIGITS = "0123456789abcdef";

/**
 * Records' JSON as UTF-8 bytes, one after another in one buffer (handed on whole, so not from Buffer's
 * shared pool), grown as needed.
 */
export class JsonBytes {
  length = 0;
  /** Its last bytes, written elsewhere (`length` counts them; settle copies them into the buffer). */
  stage: StagedBytes | null = null;
  private data: Buffer;

  /**
   * Room for `size` bytes: `spare` (memory of an earlier JsonBytes whose bytes are no longer read) when it
   * has that much, else new memory with half as much again (so that it serves as a spare later).
   */
  constructor(size: number, spare?: ArrayBuffer) {
    this.data =
      spare !== undefined && spare.byteLength >= size
        ? Buffer.from(spare)
        : Buffer.allocUnsafeSlow(Math.max(64, Math.ceil(size * 1.5)));
  }

  /** The bytes, [0, length) (staged ones copied in first). */
  get buffer(): Buffer {
    if (this.stage !== null) this.settle();
    return this.data;
  }

  /** The staged bytes copied into the buffer and the stage let go. */
  settle(): void {
    const stage = this.stage;
    if (stage === null) return;
    this.stage = null;
    stage.owner = null;
    const staged = stage.end - stage.start;
    if (staged === 0) return;
    const at = this.length - staged;
    this.length = at;
    this.reserve(staged);
    this.data.set(stage.view.subarray(stage.start, stage.end), at);
    this.length += staged;
  }

  reserve(more: number): void {
    if (this.stage !== null) this.settle();
    if (this.length + more <= this.data.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.length + more, 2 * this.data.length));
    this.data.copy(grown, 0, 0, this.length);
    this.data = grown;
  }

  bytes(part: Uint8Array): void {
    this.reserve(part.length);
    this.data.set(part, this.length);
    this.length += part.length;
  }

  byte(value: number): void {
    const stage = this.stage;
    if (stage !== null && stage.end < stage.limit) {
      stage.view[stage.end++] = value;
      this.length++;
      return;
    }
    this.reserve(1);
    this.data[this.length++] = value;
  }

  /** A text as UTF-8 (what Buffer.write gives for it). */
  text(text: string): void {
    this.reserve(text.length * 3); // at most 3 UTF-8 bytes per UTF-16 unit
    this.length += this.data.write(text, this.length);
  }
}

/** The number of digits of a non-negative safe integer. */
function digitCount(value: number): number {
  let digits = 1;
  // Compared with powers of ten (exact doubles up to 1e22), not divided: a division per digit was a tenth
  // of RecordTemplate.write's samples (perf, r4m --all); a safe integer has 16 digits at most.
  for (let bound = 10; value >= bound && digits < 16; bound *= 10) digits++;
  return digits;
}

/** Writes the `digits` digits of a non-negative safe integer (digitCount) before `end`. */
function writeDigits(buffer: Uint8Array, end: number, digits: number, value: number): void {
  let rest = value;
  for (let i = end - 1; i >= end - digits; i--) {
    const next = rest <= 0x7fffffff ? (rest / 10) | 0 : Math.floor(rest / 10);
    buffer[i] = 48 + (rest - next * 10);
    rest = next;
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
