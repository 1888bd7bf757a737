import type { FieldTable } from "./field-table.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

/**
 * Bounce `Type`s that are not failures of delivery (Postmark "Bounce webhook" type table): the event type
 * they stand for ("" = not a sending-program event, skipped). Every other Bounce `Type` is a bounce.
 */
const BOUNCE_TYPES: Record<string, string> = {
  // "The subscriber explicitly marked this email as spam": a complaint.
  SpamComplaint: "complaint",
  // The receiving system's spam verdict (the message "was either blocked by the user, or classified as spam,
  // bulk mail, or had rejected content": https://postmarkapp.com/developer/api/bounce-api#bounce-types), not
  // the recipient's complaint: a bounce, read as a spam filter's (never counted as a complaint, never suppressing).
  SpamNotification: "bounced",
  Unsubscribe: "unsubscribe",
  ManuallyDeactivated: "dropped",
  AutoResponder: "",
  Subscribe: "",
  ChallengeVerification: "",
  OpenRelayTest: "",
  AddressChange: "bounced",
};

/** Reason hints of those bounce types. */
const BOUNCE_HINTS: Record<string, string> = {
  SpamComplaint: "feedback",
  SpamNotification: "spamdetected",
  ManuallyDeactivated: "suppressed",
  AddressChange: "hasmoved",
};

const RECORD_TYPES: Record<string, string> = {
  Delivery: "delivered",
  Open: "open",
  Click: "click",
  SpamComplaint: "complaint",
};

/** Postmark's default transactional stream is `outbound`; broadcast streams carry marketing. */
const STREAMS: Record<string, string> = {
  outbound: "transactional",
  broadcast: "marketing",
  broadcasts: "marketing",
};

const details = { fn: "stripDiagnosticType", args: ["Details"] } as const;

/**
 * The record's kind: its `RecordType`, else `Bounce` for a record of the Bounces API (GET /bounces: a page
 * {TotalCount, Bounces: […]} of bounce records without a RecordType, each with its TypeCode and BouncedAt).
 */
const recordType = {
  first: [
    "RecordType",
    {
      when: { all: [{ present: "TypeCode" }, { present: "BouncedAt" }] },
      use: { value: "Bounce" },
    },
  ],
} as const;

export const POSTMARK_TABLE: FieldTable = {
  format: "postmark",
  source: "https://postmarkapp.com/developer/webhooks/webhooks-overview",
  label: "Postmark record",
  shape: "json",
  pages: "Bounces",
  name: recordType,
  type: {
    when: { eq: [recordType, "Bounce"] },
    use: { lookup: BOUNCE_TYPES, key: "Type", otherwise: { value: "bounced" } },
    otherwise: {
      when: { eq: ["RecordType", "SubscriptionChange"] },
      use: {
        when: { eq: [{ fn: "bool", args: [{ path: "SuppressSending", as: "bool" }] }, "false"] },
        use: { value: null },
        otherwise: { value: "unsubscribe" },
      },
      otherwise: { lookup: RECORD_TYPES, key: "RecordType" },
    },
  },
  unknown: { cond: { not: { present: recordType } }, message: "Postmark record without RecordType" },
  fields: {
    recipient: { first: ["Email", "Recipient"] },
    time: {
      fn: "isoTime",
      args: [{ first: ["BouncedAt", "DeliveredAt", "ReceivedAt", "ChangedAt", "FirstOpen"] }],
    },
    // A webhook's bounce and the Bounces API's record of it have the same id, and so do the SpamComplaint
    // webhook and the Bounces API's record of Type SpamComplaint: one key each, so ingesting both counts once.
    eventId: {
      when: { present: "ID" },
      use: {
        concat: [
          { when: { eq: ["Type", "SpamComplaint"] }, use: { value: "SpamComplaint" }, otherwise: recordType },
          { value: "/" },
          "ID",
        ],
      },
    },
    messageId: "MessageID",
    sender: "From",
    sendingDomain: { fn: "domainOf", args: ["From"] },
    campaign: { first: ["Metadata.campaign_id", "Tag"] },
    stream: { lookup: STREAMS, key: "MessageStream", otherwise: "MessageStream" },
    reply: {
      when: { type: ["open", "click"] },
      use: { value: null },
      otherwise: { first: [details, "Description"] },
    },
    replyCode: { fn: "leadingReplyCode", args: [{ field: "reply" }] },
    status: { fn: "leadingStatus", args: [{ field: "reply" }] },
    sourceLabel: { first: ["Type", "SuppressionReason"] },
    reasonHint: {
      when: { eq: [recordType, "Bounce"] },
      use: { lookup: BOUNCE_HINTS, key: "Type" },
      otherwise: { when: { eq: ["RecordType", "SpamComplaint"] }, use: { value: "feedback" } },
    },
    userAgent: "UserAgent",
    url: "OriginalLink",
  },
};

export const postmark: EventSource = {
  id: "postmark",
  source: POSTMARK_TABLE.source,
  table: POSTMARK_TABLE,
  // A webhook, or a Bounces API page or record.
  detect: (head) =>
    /"RecordType"\s*:/.test(head) || (/"TypeCode"\s*:/.test(head) && /"BouncedAt"\s*:/.test(head)),
  create: (context) => tableParser(POSTMARK_TABLE, context),
};
