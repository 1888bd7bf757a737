import { byFeedbackType, type Cond, type FieldTable, notAComplaint } from "./field-table.ts";

/**
 * The documented generic schema (docs/FORMATS.md) shared by the CSV and NDJSON readers: field name →
 * DeliveryEvent field. Only `type` is required; `recipient` is expected for everything but `sent` batches.
 */
export const GENERIC_FIELDS = [
  { name: "time", meaning: "ISO 8601 / RFC 3339 (zone-less → --tz), or unix seconds/milliseconds" },
  { name: "recipient", meaning: "recipient address" },
  {
    name: "type",
    meaning: "sent | delivered | deferred | bounced | dropped | open | click | unsubscribe | complaint",
  },
  { name: "campaign", meaning: "campaign / job id" },
  { name: "sending_ip", meaning: "the IP the message left from (never a reader's IP)" },
  { name: "pool", meaning: "IP pool / virtual MTA" },
  { name: "sending_domain", meaning: "domain the mail is sent from (default: domain of `sender`)" },
  { name: "stream", meaning: "transactional | marketing" },
  { name: "reply", meaning: "SMTP reply / diagnostic text (bounces, deferrals)" },
  { name: "reply_code", meaning: "SMTP reply code (default: read from `reply`)" },
  { name: "status", meaning: "enhanced status such as 5.7.1 (default: read from `reply`)" },
  { name: "event_id", meaning: "unique id of the event (dedupe)" },
  { name: "message_id", meaning: "Message-ID" },
  { name: "machine_open", meaning: "true/false/1/0: an open known to be a machine (Apple MPP) or human" },
  { name: "sender", meaning: "envelope sender" },
  { name: "remote_mta", meaning: "receiving server host name" },
  { name: "reader_ip", meaning: "reader's IP for opens/clicks" },
  { name: "user_agent", meaning: "reader's user agent" },
  { name: "url", meaning: "clicked URL" },
  { name: "source_label", meaning: "the source's own classification (kept as a label)" },
  { name: "feedback_type", meaning: "ARF feedback type for complaints" },
] as const;

/** Other names accepted for the same fields (common exports use them). */
export const GENERIC_ALIASES: Readonly<Record<string, string>> = {
  timestamp: "time",
  email: "recipient",
  rcpt: "recipient",
  event: "type",
  campaign_id: "campaign",
  ip: "sending_ip",
  response: "reply",
  diagnostic: "reply",
  code: "reply_code",
  id: "event_id",
};

/** The field of a column or key name (trimmed, case-insensitive, aliases resolved). */
export function canonicalField(name: string): string {
  const key = name.trim().toLowerCase();
  return Object.hasOwn(GENERIC_ALIASES, key) ? GENERIC_ALIASES[key] : key;
}

const reply = { field: "reply" } as const;

const complaint: Cond = { eq: [{ fn: "eventType", args: ["type"] }, "complaint"] };

/** One table for both shapes: CSV columns and NDJSON keys carry the same names. */
function genericTable(shape: "csv" | "json"): FieldTable {
  return {
    format: shape === "csv" ? "csv" : "ndjson",
    source: "docs/FORMATS.md (deliverlens generic schema)",
    label: "record",
    shape,
    aliases: GENERIC_ALIASES,
    csv: { required: ["type"], headerProblem: "generic CSV header needs a `type` column (docs/FORMATS.md)" },
    name: "type",
    // A complaint is what its feedback type says (not-spam, virus, auth-failure: skipped, not unknown).
    type: byFeedbackType(complaint, "feedback_type", { fn: "eventType", args: ["type"] }),
    unknown: {
      cond: { not: notAComplaint(complaint, "feedback_type") },
      message: "unknown event type {name}",
    },
    // An export's `message_id`: as the header has it or without the brackets (docs/FORMATS.md).
    headerMessageId: true,
    fields: {
      time: { fn: "genericTime", args: [{ path: "time", as: "json" }] },
      recipient: "recipient",
      campaign: "campaign",
      sendingIp: "sending_ip",
      pool: "pool",
      sender: "sender",
      sendingDomain: { first: ["sending_domain", { fn: "domainOf", args: ["sender"] }] },
      stream: "stream",
      reply: { fn: "stripDiagnosticType", args: ["reply"] },
      replyCode: {
        first: [
          { fn: "int", args: [{ path: "reply_code", as: "json" }] },
          { fn: "leadingReplyCode", args: [reply] },
        ],
      },
      status: {
        first: [
          { fn: "cleanStatus", args: ["status"] },
          { fn: "leadingStatus", args: [reply] },
        ],
      },
      eventId: "event_id",
      messageId: "message_id",
      machineOpen: { fn: "bool", args: [{ path: "machine_open", as: "json" }] },
      remoteMta: { fn: "lower", args: ["remote_mta"] },
      readerIp: "reader_ip",
      userAgent: "user_agent",
      url: "url",
      sourceLabel: "source_label",
      feedbackType: "feedback_type",
      reasonHint: { when: { type: ["complaint"] }, use: { value: "feedback" } },
    },
    checks: [
      {
        cond: { any: [{ not: { present: "time" } }, { present: { field: "time" } }] },
        message: "unreadable time",
      },
    ],
  };
}

export const GENERIC_CSV_TABLE = genericTable("csv");
export const GENERIC_NDJSON_TABLE = genericTable("json");
