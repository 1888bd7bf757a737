/** Closed vocabularies shared by every capability. Each member carries a one-line meaning. */

/** Sisimai 5.6 reason names (libsisimai.org/en/reason); merged-away names are never emitted. */
export const REASONS = {
  authfailure: "Rejected due to SPF/DKIM/DMARC (authentication) failure",
  badreputation: "Rejected due to sender IP/domain reputation",
  blocked: "Connection/session rejected because of client IP, hostname, HELO or a DNSBL listing",
  contenterror: "Rejected due to header/format/content of the message",
  delivered: "Successfully delivered",
  emailtoolarge: "Message exceeded a size limit",
  expired: "Delivery time expired; message sat in the queue too long",
  failedstarttls: "Delivery failed due to STARTTLS/TLS requirements",
  feedback: "ARF feedback-loop complaint",
  filtered: "Rejected by a recipient-side header/content filter",
  hasmoved: "Mailbox has moved and is not forwarded",
  hostunknown: "Recipient domain does not exist or has no MX",
  mailboxfull: "Recipient mailbox is full / over quota",
  mailererror: "Mailer program exited abnormally",
  networkerror: "DNS lookup failure or other network problem",
  norelaying: "Relaying denied",
  notaccept: "Destination does not accept mail (null MX, 521)",
  notcompliantrfc: "Message not compliant with RFC 5322",
  onhold: "Could not decide; not enough information",
  policyviolation: "Rejected by a policy of the destination host",
  ratelimited: "Rejected or deferred for sending too fast / too many connections",
  rejected: "Rejected because of the envelope sender",
  requireptr: "Rejected because the source IP has no/invalid PTR",
  securityerror: "Security violation detected",
  spamdetected: "Rejected by a spam filter as spam content",
  suppressed: "Not sent because the address is on a suppression list",
  suspend: "Recipient account suspended/disabled",
  syntaxerror: "SMTP command syntax error",
  systemerror: "Remote system error",
  systemfull: "Destination server disk/spool full",
  undefined: "Could not detect a reason",
  userunknown: "Recipient local part does not exist",
  vacation: "Auto-reply (out of office)",
  virusdetected: "Virus scanner rejected the message",
} as const;
export type Reason = keyof typeof REASONS;

/**
 * What a source may tell the classifier beside the reply (an event's `reasonHint`): a reason it implies, or
 * `filtered-no-phase` — Sisimai's `filtered` for words of an unknown user in a report that shows no SMTP
 * phase, where those words stay the only evidence about the address (docs/CLASSIFICATION.md, Decisions).
 */
export const FILTERED_NO_PHASE = "filtered-no-phase";
/**
 * `other-recipient`: the report gives this recipient a reply that refuses another recipient of the same report
 * by name (nullmailer gives up the whole message at one refused RCPT and gives every recipient that reply):
 * the reply's reason is kept, but it is no verdict on this address (review R85).
 */
export const OTHER_RECIPIENT = "other-recipient";
/**
 * `label-<reason>`: an ESP's coarse label for the bounce (SES's bounceSubType): a provider's own rule for the
 * reply (its documented code, its hosts' messages) is more specific and decides first; else the label's reason,
 * with words that say the address does not exist keeping category recipient (review R26).
 */
export const LABEL_HINT_PREFIX = "label-";
export type LabelHint = `label-${Reason}`;
/** A hint without its `label-` prefix: the reason a label names (any other hint as it is). */
export const withoutLabel = (hint: string): string =>
  hint.startsWith(LABEL_HINT_PREFIX) ? hint.slice(LABEL_HINT_PREFIX.length) : hint;
export type ReasonHint = Reason | typeof FILTERED_NO_PHASE | typeof OTHER_RECIPIENT | LabelHint;

/** deliverlens' diagnosis-oriented groups (docs/CLASSIFICATION.md explains each). */
export const CATEGORIES = {
  reputation: "The receiver distrusts the sender (IP/domain reputation, engagement, Apple CS01-family)",
  content: "The message itself was judged unsolicited or spammy",
  authentication: "SPF/DKIM/DMARC failed or did not align",
  blocklist: "The sending IP or a domain in the message is on a blocklist",
  "rate-limit": "Too much mail too fast; the receiver is throttling",
  recipient: "The address is bad: unknown user, moved, disabled relay, no such domain",
  mailbox: "The address is good but the mailbox cannot take mail now (full, suspended)",
  infrastructure: "Sender-side or network/TLS/DNS/configuration problem",
  transient: "Temporary failure with no sender signal (try later, greylisting)",
  "auto-reply": "An automatic reply, not a failure",
  complaint:
    "The recipient reported the message as spam (feedback loop), or asked to unsubscribe (ARF opt-out)",
  delivered: "The message was delivered",
  unknown: "Nothing in the reply says why",
} as const;
export type Category = keyof typeof CATEGORIES;

export const PROVIDERS = [
  "apple",
  "google",
  "yahoo",
  "microsoft",
  "comcast",
  "att",
  "cox",
  "charter",
  "gmx",
  "zoho",
  "proton",
  "fastmail",
  "other",
  "unknown",
] as const;
export type Provider = (typeof PROVIDERS)[number];

const PROVIDER_LABELS: Partial<Record<string, string>> = {
  apple: "Apple iCloud",
  google: "Gmail / Google",
  yahoo: "Yahoo / AOL",
  microsoft: "Microsoft (Outlook.com)",
  comcast: "Comcast",
  att: "AT&T",
  cox: "Cox",
  charter: "Charter / Spectrum",
  gmx: "GMX / Web.de",
  zoho: "Zoho",
  proton: "Proton",
  fastmail: "Fastmail",
};

/** A provider's name for people; unknown names (user input) come back unchanged. */
export function providerLabel(provider: string): string {
  return PROVIDER_LABELS[provider] ?? provider;
}
