import { SES_SUBTYPE_HINTS, SES_SUPPRESSED_COMPLAINT_SUBTYPE } from "../bounce/rules/ses-bounce-types.ts";
import { byFeedbackType, type FieldTable } from "./field-table.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

/** SES `notificationType` / `eventType` → event type (bounces on a suppression list are drops). */
const KINDS: Record<string, string> = {
  Send: "sent",
  Delivery: "delivered",
  Bounce: "bounced",
  Complaint: "complaint",
  DeliveryDelay: "deferred",
  Reject: "dropped",
  Open: "open",
  Click: "click",
  Subscription: "unsubscribe",
};

const kind = { first: ["notificationType", "eventType"] } as const;
const is = (name: string) => ({ eq: [kind, name] }) as const;
/**
 * SES did not send: the address is on a suppression list. A bounce of subtype Suppressed /
 * OnAccountSuppressionList, or a complaint of subtype OnAccountSuppressionList ("Amazon SES accepted the message,
 * but didn't attempt to send it because it was on the account-level suppression list": no new complaint).
 */
const suppressed = {
  any: [
    { oneOf: ["bounce.bounceSubType", ["Suppressed", "OnAccountSuppressionList"]] },
    { all: [is("Complaint"), { eq: ["complaint.complaintSubType", SES_SUPPRESSED_COMPLAINT_SUBTYPE] }] },
  ],
} as const;
const diagnostic = { fn: "stripDiagnosticType", args: [{ item: "diagnostic" }] } as const;

/**
 * Amazon SES notifications (`notificationType`) and event publishing (`eventType`), raw or inside an SNS
 * envelope whose `Message` is the notification as a JSON string. One event per recipient.
 */
export const SES_TABLE: FieldTable = {
  format: "ses",
  source:
    "https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html; https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html",
  label: "SES notification",
  shape: "json",
  // SubscriptionConfirmation / UnsubscribeConfirmation envelopes are skipped.
  envelope: { kind: "Type", accept: "Notification", message: "Message" },
  name: kind,
  type: {
    when: suppressed,
    use: { value: "dropped" },
    // A complaint is what its feedback type says (not-spam, virus, auth-failure: skipped).
    otherwise: byFeedbackType(is("Complaint"), "complaint.complaintFeedbackType", {
      lookup: KINDS,
      key: kind,
    }),
  },
  unknown: { cond: { not: { present: kind } }, message: "SES record without notificationType/eventType" },
  each: [
    {
      cond: is("Bounce"),
      lists: ["bounce.bouncedRecipients"],
      item: { recipient: "emailAddress", diagnostic: "diagnosticCode", status: "status" },
    },
    { cond: is("Complaint"), lists: ["complaint.complainedRecipients"], item: { recipient: "emailAddress" } },
    {
      cond: is("DeliveryDelay"),
      lists: ["deliveryDelay.delayedRecipients"],
      item: { recipient: "emailAddress", diagnostic: "diagnosticCode", status: "status" },
    },
    { cond: is("Delivery"), lists: ["delivery.recipients", "mail.destination"], item: { recipient: "" } },
    { lists: ["mail.destination"], item: { recipient: "" } },
  ],
  fields: {
    recipient: { item: "recipient" },
    time: {
      first: [
        {
          fn: "isoTime",
          args: [
            {
              first: [
                { when: is("Delivery"), use: "delivery.timestamp" },
                { when: is("Bounce"), use: "bounce.timestamp" },
                { when: is("Complaint"), use: "complaint.timestamp" },
                { when: is("DeliveryDelay"), use: "deliveryDelay.timestamp" },
                { when: is("Open"), use: "open.timestamp" },
                { when: is("Click"), use: "click.timestamp" },
                { when: is("Subscription"), use: "subscription.timestamp" },
              ],
            },
          ],
        },
        { fn: "isoTime", args: ["mail.timestamp"] },
      ],
    },
    messageId: "mail.messageId",
    sender: "mail.source",
    sendingDomain: { fn: "domainOf", args: ["mail.source"] },
    campaign: {
      first: [
        { path: "mail.tags.campaign_id", as: "first" },
        { path: "mail.tags.campaign", as: "first" },
      ],
    },
    stream: { path: "mail.tags.stream", as: "first" },
    // Tags SES itself adds to every event-publishing record (issue 10: the sending IP and its set).
    sendingIp: { path: "mail.tags.ses:outgoing-ip", as: "first" },
    pool: { path: "mail.tags.ses:configuration-set", as: "first" },
    reply: {
      first: [
        { when: is("Delivery"), use: { fn: "stripDiagnosticType", args: ["delivery.smtpResponse"] } },
        { when: is("Reject"), use: "reject.reason" },
        diagnostic,
      ],
    },
    replyCode: { when: { not: is("Reject") }, use: { fn: "leadingReplyCode", args: [{ field: "reply" }] } },
    status: {
      when: { not: is("Reject") },
      use: {
        first: [
          { fn: "cleanStatus", args: [{ item: "status" }] },
          { fn: "leadingStatus", args: [{ field: "reply" }] },
        ],
      },
    },
    remoteMta: {
      first: [
        { when: is("Delivery"), use: "delivery.remoteMtaIp" },
        { when: is("Bounce"), use: "bounce.remoteMtaIp" },
      ],
    },
    eventId: {
      first: [
        {
          when: { all: [is("Bounce"), { present: "bounce.feedbackId" }] },
          use: { concat: ["bounce.feedbackId", { value: "/" }, { field: "recipient" }] },
        },
        {
          when: { all: [is("Complaint"), { present: "complaint.feedbackId" }] },
          use: { concat: ["complaint.feedbackId", { value: "/" }, { field: "recipient" }] },
        },
      ],
    },
    // SES' bounceType is kept as a label only: it calls some permanent replies Transient.
    sourceLabel: {
      first: [
        { when: is("Bounce"), use: { join: ["bounce.bounceType", "bounce.bounceSubType"], sep: "/" } },
        { when: is("Complaint"), use: "complaint.complaintFeedbackType" },
        { when: is("DeliveryDelay"), use: "deliveryDelay.delayType" },
      ],
    },
    feedbackType: { when: { type: ["complaint"] }, use: "complaint.complaintFeedbackType" },
    userAgent: {
      first: [
        { when: is("Complaint"), use: "complaint.userAgent" },
        { when: is("Open"), use: "open.userAgent" },
        { when: is("Click"), use: "click.userAgent" },
      ],
    },
    readerIp: {
      first: [
        { when: is("Open"), use: "open.ipAddress" },
        { when: is("Click"), use: "click.ipAddress" },
      ],
    },
    url: {
      first: [
        { when: is("Open"), use: "open.link" },
        { when: is("Click"), use: "click.link" },
      ],
    },
    // SES's verdict on a bounce, where it names a cause (the table the SES email reader reads too).
    reasonHint: {
      when: suppressed,
      use: { value: "suppressed" },
      otherwise: {
        when: is("Complaint"),
        use: { value: "feedback" },
        otherwise: {
          when: is("Bounce"),
          use: {
            lookup: SES_SUBTYPE_HINTS,
            key: { join: ["bounce.bounceType", "bounce.bounceSubType"], sep: "/" },
          },
        },
      },
    },
  },
};

export const ses: EventSource = {
  id: "ses",
  source: SES_TABLE.source,
  table: SES_TABLE,
  detect: (head) =>
    /"notificationType"|\\"notificationType\\"|"eventType"\s*:|\\"eventType\\"/.test(head) &&
    /mail/.test(head),
  create: (context) => tableParser(SES_TABLE, context),
};
