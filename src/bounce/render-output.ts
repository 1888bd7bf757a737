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
  const head = `"recipient":${JSON.stringify(record.recipient)},"source":${JSON.stringify(record.source)},"format":${JSON.stringify(record.format)},"time":${JSON.stringify(record.time)},"provider":${JSON.stringify(record.provider)},"remoteMta":${JSON.stringify(record.remoteMta)},`;
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
  let buffer = "";
  let count = 0;
  const encoder = new ReusedBuffers(stream);
  const flush = async () => {
    if (buffer === "") return;
    const ok = await encoder.write(buffer);
    buffer = "";
    if (!ok) await new Promise<void>((resolve) => stream.once("drain", resolve));
  };
  const format = (record: BounceRecord): string => {
    if (mode === "ndjson") return `${jsonRecord(record)}\n`;
    if (mode === "json") return `${count === 0 ? "[\n" : ",\n"}${jsonRecord(record)}`;
    return renderRecord(record, stream);
  };
  return {
    add(record) {
      buffer += format(record);
      count++;
    },
    addJson(json) {
      if (mode === "text") throw new Error("addJson needs json or ndjson output");
      buffer += mode === "ndjson" ? `${json}\n` : `${count === 0 ? "[\n" : ",\n"}${json}`;
      count++;
    },
    async flushIfFull() {
      if (buffer.length >= FLUSH_AT) await flush();
    },
    async end() {
      if (mode === "json") buffer += count === 0 ? "[]\n" : "\n]\n";
      await flush();
    },
  };
}

interface Slot {
  bytes: Buffer;
  written: Promise<void>;
}

/**
 * Encodes output into two buffers used in turn, each only once the stream has written it: a fresh
 * Buffer per write (stream.write of a string) costs more than the encoding itself.
 */
class ReusedBuffers {
  private readonly stream: NodeJS.WriteStream;
  private readonly slots: Slot[] = [0, 1].map(() => ({
    bytes: Buffer.allocUnsafe(4 * FLUSH_AT),
    written: Promise.resolve(),
  }));
  private next = 0;
  /** Settles when the stream closes: a destroyed stream may never call back. */
  private readonly closed: Promise<void>;

  constructor(stream: NodeJS.WriteStream) {
    this.stream = stream;
    this.closed = new Promise<void>((resolve) => stream.once("close", () => resolve()));
  }

  /** stream.write's result (false: wait for drain). */
  async write(text: string): Promise<boolean> {
    const slot = this.slots[this.next];
    this.next ^= 1;
    await Promise.race([slot.written, this.closed]);
    // At most 3 UTF-8 bytes per UTF-16 unit.
    if (slot.bytes.length < text.length * 3) slot.bytes = Buffer.allocUnsafe(text.length * 3);
    const length = slot.bytes.write(text, 0, "utf8");
    let done = (): void => undefined;
    slot.written = new Promise<void>((resolve) => {
      done = resolve;
    });
    return this.stream.write(slot.bytes.subarray(0, length), () => done());
  }
}
