import type { EventType } from "./event.ts";
import type { FieldTable } from "./field-table.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

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

const ENGAGEMENT: EventType[] = ["open", "click", "unsubscribe", "complaint"];
const suppressed = { prefix: ["reason", "suppress-"] } as const;
const message = { first: ["delivery-status.message", "delivery-status.description"] } as const;

export const MAILGUN_TABLE: FieldTable = {
  format: "mailgun",
  source: "https://documentation.mailgun.com/docs/mailgun/user-manual/events/",
  label: "Mailgun event",
  shape: "json",
  // An Events API page ({items: […]}); a webhook body ({signature, event-data}) or a bare event.
  pages: "items",
  roots: ["event-data", ""],
  name: "event",
  // `failed` is a deferral when temporary, a bounce when permanent, and "not attempted" when suppressed;
  // stored, list_member_uploaded… are not delivery events.
  type: {
    when: { eq: ["event", "failed"] },
    use: {
      when: suppressed,
      use: { value: "dropped" },
      otherwise: {
        when: { eq: ["severity", "temporary"] },
        use: { value: "deferred" },
        otherwise: { value: "bounced" },
      },
    },
    otherwise: { lookup: EVENT_TYPES, key: "event" },
  },
  unknown: { cond: { not: { present: "event" } }, message: "Mailgun event without `event`" },
  // `message.headers.message-id` is the message's header: the docs show it without brackets, a copy of a
  // header may keep them.
  headerMessageId: true,
  fields: {
    time: { fn: "isoTime", args: [{ path: "timestamp", as: "number" }] },
    recipient: "recipient",
    eventId: "id",
    messageId: "message.headers.message-id",
    sender: "envelope.sender",
    sendingDomain: { fn: "domainOf", args: ["envelope.sender"] },
    campaign: { first: ["user-variables.campaign_id", { path: "tags", as: "first" }] },
    readerIp: { when: { type: ENGAGEMENT }, use: "ip" },
    userAgent: { when: { type: ENGAGEMENT }, use: "client-info.user-agent" },
    sendingIp: { when: { type: ENGAGEMENT }, use: { value: null }, otherwise: "envelope.sending-ip" },
    url: "url",
    replyCode: { fn: "int", args: [{ path: "delivery-status.code", as: "number" }] },
    reply: { fn: "replyWithCode", args: [message, { field: "replyCode" }] },
    status: {
      first: [
        { fn: "cleanStatus", args: ["delivery-status.enhanced-code"] },
        { fn: "leadingStatus", args: [message] },
      ],
    },
    remoteMta: { fn: "lower", args: ["delivery-status.mx-host"] },
    sourceLabel: { join: ["severity", "reason"], sep: "/" },
    reasonHint: {
      when: { type: ["complaint"] },
      use: { value: "feedback" },
      otherwise: { when: suppressed, use: { value: "suppressed" } },
    },
  },
};

export const mailgun: EventSource = {
  id: "mailgun",
  source: MAILGUN_TABLE.source,
  table: MAILGUN_TABLE,
  detect: (head) =>
    /"event-data"\s*:/.test(head) ||
    (/"event"\s*:/.test(head) && /"recipient-domain"|"delivery-status"|"log-level"/.test(head)),
  create: (context) => tableParser(MAILGUN_TABLE, context),
};
