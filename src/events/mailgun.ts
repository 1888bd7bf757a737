import type { EventType } from "./event.ts";
import { jsonRecords } from "./json-records.ts";
import { cleanStatus, leadingReplyCode, leadingStatus } from "./reply.ts";
import type { EventSource, Out } from "./source.ts";
import { newEvent, problem } from "./source.ts";
import type { JsonObject } from "./values.ts";
import { domainOf, first, int, isObject, isoTime, obj, own, str } from "./values.ts";

/** Mailgun event names (documentation.mailgun.com, "Events" / webhooks `event-data.event`). */
const EVENT_TYPES: Record<string, EventType> = {
  accepted: "sent",
  delivered: "delivered",
  rejected: "dropped",
  opened: "open",
  clicked: "click",
  unsubscribed: "unsubscribe",
  complained: "complaint",
};

export const mailgun: EventSource = {
  id: "mailgun",
  source: "https://documentation.mailgun.com/docs/mailgun/user-manual/events/",
  detect: (head) =>
    /"event-data"\s*:/.test(head) ||
    (/"event"\s*:/.test(head) && /"recipient-domain"|"delivery-status"|"log-level"/.test(head)),
  create: (context) =>
    jsonRecords(context, (value, lineNo, out) => {
      // A webhook body ({signature, event-data}), a bare event, or an Events API page ({items: […]}).
      if (isObject(value) && Array.isArray(value.items)) {
        for (const item of value.items) mailgunEvent(item, context.file, lineNo, out);
      } else if (Array.isArray(value)) {
        for (const item of value) mailgunEvent(item, context.file, lineNo, out);
      } else mailgunEvent(value, context.file, lineNo, out);
    }),
};

function mailgunEvent(value: unknown, file: string, lineNo: number, out: Out): void {
  const data = isObject(value) && isObject(value["event-data"]) ? value["event-data"] : value;
  if (!isObject(data)) {
    out.push(problem(file, lineNo, "Mailgun event is not an object"));
    return;
  }
  const name = str(data.event);
  const type = name === "failed" ? failedType(data) : own(EVENT_TYPES, name);
  if (type === undefined) {
    if (!name) out.push(problem(file, lineNo, "Mailgun event without `event`", JSON.stringify(data)));
    return; // stored, list_member_uploaded… are not delivery events
  }
  const event = newEvent(type, file, lineNo);
  event.time = isoTime(data.timestamp);
  event.recipient = str(data.recipient);
  event.eventId = str(data.id);
  const envelope = obj(data.envelope);
  const headers = obj(obj(data.message)?.headers);
  event.messageId = str(headers?.["message-id"]);
  event.sender = str(envelope?.sender);
  event.sendingDomain = domainOf(event.sender);
  event.campaign =
    str(obj(data["user-variables"])?.campaign_id) ?? first(data.tags) ?? campaignName(data.campaigns);
  if (type === "open" || type === "click" || type === "unsubscribe" || type === "complaint") {
    event.readerIp = str(data.ip);
    event.userAgent = str(obj(data["client-info"])?.["user-agent"]);
  } else event.sendingIp = str(envelope?.["sending-ip"]);
  event.url = str(data.url);
  const status = obj(data["delivery-status"]);
  if (status) {
    const message = str(status.message) ?? str(status.description);
    const code = int(status.code);
    event.replyCode = code;
    event.reply =
      message && code !== null && leadingReplyCode(message) === null ? `${code} ${message}` : message;
    event.status = cleanStatus(str(status["enhanced-code"])) ?? (message ? leadingStatus(message) : null);
    event.remoteMta = str(status["mx-host"])?.toLowerCase() ?? null;
  }
  event.sourceLabel = [str(data.severity), str(data.reason)].filter(Boolean).join("/") || null;
  const reason = str(data.reason) ?? "";
  if (reason.startsWith("suppress-")) event.reasonHint = "suppressed";
  if (type === "complaint") event.reasonHint = "feedback";
  out.push(event);
}

/** `failed` is a deferral when temporary, a bounce when permanent, and "not attempted" when suppressed. */
function failedType(data: JsonObject): EventType {
  if (str(data.reason)?.startsWith("suppress-")) return "dropped";
  return str(data.severity) === "temporary" ? "deferred" : "bounced";
}

function campaignName(campaigns: unknown): string | null {
  if (!Array.isArray(campaigns) || campaigns.length === 0) return null;
  const firstCampaign = campaigns[0];
  return isObject(firstCampaign) ? (str(firstCampaign.id) ?? str(firstCampaign.name)) : str(firstCampaign);
}
