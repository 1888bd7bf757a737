import type { EventType } from "./event.ts";
import { byFeedbackType, type FieldTable } from "./field-table.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

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

/**
 * SparkPost's other documented event types (developers.sparkpost.com/api/events, "Event types"): relayed
 * inbound mail, SMS, A/B test and ingest events carry no outcome of a sent message and are skipped. Any
 * other `type` is not SparkPost's: a problem, so a file of another format's records is not stored as nothing.
 */
const OTHER_TYPES = [
  "relay_injection",
  "relay_rejection",
  "relay_delivery",
  "relay_tempfail",
  "relay_permfail",
  "sms_status",
  "ab_test_completed",
  "ab_test_cancelled",
  "ingest_success",
  "ingest_error",
];
const DOCUMENTED_TYPES = [...Object.keys(EVENT_TYPES), ...OTHER_TYPES];

const ENGAGEMENT: EventType[] = ["open", "click", "unsubscribe"];
const engagement = { type: ENGAGEMENT } as const;

export const SPARKPOST_TABLE: FieldTable = {
  format: "sparkpost",
  source: "https://developers.sparkpost.com/api/events/",
  label: "SparkPost record",
  shape: "json",
  // An Events API page ({results: […], total_count, links}: GET /api/v1/events/message) holds the same events
  // without the webhook's `msys` wrapper: a record is a webhook batch's element or a bare event with its `type`.
  pages: "results",
  requires: [
    {
      cond: { any: [{ object: "msys" }, { present: "type" }] },
      message: "SparkPost record without `msys` or `type`",
    },
  ],
  // {msys: {}} is SparkPost's webhook ping; relay_event / gen_event carry no delivery outcome we use.
  roots: ["msys.message_event", "msys.track_event", "msys.unsubscribe_event", ""],
  name: "type",
  // A spam complaint is what its feedback type says (not-spam, virus, auth-failure: skipped).
  type: byFeedbackType({ eq: ["type", "spam_complaint"] }, "fbtype", { lookup: EVENT_TYPES, key: "type" }),
  unknown: {
    // A `msys` wrapper of another kind (relay_event, gen_event, the webhook's ping {msys: {}}) is its own
    // root, without a type: skipped (a bare record without one is a problem by `requires`).
    cond: { all: [{ present: "type" }, { not: { oneOf: ["type", DOCUMENTED_TYPES] } }] },
    message: "SparkPost event of unknown type {name}",
  },
  fields: {
    time: { fn: "isoTime", args: ["timestamp"] },
    recipient: { first: ["rcpt_to", "raw_rcpt_to"] },
    eventId: "event_id",
    messageId: "message_id",
    campaign: "campaign_id",
    sender: { first: ["msg_from", "friendly_from"] },
    sendingDomain: { first: ["sending_domain", { fn: "domainOf", args: [{ field: "sender" }] }] },
    pool: "ip_pool",
    stream: {
      when: { present: { fn: "bool", args: [{ path: "transactional", as: "json" }] } },
      use: {
        when: { eq: [{ fn: "bool", args: [{ path: "transactional", as: "json" }] }, "true"] },
        use: { value: "transactional" },
        otherwise: { value: "marketing" },
      },
    },
    readerIp: { when: engagement, use: "ip_address" },
    userAgent: { when: engagement, use: "user_agent" },
    url: { when: engagement, use: "target_link_url" },
    sendingIp: { when: engagement, use: { value: null }, otherwise: "sending_ip" },
    // On message events ip_address is the receiving host's address.
    remoteMta: { when: engagement, use: { value: null }, otherwise: "ip_address" },
    reply: { first: ["raw_reason", "reason"] },
    replyCode: {
      when: { present: { field: "reply" } },
      use: {
        first: [
          { fn: "leadingReplyCode", args: [{ field: "reply" }] },
          { fn: "int", args: ["error_code"] },
        ],
      },
    },
    status: { fn: "leadingStatus", args: [{ field: "reply" }] },
    sourceLabel: {
      first: [
        { when: { present: "bounce_class" }, use: { concat: [{ value: "bounce_class " }, "bounce_class"] } },
        { when: { eq: ["type", "policy_rejection"] }, use: { value: "policy_rejection" } },
      ],
    },
    // A policy rejection of an address on the account's suppression list ("554 5.7.1 recipient address
    // suppressed due to customer policy", bounce class 25 Admin Failure): SparkPost did not send — a drop of a
    // suppressed address, not a receiver's security refusal (its 5.7.1 read alone said so).
    reasonHint: {
      when: { type: ["complaint"] },
      use: { value: "feedback" },
      otherwise: {
        when: {
          all: [{ eq: ["type", "policy_rejection"] }, { match: [{ field: "reply" }, "\\bsuppressed\\b"] }],
        },
        use: { value: "suppressed" },
      },
    },
    feedbackType: { when: { type: ["complaint"] }, use: "fbtype" },
  },
};

const HEAD_TYPE = new RegExp(`"type"\\s*:\\s*"(?:${DOCUMENTED_TYPES.join("|")})"`);

export const sparkpost: EventSource = {
  id: "sparkpost",
  source: SPARKPOST_TABLE.source,
  table: SPARKPOST_TABLE,
  // A webhook batch, or Events API events (no `msys`): SparkPost's recipient and event/transmission ids,
  // and a type of SparkPost's own (`event_id` and `type` alone are generic NDJSON fields too).
  detect: (head) =>
    /"msys"\s*:/.test(head) ||
    (/"rcpt_to"\s*:/.test(head) && /"(?:transmission_id|event_id)"\s*:/.test(head) && HEAD_TYPE.test(head)),
  create: (context) => tableParser(SPARKPOST_TABLE, context),
};
