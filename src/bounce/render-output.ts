import type { BounceRecord } from "./record.ts";
import { renderRecord } from "./render-text.ts";

/** Version of the JSON record shape `classify --json/--ndjson` prints (bump on incompatible change). */
export const RECORD_SCHEMA_VERSION = 1;

export type OutputMode = "text" | "json" | "ndjson";

/** Where records go: buffered writes that respect the stream's backpressure. */
export interface RecordSink {
  /** Buffer one record (callers then await `flushIfFull` once per batch). */
  add(record: BounceRecord): void;
  /** The same for a record already serialised by jsonRecord (json and ndjson modes only). */
  addJson(json: string): void;
  flushIfFull(): Promise<void>;
  end(): Promise<void>;
}

const FLUSH_AT = 64 * 1024;

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
  const head = `"recipient":${JSON.stringify(record.recipient)},"source":${sourceJson(record.source)},"format":${repeated(record.format)},"time":${JSON.stringify(record.time)},"provider":${repeated(record.provider)},"remoteMta":${repeated(record.remoteMta)},`;
  const verdict = verdictJson(record);
  const diagnostic = JSON.stringify(record.diagnostic);
  const rule = ruleJson(record.rule);
  if (
    head.includes(":undefined") ||
    verdict === undefined ||
    diagnostic === undefined ||
    rule === undefined
  ) {
    return undefined;
  }
  const feedback =
    record.feedbackType === undefined ? "" : `,"feedbackType":${JSON.stringify(record.feedbackType)}`;
  if (feedback === ',"feedbackType":undefined') return undefined;
  return `${VERSION_PREFIX}${head}${verdict}${diagnostic}${rule}${feedback}}`;
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

function verdictJson(record: BounceRecord): string | undefined {
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

function pick(record: BounceRecord): Omit<Verdict, "json"> {
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

export function createSink(mode: OutputMode, stream: NodeJS.WriteStream = process.stdout): RecordSink {
  const bytes = new OutputBytes();
  let count = 0;
  const flush = async () => {
    if (bytes.length === 0) return;
    if (!bytes.writeTo(stream)) await new Promise<void>((resolve) => stream.once("drain", resolve));
  };
  const format = (record: BounceRecord): string => {
    if (mode === "ndjson") return `${jsonRecord(record)}\n`;
    if (mode === "json") return `${count === 0 ? "[\n" : ",\n"}${jsonRecord(record)}`;
    return renderRecord(record, stream);
  };
  return {
    add(record) {
      bytes.append(format(record));
      count++;
    },
    addJson(json) {
      if (mode === "text") throw new Error("addJson needs json or ndjson output");
      bytes.append(mode === "ndjson" ? `${json}\n` : `${count === 0 ? "[\n" : ",\n"}${json}`);
      count++;
    },
    async flushIfFull() {
      if (bytes.length >= FLUSH_AT) await flush();
    },
    async end() {
      if (mode === "json") bytes.append(count === 0 ? "[]\n" : "\n]\n");
      await flush();
    },
  };
}

/**
 * Output encoded record by record into a reused buffer. Joining records into one string first costs
 * more (the joined string is flattened, as two-byte text if any record has a non-Latin-1 character), and
 * so does a fresh Buffer per write.
 */
class OutputBytes {
  private current: Buffer = Buffer.allocUnsafe(4 * FLUSH_AT);
  /** A buffer the stream has finished writing, free for reuse (a pending one is never touched). */
  private spare: Buffer | null = null;
  length = 0;

  append(text: string): void {
    const needed = this.length + text.length * 3; // at most 3 UTF-8 bytes per UTF-16 unit
    if (needed > this.current.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.current.length));
      this.current.copy(grown, 0, 0, this.length);
      this.current = grown;
    }
    this.length += this.current.write(text, this.length, "utf8");
  }

  /** Hands the bytes to the stream; stream.write's result (false: wait for drain). */
  writeTo(stream: NodeJS.WriteStream): boolean {
    const sent = this.current;
    const ok = stream.write(sent.subarray(0, this.length), () => {
      this.spare = sent;
    });
    this.current = this.spare ?? Buffer.allocUnsafe(sent.length);
    this.spare = null;
    this.length = 0;
    return ok;
  }
}
