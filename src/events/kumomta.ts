import type { DeliveryEvent, EventType } from "./event.ts";
import { jsonRecords } from "./json-records.ts";
import { leadingReplyCode } from "./reply.ts";
import type { EventSource, Out } from "./source.ts";
import { newEvent, problem } from "./source.ts";
import type { JsonObject } from "./values.ts";
import { domainOf, int, isObject, isoTime, obj, own, str } from "./values.ts";

/** Record types: KumoMTA docs, reference/log_record (`type`). */
const RECORD_TYPES: Record<string, EventType> = {
  Reception: "sent",
  Delivery: "delivered",
  TransientFailure: "deferred",
  Bounce: "bounced",
  Expiration: "bounced",
  OOB: "bounced",
  AdminBounce: "dropped",
  Feedback: "complaint",
};

const TYPE_FIELD =
  /"type"\s*:\s*"(?:Reception|Delivery|TransientFailure|Bounce|Expiration|OOB|AdminBounce|Feedback)"/;

export const kumomta: EventSource = {
  id: "kumomta",
  source: "https://docs.kumomta.com/reference/log_record/",
  detect: (head) => TYPE_FIELD.test(head) && /"(?:queue|response|egress_pool)"\s*:/.test(head),
  create: (context) =>
    jsonRecords(context, (value, lineNo, out) => kumoRecord(value, context.file, lineNo, out)),
};

function kumoRecord(value: unknown, file: string, lineNo: number, out: Out): void {
  if (!isObject(value)) {
    out.push(problem(file, lineNo, "KumoMTA record is not an object"));
    return;
  }
  const kind = str(value.type);
  const type = own(RECORD_TYPES, kind);
  if (type === undefined) {
    if (!kind) out.push(problem(file, lineNo, "KumoMTA record without a type", JSON.stringify(value)));
    return; // Rejection (inbound), Any… are not sending-program events
  }
  const recipients = Array.isArray(value.recipient) ? value.recipient : [value.recipient];
  for (const recipient of recipients) {
    const event = newEvent(type, file, lineNo);
    event.recipient = str(recipient);
    fill(event, value, kind!);
    out.push(event);
  }
}

function fill(event: DeliveryEvent, record: JsonObject, kind: string): void {
  event.time = isoTime(record.timestamp) ?? isoTime(record.event_time);
  event.sender = str(record.sender);
  event.sendingDomain = domainOf(event.sender);
  const headers = obj(record.headers);
  event.messageId = str(headers?.["Message-ID"] ?? headers?.["Message-Id"]) ?? str(record.id);
  event.campaign = campaignOf(str(record.queue));
  event.pool = str(record.egress_pool);
  const source = record.source_address;
  event.sendingIp = addressOnly(str(isObject(source) ? source.address : source));
  const peer = obj(record.peer_address);
  event.remoteMta = str(peer?.name)?.toLowerCase() ?? str(peer?.addr);
  const response = obj(record.response);
  if (response) {
    const enhanced = obj(response.enhanced_code);
    if (enhanced) {
      const parts = [int(enhanced.class), int(enhanced.subject), int(enhanced.detail)];
      if (parts.every((n) => n !== null)) event.status = parts.join(".");
    }
    // KumoMTA keeps code and enhanced code apart from `content`; the classifier wants the whole reply.
    const content = str(response.content);
    event.replyCode = int(response.code);
    const prefix = [event.replyCode, event.status].filter((part) => part !== null).join(" ");
    event.reply =
      content && prefix && leadingReplyCode(content) === null && !content.startsWith(event.status ?? " ")
        ? `${prefix} ${content}`
        : content;
  }
  event.sourceLabel = str(record.bounce_classification);
  if (kind === "Expiration") event.reasonHint = "expired";
  if (kind === "Feedback") {
    event.reasonHint = "feedback";
    event.feedbackType = str(obj(record.feedback_report)?.feedback_type);
  }
  const meta = obj(record.meta);
  event.campaign ??= str(meta?.campaign) ?? str(meta?.campaign_id);
  event.stream = str(meta?.stream);
}

/** KumoMTA queue names are `[campaign:][tenant@]domain`. */
function campaignOf(queue: string | null): string | null {
  if (!queue) return null;
  const colon = queue.indexOf(":");
  return colon > 0 ? queue.slice(0, colon) : null;
}

/** `10.0.0.1:4321` / `[2001:db8::1]:25` → the address part. */
function addressOnly(value: string | null): string | null {
  if (!value) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1];
  const colon = value.lastIndexOf(":");
  return colon > 0 && value.indexOf(":") === colon ? value.slice(0, colon) : value;
}
