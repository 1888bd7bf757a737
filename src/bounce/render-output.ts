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
