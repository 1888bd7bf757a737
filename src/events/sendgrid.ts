import type { EventType } from "./event.ts";
import { jsonEvents } from "./json-records.ts";
import { cleanStatus, leadingReplyCode, leadingStatus } from "./reply.ts";
import type { EventSource, Out } from "./source.ts";
import { newEvent, problem } from "./source.ts";
import { bool, first, isObject, isoTime, own, str, stripAngles } from "./values.ts";

/** SendGrid Event Webhook `event` names (docs.sendgrid.com, "Event Webhook Reference"). */
export const SENDGRID_EVENT_TYPES: Readonly<Record<string, EventType>> = {
  processed: "sent",
  delivered: "delivered",
  deferred: "deferred",
  bounce: "bounced",
  blocked: "bounced",
  dropped: "dropped",
  open: "open",
  click: "click",
  unsubscribe: "unsubscribe",
  group_unsubscribe: "unsubscribe",
  spamreport: "complaint",
};

/** Events where `ip` is the reader's (engagement); elsewhere it is the sending IP. */
export const READER_IP_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  "open",
  "click",
  "unsubscribe",
  "complaint",
]);

/** `dropped` reasons that mean "on a suppression list" rather than "bad address". */
const SUPPRESSION_REASONS = /^(?:Bounced Address|Unsubscribed Address|Spam Reporting Address)$/i;

export const sendgrid: EventSource = {
  id: "sendgrid",
  source: "https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event",
  detect: (head) => /"sg_(?:event|message)_id"\s*:/.test(head) || /"smtp-id"\s*:/.test(head),
  create: (context) => jsonEvents(context, sendgridEvent),
};

function sendgridEvent(value: unknown, file: string, lineNo: number, out: Out): void {
  if (!isObject(value)) {
    out.push(problem(file, lineNo, "SendGrid event is not an object"));
    return;
  }
  const name = str(value.event);
  const type = own(SENDGRID_EVENT_TYPES, name);
  if (type === undefined) {
    if (!name) out.push(problem(file, lineNo, "SendGrid event without `event`", JSON.stringify(value)));
    return; // group_resubscribe and future events are not part of the program picture
  }
  const event = newEvent(type, file, lineNo);
  event.time = isoTime(value.timestamp);
  event.recipient = str(value.email);
  event.eventId = str(value.sg_event_id);
  event.messageId = stripAngles(str(value["smtp-id"])) ?? str(value.sg_message_id);
  event.campaign = str(value.campaign_id) ?? first(value.category);
  event.pool = str(value.ip_pool) ?? str(value.ip_pool_name);
  const ip = str(value.ip);
  if (READER_IP_EVENTS.has(type)) event.readerIp = ip;
  else event.sendingIp = ip;
  event.userAgent = str(value.useragent);
  event.url = str(value.url);
  if (type === "open") event.machineOpen = bool(value.sg_machine_open);
  const reply = str(value.response) ?? str(value.reason);
  if (reply) {
    event.reply = reply;
    event.replyCode = leadingReplyCode(reply);
  }
  event.status = cleanStatus(str(value.status)) ?? (reply ? leadingStatus(reply) : null);
  const labels = [str(value.type), str(value.bounce_classification)].filter(Boolean);
  event.sourceLabel = labels.length > 0 ? labels.join("/") : null;
  if (type === "dropped" && reply && SUPPRESSION_REASONS.test(reply)) event.reasonHint = "suppressed";
  if (type === "complaint") event.reasonHint = "feedback";
  event.stream = str(value.stream) ?? (str(value.marketing_campaign_id) ? "marketing" : null);
  out.push(event);
}
