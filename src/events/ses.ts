import type { DeliveryEvent, EventType } from "./event.ts";
import { jsonEvents } from "./json-records.ts";
import { cleanStatus, leadingReplyCode, leadingStatus, stripDiagnosticType } from "./reply.ts";
import type { EventSource, Out } from "./source.ts";
import { newEvent, problem } from "./source.ts";
import type { JsonObject } from "./values.ts";
import { domainOf, first, isObject, isoTime, obj, own, str } from "./values.ts";

/**
 * Amazon SES notifications (`notificationType`) and event publishing (`eventType`), raw or inside an SNS
 * envelope whose `Message` is the notification as a JSON string.
 */
export const ses: EventSource = {
  id: "ses",
  source:
    "https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html; https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html",
  detect: (head) =>
    /"notificationType"|\\"notificationType\\"|"eventType"\s*:|\\"eventType\\"/.test(head) &&
    /mail/.test(head),
  create: (context) => jsonEvents(context, sesRecord),
};

function sesRecord(value: unknown, file: string, lineNo: number, out: Out): void {
  if (!isObject(value)) {
    out.push(problem(file, lineNo, "SES notification is not an object"));
    return;
  }
  let note: unknown = value;
  if (typeof value.Message === "string" && str(value.Type)) {
    if (value.Type !== "Notification") return; // SubscriptionConfirmation / UnsubscribeConfirmation
    try {
      note = JSON.parse(value.Message);
    } catch {
      out.push(problem(file, lineNo, "SNS Message is not JSON", value.Message));
      return;
    }
  }
  if (!isObject(note)) {
    out.push(problem(file, lineNo, "SES notification is not an object"));
    return;
  }
  const kind = str(note.notificationType) ?? str(note.eventType);
  if (!kind) {
    out.push(problem(file, lineNo, "SES record without notificationType/eventType", JSON.stringify(note)));
    return;
  }
  const mail = obj(note.mail) ?? {};
  const make = (type: EventType, recipient: string | null, time: unknown): DeliveryEvent => {
    const event = newEvent(type, file, lineNo);
    event.recipient = recipient;
    event.time = isoTime(time) ?? isoTime(mail.timestamp);
    event.messageId = str(mail.messageId);
    event.sender = str(mail.source);
    event.sendingDomain = domainOf(event.sender);
    const tags = obj(mail.tags);
    event.campaign = first(tags?.campaign_id) ?? first(tags?.campaign);
    event.stream = first(tags?.stream);
    return event;
  };
  const handler = own(HANDLERS, kind);
  if (handler) handler(note, mail, make, out);
}

type Make = (type: EventType, recipient: string | null, time: unknown) => DeliveryEvent;
type Handler = (note: JsonObject, mail: JsonObject, make: Make, out: Out) => void;

/** Per-recipient lists (`bouncedRecipients`…) or the mail's destination list. */
function recipients(list: unknown, key: string | null): unknown[] {
  if (!Array.isArray(list)) return [];
  return key ? list.filter(isObject) : list;
}

function withReply(event: DeliveryEvent, text: string | null, status: string | null): void {
  if (text) {
    event.reply = stripDiagnosticType(text);
    event.replyCode = leadingReplyCode(event.reply);
  }
  event.status = cleanStatus(status) ?? (event.reply ? leadingStatus(event.reply) : null);
}

const HANDLERS: Record<string, Handler> = {
  Send: (_note, mail, make, out) => {
    for (const to of recipients(mail.destination, null)) out.push(make("sent", str(to), mail.timestamp));
  },
  Delivery: (note, mail, make, out) => {
    const delivery = obj(note.delivery) ?? {};
    const list = Array.isArray(delivery.recipients) ? delivery.recipients : mail.destination;
    for (const to of recipients(list, null)) {
      const event = make("delivered", str(to), delivery.timestamp);
      withReply(event, str(delivery.smtpResponse), null);
      event.remoteMta = str(delivery.remoteMtaIp);
      out.push(event);
    }
  },
  Bounce: (note, _mail, make, out) => {
    const bounce = obj(note.bounce) ?? {};
    const subType = str(bounce.bounceSubType);
    const suppressed = subType === "Suppressed" || subType === "OnAccountSuppressionList";
    for (const item of recipients(bounce.bouncedRecipients, "emailAddress") as JsonObject[]) {
      const event = make(suppressed ? "dropped" : "bounced", str(item.emailAddress), bounce.timestamp);
      withReply(event, str(item.diagnosticCode), str(item.status));
      event.remoteMta = str(bounce.remoteMtaIp);
      event.eventId = idFor(str(bounce.feedbackId), event.recipient);
      // SES' bounceType is kept as a label only: it calls some permanent replies Transient.
      event.sourceLabel = [str(bounce.bounceType), subType].filter(Boolean).join("/") || null;
      if (suppressed) event.reasonHint = "suppressed";
      out.push(event);
    }
  },
  Complaint: (note, _mail, make, out) => {
    const complaint = obj(note.complaint) ?? {};
    for (const item of recipients(complaint.complainedRecipients, "emailAddress") as JsonObject[]) {
      const event = make("complaint", str(item.emailAddress), complaint.timestamp);
      event.eventId = idFor(str(complaint.feedbackId), event.recipient);
      event.feedbackType = str(complaint.complaintFeedbackType);
      event.sourceLabel = event.feedbackType;
      event.userAgent = str(complaint.userAgent);
      event.reasonHint = "feedback";
      out.push(event);
    }
  },
  DeliveryDelay: (note, _mail, make, out) => {
    const delay = obj(note.deliveryDelay) ?? {};
    for (const item of recipients(delay.delayedRecipients, "emailAddress") as JsonObject[]) {
      const event = make("deferred", str(item.emailAddress), delay.timestamp);
      withReply(event, str(item.diagnosticCode), str(item.status));
      event.sourceLabel = str(delay.delayType);
      out.push(event);
    }
  },
  Reject: (note, mail, make, out) => {
    const reject = obj(note.reject) ?? {};
    for (const to of recipients(mail.destination, null)) {
      const event = make("dropped", str(to), mail.timestamp);
      event.reply = str(reject.reason);
      out.push(event);
    }
  },
  Open: (note, mail, make, out) => engagement("open", obj(note.open) ?? {}, mail, make, out),
  Click: (note, mail, make, out) => engagement("click", obj(note.click) ?? {}, mail, make, out),
  Subscription: (note, mail, make, out) => {
    const subscription = obj(note.subscription) ?? {};
    for (const to of recipients(mail.destination, null)) {
      out.push(make("unsubscribe", str(to), subscription.timestamp));
    }
  },
};

function engagement(type: "open" | "click", detail: JsonObject, mail: JsonObject, make: Make, out: Out) {
  for (const to of recipients(mail.destination, null)) {
    const event = make(type, str(to), detail.timestamp);
    event.readerIp = str(detail.ipAddress);
    event.userAgent = str(detail.userAgent);
    event.url = str(detail.link);
    out.push(event);
  }
}

function idFor(feedbackId: string | null, recipient: string | null): string | null {
  return feedbackId ? `${feedbackId}/${recipient ?? ""}` : null;
}
