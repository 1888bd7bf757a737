import type { Reason, ReasonHint } from "../vocabulary.ts";

export const SES_BOUNCE_TYPES_PAGE =
  "https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html#bounce-types";

/** One SES verdict on a bounce (its `bounceType`/`bounceSubType`) that names a cause. */
export interface SesBounceSubtype {
  bounceType: string;
  bounceSubType: string;
  reason: Reason;
  /** Amazon's description of the subtype, quoted. */
  example: string;
}

/**
 * What SES's own verdict on a bounce says about the recipient, one subtype per entry; the description is
 * Amazon's (SES_BOUNCE_TYPES_PAGE). Subtypes that name no cause (Undetermined, Permanent/General,
 * Transient/General) are absent: the reply decides there. Sisimai spells the first one "Supressed"; Amazon's
 * page wins. Permanent/NoEmail is the address that does not exist (Amazon's page today; Sisimai quotes an
 * older description, "It was not possible to retrieve the recipient email address from the bounce message",
 * and gives it no reason): `userunknown`, a hint the recipient's reply still refines (src/bounce/classify.ts
 * REFINABLE_HINTS), so a notification with no diagnosticCode is not `undefined`.
 * Both SES readers use this table: the notification by email (src/bounce/dialects/amazon-ses-json.ts) and the
 * SES event stream (src/events/ses.ts).
 */
export const SES_BOUNCE_SUBTYPES: readonly SesBounceSubtype[] = [
  {
    bounceType: "Permanent",
    bounceSubType: "NoEmail",
    reason: "userunknown",
    example:
      "Permanent/NoEmail: Amazon SES received a permanent hard bounce because the target email address does not exist.",
  },
  {
    bounceType: "Permanent",
    bounceSubType: "Suppressed",
    reason: "suppressed",
    example:
      "Permanent/Suppressed: The recipient's email address is on the Amazon SES suppression list because it has a recent history of producing hard bounces.",
  },
  {
    bounceType: "Permanent",
    bounceSubType: "OnAccountSuppressionList",
    reason: "suppressed",
    example:
      "Permanent/OnAccountSuppressionList: Amazon SES has suppressed sending to this address because it is on the account-level suppression list.",
  },
  {
    bounceType: "Transient",
    bounceSubType: "MailboxFull",
    reason: "mailboxfull",
    example: "Transient/MailboxFull: the recipient's inbox was full.",
  },
  {
    bounceType: "Transient",
    bounceSubType: "MessageTooLarge",
    reason: "emailtoolarge",
    example: "Transient/MessageTooLarge: message you sent was too large",
  },
  {
    bounceType: "Transient",
    bounceSubType: "ContentRejected",
    reason: "contenterror",
    example: "Transient/ContentRejected: message you sent contains content that the provider doesn't allow",
  },
  {
    bounceType: "Transient",
    bounceSubType: "AttachmentRejected",
    reason: "securityerror",
    example: "Transient/AttachmentRejected: the message contained an unacceptable attachment",
  },
];

/**
 * The hint a subtype gives the classifier: `suppressed` decides (SES did not send); the others are SES's coarse
 * label (`label-<reason>`, src/bounce/vocabulary.ts): a provider's own rule for the reply decides first, and
 * words that the address does not exist keep category recipient (review R26).
 */
export function sesSubtypeHint(reason: Reason): ReasonHint {
  return reason === "suppressed" ? reason : `label-${reason}`;
}

/** Each subtype's hint by "bounceType/bounceSubType". */
export const SES_SUBTYPE_HINTS: Readonly<Record<string, string>> = Object.fromEntries(
  SES_BOUNCE_SUBTYPES.map((entry) => [
    `${entry.bounceType}/${entry.bounceSubType}`,
    sesSubtypeHint(entry.reason),
  ]),
);

/**
 * A complaint SES did not send for: its `complaintSubType` OnAccountSuppressionList ("Amazon SES accepted the
 * message, but didn't attempt to send it because it was on the account-level suppression list",
 * https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html#complaint-object) — a drop of a
 * suppressed address, no new complaint, in both SES readers.
 */
export const SES_SUPPRESSED_COMPLAINT_SUBTYPE = "OnAccountSuppressionList";
