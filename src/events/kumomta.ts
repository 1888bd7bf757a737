import type { EventType } from "./event.ts";
import { byFeedbackType, type FieldTable } from "./field-table.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

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

const status = {
  fn: "enhancedCode",
  args: [
    { path: "response.enhanced_code.class", as: "number" },
    { path: "response.enhanced_code.subject", as: "number" },
    { path: "response.enhanced_code.detail", as: "number" },
  ],
} as const;

export const KUMOMTA_TABLE: FieldTable = {
  format: "kumomta",
  source: "https://docs.kumomta.com/reference/log_record/",
  label: "KumoMTA record",
  shape: "json",
  name: "type",
  // Rejection (inbound), Any… are not sending-program events.
  // A feedback report is what its feedback type says (not-spam, virus, auth-failure: skipped).
  type: byFeedbackType({ eq: ["type", "Feedback"] }, "feedback_report.feedback_type", {
    lookup: RECORD_TYPES,
    key: "type",
  }),
  unknown: { cond: { not: { present: "type" } }, message: "KumoMTA record without a type" },
  // `recipient` is a string, or a list in newer versions: one event per recipient.
  each: [{ lists: ["recipient"], orScalar: true, item: { recipient: "" } }],
  headerMessageId: true,
  fields: {
    recipient: { item: "recipient" },
    time: {
      first: [
        { fn: "isoTime", args: [{ path: "timestamp", as: "number" }] },
        { fn: "isoTime", args: ["event_time"] },
      ],
    },
    sender: "sender",
    sendingDomain: { fn: "domainOf", args: ["sender"] },
    // A logged header as the message carried it (`<id@host>`); else the spool id.
    messageId: { first: ["headers.Message-ID", "headers.Message-Id", "id"] },
    // Queue names are `[campaign:][tenant@]domain`.
    campaign: { first: [{ fn: "queueCampaign", args: ["queue"] }, "meta.campaign", "meta.campaign_id"] },
    pool: "egress_pool",
    sendingIp: {
      first: [{ fn: "hostAddress", args: [{ path: "source_address", as: "json" }] }, "egress_source"],
    },
    remoteMta: { first: [{ fn: "lower", args: ["peer_address.name"] }, "peer_address.addr"] },
    status,
    replyCode: { fn: "int", args: [{ path: "response.code", as: "number" }] },
    // KumoMTA keeps code and enhanced code apart from `content`; the classifier wants the whole reply.
    reply: { fn: "replyWithCode", args: ["response.content", { field: "replyCode" }, { field: "status" }] },
    sourceLabel: "bounce_classification",
    reasonHint: {
      when: { eq: ["type", "Expiration"] },
      use: { value: "expired" },
      otherwise: { when: { eq: ["type", "Feedback"] }, use: { value: "feedback" } },
    },
    feedbackType: { when: { eq: ["type", "Feedback"] }, use: "feedback_report.feedback_type" },
    stream: "meta.stream",
  },
};

export const kumomta: EventSource = {
  id: "kumomta",
  source: KUMOMTA_TABLE.source,
  table: KUMOMTA_TABLE,
  detect: (head) => TYPE_FIELD.test(head) && /"(?:queue|response|egress_pool)"\s*:/.test(head),
  create: (context) => tableParser(KUMOMTA_TABLE, context),
};
