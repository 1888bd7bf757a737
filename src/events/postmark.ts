import type { Reason } from "../bounce/vocabulary.ts";
import type { EventType } from "./event.ts";
import { jsonEvents } from "./json-records.ts";
import { leadingReplyCode, leadingStatus, stripDiagnosticType } from "./reply.ts";
import type { EventSource, Out } from "./source.ts";
import { newEvent, problem } from "./source.ts";
import type { JsonObject } from "./values.ts";
import { bool, domainOf, isObject, isoTime, obj, own, str } from "./values.ts";

/**
 * Bounce `Type`s that are not failures of delivery (Postmark "Bounce webhook" type table). Everything else
 * with RecordType Bounce is a bounce; its reply decides the class.
 */
const BOUNCE_TYPES: Record<string, { type: EventType | null; hint: Reason | null }> = {
  SpamComplaint: { type: "complaint", hint: "feedback" },
  SpamNotification: { type: "complaint", hint: "feedback" },
  Unsubscribe: { type: "unsubscribe", hint: null },
  ManuallyDeactivated: { type: "dropped", hint: "suppressed" },
  AutoResponder: { type: null, hint: null },
  Subscribe: { type: null, hint: null },
  ChallengeVerification: { type: null, hint: null },
  OpenRelayTest: { type: null, hint: null },
  AddressChange: { type: "bounced", hint: "hasmoved" },
};

/** Postmark's default transactional stream is `outbound`; broadcast streams carry marketing. */
const STREAMS: Record<string, string> = {
  outbound: "transactional",
  broadcast: "marketing",
  broadcasts: "marketing",
};

export const postmark: EventSource = {
  id: "postmark",
  source: "https://postmarkapp.com/developer/webhooks/webhooks-overview",
  detect: (head) => /"RecordType"\s*:/.test(head),
  create: (context) => jsonEvents(context, postmarkRecord),
};

function postmarkRecord(value: unknown, file: string, lineNo: number, out: Out): void {
  if (!isObject(value)) {
    out.push(problem(file, lineNo, "Postmark record is not an object"));
    return;
  }
  const kind = str(value.RecordType);
  let type: EventType | null = null;
  let hint: Reason | null = null;
  if (kind === "Bounce") {
    const known = own(BOUNCE_TYPES, str(value.Type));
    type = known ? known.type : "bounced";
    hint = known ? known.hint : null;
  } else if (kind === "Delivery") type = "delivered";
  else if (kind === "Open") type = "open";
  else if (kind === "Click") type = "click";
  else if (kind === "SpamComplaint") {
    type = "complaint";
    hint = "feedback";
  } else if (kind === "SubscriptionChange")
    type = bool(value.SuppressSending) === false ? null : "unsubscribe";
  else if (!kind)
    out.push(problem(file, lineNo, "Postmark record without RecordType", JSON.stringify(value)));
  if (!type) return;
  const event = newEvent(type, file, lineNo);
  event.recipient = str(value.Email) ?? str(value.Recipient);
  event.time = isoTime(
    value.BouncedAt ?? value.DeliveredAt ?? value.ReceivedAt ?? value.ChangedAt ?? value.FirstOpen ?? null,
  );
  event.eventId = str(value.ID) ? `${kind}/${str(value.ID)}` : null;
  event.messageId = str(value.MessageID);
  event.sender = str(value.From);
  event.sendingDomain = domainOf(event.sender);
  const metadata = obj(value.Metadata);
  event.campaign = str(metadata?.campaign_id) ?? str(value.Tag);
  const stream = str(value.MessageStream);
  event.stream = stream ? (own(STREAMS, stream) ?? stream) : null;
  fillReply(event, value);
  event.sourceLabel = str(value.Type) ?? str(value.SuppressionReason);
  event.reasonHint = hint;
  event.userAgent = str(value.UserAgent);
  event.url = str(value.OriginalLink);
  out.push(event);
}

function fillReply(event: ReturnType<typeof newEvent>, value: JsonObject): void {
  const details = str(value.Details);
  const text = details && details !== "" ? stripDiagnosticType(details) : str(value.Description);
  if (!text || event.type === "open" || event.type === "click") return;
  event.reply = text;
  event.replyCode = leadingReplyCode(text);
  event.status = leadingStatus(text);
}
