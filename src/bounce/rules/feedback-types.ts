import type { BounceRecord } from "../record.ts";
import type { Category } from "../vocabulary.ts";
import { CATEGORY_ACTION } from "./categories.ts";

/**
 * What a feedback report's type means (an ARF report's `Feedback-Type:`, SES's `complaintFeedbackType`,
 * PowerMTA's `feedbackType`, SparkPost's `fbtype`, KumoMTA's `feedback_report.feedback_type`, the generic
 * `feedback_type`). Only a recipient's complaint is a complaint: a `not-spam` report says the opposite, a
 * `virus` report and a DMARC failure report (`auth-failure`) are a receiver's findings about the message,
 * and an `opt-out` report asks to unsubscribe. Every reader and the classifier read this one table
 * (docs/CLASSIFICATION.md, Feedback reports).
 */
export interface FeedbackTypeFact {
  /** The type as a report writes it (lower case; reports are read case-insensitively). */
  type: string;
  /**
   * The event a report of this type is in the store: a `complaint` (complaint rate, suppressed by hygiene),
   * an `unsubscribe` (suppressed as unsubscribed, no complaint), or null — not about the recipient's wishes:
   * `ingest` skips it with a note.
   */
  event: "complaint" | "unsubscribe" | null;
  /** `classify`'s category of the record (its reason stays Sisimai's `feedback`). */
  category: Category;
  /** `classify`'s advice. */
  action: string;
  /** Where the type is defined (public URL). */
  source: string;
  /** The source's own words for it, quoted. */
  quote: string;
}

const SES_COMPLAINT_TYPES =
  "https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html#complaint-object";
const MARF_REGISTRY = "https://www.iana.org/assignments/marf-parameters/marf-parameters.xhtml";

export const FEEDBACK_TYPES: readonly FeedbackTypeFact[] = [
  {
    type: "abuse",
    event: "complaint",
    category: "complaint",
    action: CATEGORY_ACTION.complaint,
    source: `RFC 5965 §7.3, ${MARF_REGISTRY}; ${SES_COMPLAINT_TYPES}`,
    quote: "abuse: Indicates unsolicited email or some other kind of email abuse.",
  },
  {
    type: "fraud",
    event: "complaint",
    category: "complaint",
    action: CATEGORY_ACTION.complaint,
    source: `RFC 5965 §7.3, ${MARF_REGISTRY}; ${SES_COMPLAINT_TYPES}`,
    quote: "fraud: Indicates some kind of fraud or phishing activity.",
  },
  {
    type: "other",
    event: "complaint",
    category: "complaint",
    action: CATEGORY_ACTION.complaint,
    source: `RFC 5965 §7.3, ${MARF_REGISTRY}; ${SES_COMPLAINT_TYPES}`,
    quote: "other: Indicates any other feedback that does not fit into other registered types.",
  },
  {
    type: "not-spam",
    event: null,
    category: "delivered",
    action:
      "Not a complaint: the report says the message is not spam (it was delivered, perhaps to the spam folder, and taken out of it). Keep the address; no action.",
    source: `RFC 6430, ${MARF_REGISTRY}; ${SES_COMPLAINT_TYPES}`,
    quote:
      "not-spam: Indicates that the entity providing the report does not consider the message to be spam. This may be used to correct a message that was incorrectly tagged or categorized as spam.",
  },
  {
    type: "virus",
    event: null,
    category: "content",
    action:
      "Not a complaint: the receiver found a virus in the message. Check its attachments and links and whether the sending system is compromised; keep the address.",
    source: `RFC 5965 §7.3, ${MARF_REGISTRY}; ${SES_COMPLAINT_TYPES}`,
    quote: "virus: Reports that a virus is found in the originating message.",
  },
  {
    type: "auth-failure",
    event: null,
    category: "authentication",
    action:
      "Not a complaint: a DMARC failure report (RFC 6591) — the message failed SPF/DKIM/DMARC at the receiver. Fix the sending domain's authentication, or find who sends as it; keep the address.",
    source: `RFC 6591, ${MARF_REGISTRY}; ${SES_COMPLAINT_TYPES}`,
    quote: "auth-failure: Email authentication failure report.",
  },
  {
    // Not in the IANA registry: the ARF drafts' type, still sent (Version: 0.1 reports) and read by Sisimai.
    type: "opt-out",
    event: "unsubscribe",
    category: "complaint",
    action:
      "The recipient asked to be unsubscribed (an opt-out report): stop mailing this address. Not a spam report.",
    source:
      "https://metacpan.org/pod/Sisimai::Data (feedbacktype); https://github.com/sisimai/set-of-emails (maildir/bsd/arf-12.eml)",
    quote:
      "This is an opt-out report for an email message received from IP 192.0.2.89 on Thu, 9 Apr 2006 23:34:45 JST. … Feedback-Type: opt-out … Removal-Recipient: user@example.com",
  },
];

/**
 * A report that names no type, or one this table does not know, is a complaint: Microsoft's JMRP reports carry
 * no Feedback-Type (Sisimai reads them as `abuse`), and RFC 5965's `other` is the registry's catch-all.
 */
const UNNAMED: FeedbackTypeFact = FEEDBACK_TYPES[0];

const BY_TYPE: ReadonlyMap<string, FeedbackTypeFact> = new Map(
  FEEDBACK_TYPES.map((fact) => [fact.type, fact]),
);

/** The fact for a feedback type as a report writes it (trimmed, any case); an unknown or missing type is a complaint. */
export function feedbackFact(type: string | null | undefined): FeedbackTypeFact {
  return (type && BY_TYPE.get(type.trim().toLowerCase())) || UNNAMED;
}

/** The feedback types whose reports are this event (null: skipped). */
export function feedbackTypesOf(event: FeedbackTypeFact["event"]): string[] {
  return FEEDBACK_TYPES.filter((fact) => fact.event === event).map((fact) => fact.type);
}

/**
 * A feedback record (reason `feedback`) as its type reads: its category and advice. A report is never a
 * delivery failure: not permanent, not retryable, never suppressing by itself (a complaint's suppression is the
 * store's complaint event, hygiene's "complaint" reason).
 */
export function feedbackVerdict(
  record: Pick<
    BounceRecord,
    "feedbackType" | "category" | "action" | "permanent" | "retryable" | "suppressRecipient"
  >,
): void {
  const fact = feedbackFact(record.feedbackType);
  record.category = fact.category;
  record.action = fact.action;
  record.permanent = false;
  record.retryable = false;
  record.suppressRecipient = false;
}
