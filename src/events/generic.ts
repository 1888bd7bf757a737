import type { DeliveryEvent, EventType } from "./event.ts";
import { EVENT_TYPES } from "./event.ts";
import { cleanStatus, leadingReplyCode, leadingStatus, stripDiagnosticType } from "./reply.ts";
import { newEvent } from "./source.ts";
import { zonedIso } from "./syslog-time.ts";
import { bool, domainOf, int, isoTime, own, str } from "./values.ts";

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
const ALIASES: Record<string, string> = {
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

const TYPE_ALIASES: Record<string, EventType> = {
  processed: "sent",
  accepted: "sent",
  injection: "sent",
  delivery: "delivered",
  deferral: "deferred",
  delay: "deferred",
  bounce: "bounced",
  failed: "bounced",
  opened: "open",
  clicked: "click",
  unsubscribed: "unsubscribe",
  spamreport: "complaint",
  complained: "complaint",
};

export function canonicalField(name: string): string {
  const key = name.trim().toLowerCase();
  return own(ALIASES, key) ?? key;
}

export function eventType(value: string | null): EventType | null {
  if (!value) return null;
  const key = value.trim().toLowerCase();
  if (Object.hasOwn(EVENT_TYPES, key)) return key as EventType;
  return own(TYPE_ALIASES, key) ?? null;
}

/**
 * One generic record → event; `get` reads a canonical field. Returns a problem message instead when
 * the record is unusable.
 */
export function genericEvent(
  get: (name: string) => unknown,
  file: string,
  lineNo: number,
  tz: string,
): DeliveryEvent | string {
  const rawType = str(get("type"));
  const type = eventType(rawType);
  if (!type) return `unknown event type ${JSON.stringify(rawType ?? "")}`;
  const event = newEvent(type, file, lineNo);
  const time = get("time");
  if (time !== undefined && time !== null && time !== "") {
    event.time =
      typeof time === "string" && /^\d{4}-/.test(time) ? zonedIso(withClock(time.trim()), tz) : isoTime(time);
    if (!event.time) return `unreadable time ${JSON.stringify(time)}`;
  }
  event.recipient = str(get("recipient"));
  event.campaign = str(get("campaign"));
  event.sendingIp = str(get("sending_ip"));
  event.pool = str(get("pool"));
  event.sender = str(get("sender"));
  event.sendingDomain = str(get("sending_domain")) ?? domainOf(event.sender);
  event.stream = str(get("stream"));
  const reply = str(get("reply"));
  if (reply) event.reply = stripDiagnosticType(reply);
  event.replyCode = int(get("reply_code")) ?? (event.reply ? leadingReplyCode(event.reply) : null);
  event.status = cleanStatus(str(get("status"))) ?? (event.reply ? leadingStatus(event.reply) : null);
  event.eventId = str(get("event_id"));
  event.messageId = str(get("message_id"));
  event.machineOpen = bool(get("machine_open"));
  event.remoteMta = str(get("remote_mta"))?.toLowerCase() ?? null;
  event.readerIp = str(get("reader_ip"));
  event.userAgent = str(get("user_agent"));
  event.url = str(get("url"));
  event.sourceLabel = str(get("source_label"));
  event.feedbackType = str(get("feedback_type"));
  if (type === "complaint") event.reasonHint = "feedback";
  return event;
}

/** A date alone means its midnight (in --tz). */
function withClock(stamp: string): string {
  return /^\d{4}-\d\d-\d\d$/.test(stamp) ? `${stamp} 00:00:00` : stamp;
}
