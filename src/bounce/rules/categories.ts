import type { Category, Reason } from "../vocabulary.ts";

/**
 * Defaults when no provider rule fixed the category: the category a generic Sisimai reason implies,
 * whether a 5xx of that category can succeed later, and what the sender should do. docs/CLASSIFICATION.md
 * explains each choice.
 */
export const REASON_CATEGORY: Readonly<Record<Reason, Category>> = {
  authfailure: "authentication",
  badreputation: "reputation",
  blocked: "blocklist",
  contenterror: "content",
  delivered: "delivered",
  emailtoolarge: "content",
  expired: "transient",
  failedstarttls: "infrastructure",
  feedback: "complaint",
  filtered: "content",
  hasmoved: "recipient",
  hostunknown: "recipient",
  mailboxfull: "mailbox",
  mailererror: "infrastructure",
  networkerror: "infrastructure",
  norelaying: "infrastructure",
  notaccept: "recipient",
  notcompliantrfc: "content",
  onhold: "unknown",
  policyviolation: "reputation",
  ratelimited: "rate-limit",
  rejected: "infrastructure",
  requireptr: "infrastructure",
  securityerror: "unknown",
  spamdetected: "content",
  suppressed: "recipient",
  suspend: "mailbox",
  syntaxerror: "infrastructure",
  systemerror: "transient",
  systemfull: "transient",
  undefined: "unknown",
  userunknown: "recipient",
  vacation: "auto-reply",
  virusdetected: "content",
};

/**
 * Can the same message, sent again later, succeed after a 5xx of this category? (4xx: always yes.)
 * Reputation, blocklist and rate limits change over time (Apple's CS01 is intermittent; listings expire);
 * content, authentication and bad addresses do not change by waiting.
 */
export const RETRYABLE_5XX: Readonly<Record<Category, boolean>> = {
  reputation: true,
  content: false,
  authentication: false,
  blocklist: true,
  "rate-limit": true,
  recipient: false,
  mailbox: true,
  infrastructure: false,
  transient: true,
  "auto-reply": false,
  complaint: false,
  delivered: false,
  unknown: false,
};

/** Outcomes that are not delivery failures (never permanent, retryable or suppressing). */
export const NOT_FAILURES: readonly Category[] = ["delivered", "auto-reply", "complaint"];

/** Reasons meaning the address itself is bad (Sisimai's hardbounce); notaccept only when permanent. */
export const BAD_ADDRESS_REASONS: readonly Reason[] = ["userunknown", "hostunknown", "hasmoved"];

/**
 * Reasons whose advice differs from their category's: an ESP's `suppressed` is a recipient outcome, but
 * the address was not found bad now — it was already suppressed (an earlier bounce, unsubscribe or spam
 * report), so the advice is to keep it off the list, not "it does not exist".
 */
export const REASON_ACTION: Readonly<Partial<Record<Reason, string>>> = {
  suppressed:
    "Keep the address suppressed: the ESP did not send because it is on its suppression list (an earlier hard bounce, unsubscribe or spam report). Remove it from your own list too; do not re-add it.",
};

/** Reasons whose permanent failure means: stop mailing the address (Sisimai's hardbounce, plus ESP suppression). */
export const SUPPRESS_REASONS: readonly Reason[] = [...BAD_ADDRESS_REASONS, "suppressed"];

export const CATEGORY_ACTION: Readonly<Record<Category, string>> = {
  reputation:
    "Keep the address. The receiver distrusts the sender: slow down, send only to engaged recipients, check IP and domain reputation, retry later.",
  content: "Review the message: content, links and their domains, attachments, format; then resend.",
  authentication: "Fix SPF, DKIM and DMARC (and From: alignment) for the sending domain, then resend.",
  blocklist: "Find the listing (sending IP or a domain in the message), fix the cause and request delisting.",
  "rate-limit": "Slow down to this receiver and retry later.",
  recipient: "Remove the address: it does not exist or no longer accepts mail.",
  mailbox: "Keep the address for now and retry later; drop it if the mailbox stays unavailable for weeks.",
  infrastructure: "Fix the sending side: DNS, PTR, TLS, envelope sender, MTA configuration.",
  transient: "Nothing to fix: retry later.",
  "auto-reply": "An automatic reply, not a failure: no action.",
  complaint: "The recipient reported spam: stop mailing this address and review why they complained.",
  delivered: "Delivered: no action.",
  unknown: "The reply does not say why: read the diagnostic text and watch for a pattern.",
};
