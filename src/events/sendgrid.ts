import type { EventType } from "./event.ts";
import type { FieldTable } from "./field-table.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

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
export const READER_IP_EVENTS: readonly EventType[] = ["open", "click", "unsubscribe", "complaint"];

const reply = { first: ["response", "reason"] } as const;

export const SENDGRID_TABLE: FieldTable = {
  format: "sendgrid",
  source: "https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event",
  label: "SendGrid event",
  shape: "json",
  name: "event",
  // group_resubscribe and future events are not part of the program picture: skipped.
  type: { lookup: SENDGRID_EVENT_TYPES, key: "event" },
  unknown: { cond: { not: { present: "event" } }, message: "SendGrid event without `event`" },
  fields: {
    time: { fn: "isoTime", args: [{ path: "timestamp", as: "number" }] },
    recipient: "email",
    eventId: "sg_event_id",
    messageId: { first: [{ fn: "stripAngles", args: ["smtp-id"] }, "sg_message_id"] },
    campaign: { first: ["campaign_id", { path: "category", as: "first" }] },
    pool: { first: ["ip_pool", "ip_pool_name"] },
    readerIp: { when: { type: READER_IP_EVENTS }, use: "ip" },
    sendingIp: { when: { type: READER_IP_EVENTS }, use: { value: null }, otherwise: "ip" },
    userAgent: "useragent",
    url: "url",
    machineOpen: {
      when: { type: ["open"] },
      use: { fn: "bool", args: [{ path: "sg_machine_open", as: "bool" }] },
    },
    reply,
    replyCode: { fn: "leadingReplyCode", args: [{ field: "reply" }] },
    status: {
      first: [
        { fn: "cleanStatus", args: ["status"] },
        { fn: "leadingStatus", args: [{ field: "reply" }] },
      ],
    },
    sourceLabel: { join: ["type", "bounce_classification"], sep: "/" },
    // `dropped` reasons that mean "on a suppression list" rather than "bad address".
    reasonHint: {
      when: {
        any: [
          {
            all: [
              { type: ["dropped"] },
              {
                match: [
                  { field: "reply" },
                  "^(Bounced Address|Unsubscribed Address|Spam Reporting Address)$",
                ],
              },
            ],
          },
          { type: ["complaint"] },
        ],
      },
      use: { when: { type: ["complaint"] }, use: { value: "feedback" }, otherwise: { value: "suppressed" } },
    },
    stream: {
      first: ["stream", { when: { present: "marketing_campaign_id" }, use: { value: "marketing" } }],
    },
  },
};

export const sendgrid: EventSource = {
  id: "sendgrid",
  source: SENDGRID_TABLE.source,
  table: SENDGRID_TABLE,
  detect: (head) => /"sg_(?:event|message)_id"\s*:/.test(head) || /"smtp-id"\s*:/.test(head),
  create: (context) => tableParser(SENDGRID_TABLE, context),
};
