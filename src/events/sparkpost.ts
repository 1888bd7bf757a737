import type { EventType } from "./event.ts";
import { jsonEvents } from "./json-records.ts";
import { leadingReplyCode, leadingStatus } from "./reply.ts";
import type { EventSource, Out } from "./source.ts";
import { newEvent, problem } from "./source.ts";
import { bool, domainOf, int, isObject, isoTime, own, str } from "./values.ts";

/** SparkPost event `type`s (developers.sparkpost.com/api/events). */
const EVENT_TYPES: Record<string, EventType> = {
  injection: "sent",
  delivery: "delivered",
  delay: "deferred",
  bounce: "bounced",
  out_of_band: "bounced",
  policy_rejection: "dropped",
  generation_rejection: "dropped",
  generation_failure: "dropped",
  spam_complaint: "complaint",
  open: "open",
  initial_open: "open",
  amp_open: "open",
  amp_initial_open: "open",
  click: "click",
  amp_click: "click",
  list_unsubscribe: "unsubscribe",
  link_unsubscribe: "unsubscribe",
};

const ENGAGEMENT = new Set<EventType>(["open", "click", "unsubscribe"]);

export const sparkpost: EventSource = {
  id: "sparkpost",
  source: "https://developers.sparkpost.com/api/events/",
  detect: (head) => /"msys"\s*:/.test(head),
  create: (context) => jsonEvents(context, sparkpostRecord),
};

function sparkpostRecord(value: unknown, file: string, lineNo: number, out: Out): void {
  const msys = isObject(value) ? value.msys : undefined;
  if (!isObject(msys)) {
    out.push(problem(file, lineNo, "SparkPost record without `msys`"));
    return;
  }
  // {msys: {}} is SparkPost's webhook ping; relay_event / gen_event carry no delivery outcome we use.
  const body = msys.message_event ?? msys.track_event ?? msys.unsubscribe_event;
  if (!isObject(body)) return;
  const name = str(body.type);
  const type = own(EVENT_TYPES, name);
  if (type === undefined) return;
  const event = newEvent(type, file, lineNo);
  event.time = isoTime(body.timestamp);
  event.recipient = str(body.rcpt_to) ?? str(body.raw_rcpt_to);
  event.eventId = str(body.event_id);
  event.messageId = str(body.message_id);
  event.campaign = str(body.campaign_id);
  event.sender = str(body.msg_from) ?? str(body.friendly_from);
  event.sendingDomain = str(body.sending_domain) ?? domainOf(event.sender);
  event.pool = str(body.ip_pool);
  const transactional = bool(body.transactional);
  event.stream = transactional === null ? null : transactional ? "transactional" : "marketing";
  if (ENGAGEMENT.has(type)) {
    event.readerIp = str(body.ip_address);
    event.userAgent = str(body.user_agent);
    event.url = str(body.target_link_url);
  } else {
    event.sendingIp = str(body.sending_ip);
    // On message events ip_address is the receiving host's address.
    event.remoteMta = str(body.ip_address);
  }
  const reply = str(body.raw_reason) ?? str(body.reason);
  if (reply) {
    event.reply = reply;
    event.replyCode = leadingReplyCode(reply) ?? int(body.error_code);
    event.status = leadingStatus(reply);
  }
  const bounceClass = str(body.bounce_class);
  event.sourceLabel = bounceClass ? `bounce_class ${bounceClass}` : null;
  if (type === "complaint") {
    event.reasonHint = "feedback";
    event.feedbackType = str(body.fbtype);
  }
  if (type === "dropped" && name === "policy_rejection") event.sourceLabel ??= "policy_rejection";
  out.push(event);
}
