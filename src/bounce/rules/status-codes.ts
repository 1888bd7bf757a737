import type { Reason } from "../vocabulary.ts";

/**
 * Reason implied by an enhanced status code alone (the fallback when no text rule matched). First the
 * full codes Sisimai names (`SISIMAI_STATUS_RULES`: 4.4.4 is a network error, 5.4.4 an unknown host), then
 * the class-independent RFC 3463 meanings (`STATUS_RULES`): the first entry whose code equals the
 * status's subject.detail, or for `x.y.*` whose subject matches, wins.
 */
export interface StatusRule {
  /** "class.subject.detail" (Sisimai's table), "subject.detail" such as "1.1", or "subject.*". */
  code: string;
  reason: Reason;
  source: string;
}

const RFC3463 = "RFC 3463 §3 / IANA SMTP Enhanced Status Codes registry; Sisimai lib/Sisimai/SMTP/Status.pm";
const RFC7372 = "RFC 7372 (email authentication status codes)";

const SISIMAI = "sisimai go smtp/status/lib.go";

/**
 * Sisimai's status → reason table (BSD-2-Clause, github.com/sisimai/go-sisimai smtp/status/lib.go), one
 * code per entry with its RFC 3463 meaning. Left out: 4.2.1 and 5.2.1 ("Mailbox disabled, not accepting
 * messages"), which Sisimai reads as blocked / filtered; RFC 3463 §3.3 X.2.1 says the mailbox is disabled,
 * so they stay suspend (below).
 */
export const SISIMAI_STATUS_RULES: readonly StatusRule[] = [
  {
    code: "4.1.6",
    reason: "hasmoved",
    source: `${SISIMAI} (Destination mailbox has moved, No forwarding address)`,
  },
  { code: "4.1.7", reason: "rejected", source: `${SISIMAI} (Bad sender's mailbox address syntax)` },
  { code: "4.1.8", reason: "rejected", source: `${SISIMAI} (Bad sender's system address)` },
  { code: "4.1.9", reason: "systemerror", source: `${SISIMAI} (Message relayed to non-compliant mailer)` },
  { code: "4.2.2", reason: "mailboxfull", source: `${SISIMAI} (Mailbox full)` },
  {
    code: "4.2.3",
    reason: "emailtoolarge",
    source: `${SISIMAI} (Message length exceeds administrative limit)`,
  },
  { code: "4.2.4", reason: "filtered", source: `${SISIMAI} (Mailing list expansion problem)` },
  { code: "4.3.1", reason: "systemfull", source: `${SISIMAI} (Mail system full)` },
  { code: "4.3.2", reason: "notaccept", source: `${SISIMAI} (System not accepting network messages)` },
  { code: "4.3.3", reason: "systemerror", source: `${SISIMAI} (System not capable of selected features)` },
  { code: "4.3.5", reason: "systemerror", source: `${SISIMAI} (System incorrectly configured)` },
  { code: "4.4.1", reason: "expired", source: `${SISIMAI} (No answer from host)` },
  { code: "4.4.2", reason: "networkerror", source: `${SISIMAI} (Bad connection)` },
  { code: "4.4.3", reason: "systemerror", source: `${SISIMAI} (Directory server failure)` },
  { code: "4.4.4", reason: "networkerror", source: `${SISIMAI} (Unable to route)` },
  { code: "4.4.5", reason: "systemfull", source: `${SISIMAI} (Mail system congestion)` },
  { code: "4.4.6", reason: "networkerror", source: `${SISIMAI} (Routing loop detected)` },
  { code: "4.4.7", reason: "expired", source: `${SISIMAI} (Delivery time expired)` },
  { code: "4.4.8", reason: "networkerror", source: `${SISIMAI} (Retry on IPv4)` },
  { code: "4.5.3", reason: "systemerror", source: `${SISIMAI} (Too many recipients)` },
  { code: "4.5.5", reason: "systemerror", source: `${SISIMAI} (Wrong protocol version)` },
  { code: "4.6.0", reason: "contenterror", source: `${SISIMAI} (Other or undefined media error)` },
  { code: "4.6.2", reason: "contenterror", source: `${SISIMAI} (Conversion required and prohibited)` },
  { code: "4.6.5", reason: "contenterror", source: `${SISIMAI} (Conversion Failed)` },
  { code: "4.7.1", reason: "blocked", source: `${SISIMAI} (Delivery not authorized, message refused)` },
  { code: "4.7.2", reason: "blocked", source: `${SISIMAI} (Mailing list expansion prohibited)` },
  { code: "4.7.5", reason: "securityerror", source: `${SISIMAI} (Cryptographic failure)` },
  { code: "4.7.6", reason: "securityerror", source: `${SISIMAI} (Cryptographic algorithm not supported)` },
  { code: "4.7.7", reason: "securityerror", source: `${SISIMAI} (Message integrity failure)` },
  { code: "4.7.12", reason: "securityerror", source: `${SISIMAI} (A password transition is needed)` },
  { code: "4.7.15", reason: "securityerror", source: `${SISIMAI} (Priority Level is too low)` },
  {
    code: "4.7.16",
    reason: "emailtoolarge",
    source: `${SISIMAI} (Message is too big for the specified priority)`,
  },
  { code: "4.7.24", reason: "authfailure", source: `${SISIMAI} (SPF validation error)` },
  { code: "4.7.25", reason: "requireptr", source: `${SISIMAI} (Reverse DNS validation failed)` },
  { code: "4.7.26", reason: "authfailure", source: `${SISIMAI} (Must pass either SPF or DKIM validation)` },
  { code: "5.1.0", reason: "userunknown", source: `${SISIMAI} (Other address status)` },
  { code: "5.1.1", reason: "userunknown", source: `${SISIMAI} (Bad destination mailbox address)` },
  { code: "5.1.2", reason: "hostunknown", source: `${SISIMAI} (Bad destination system address)` },
  { code: "5.1.3", reason: "userunknown", source: `${SISIMAI} (Bad destination mailbox address syntax)` },
  { code: "5.1.4", reason: "filtered", source: `${SISIMAI} (Destination mailbox address ambiguous)` },
  {
    code: "5.1.6",
    reason: "hasmoved",
    source: `${SISIMAI} (Destination mailbox has moved, No forwarding address)`,
  },
  { code: "5.1.7", reason: "rejected", source: `${SISIMAI} (Bad sender's mailbox address syntax)` },
  { code: "5.1.8", reason: "rejected", source: `${SISIMAI} (Bad sender's system address)` },
  { code: "5.1.9", reason: "systemerror", source: `${SISIMAI} (Message relayed to non-compliant mailer)` },
  { code: "5.1.10", reason: "notaccept", source: `${SISIMAI} (Recipient address has null MX)` },
  { code: "5.2.0", reason: "filtered", source: `${SISIMAI} (Other or undefined mailbox status)` },
  { code: "5.2.2", reason: "mailboxfull", source: `${SISIMAI} (Mailbox full)` },
  {
    code: "5.2.3",
    reason: "emailtoolarge",
    source: `${SISIMAI} (Message length exceeds administrative limit)`,
  },
  { code: "5.2.4", reason: "filtered", source: `${SISIMAI} (Mailing list expansion problem)` },
  { code: "5.3.0", reason: "systemerror", source: `${SISIMAI} (Other or undefined mail system status)` },
  { code: "5.3.1", reason: "systemfull", source: `${SISIMAI} (Mail system full)` },
  { code: "5.3.2", reason: "notaccept", source: `${SISIMAI} (System not accepting network messages)` },
  { code: "5.3.3", reason: "systemerror", source: `${SISIMAI} (System not capable of selected features)` },
  { code: "5.3.4", reason: "emailtoolarge", source: `${SISIMAI} (Message too big for system)` },
  { code: "5.3.5", reason: "systemerror", source: `${SISIMAI} (System incorrectly configured)` },
  {
    code: "5.4.0",
    reason: "networkerror",
    source: `${SISIMAI} (Other or undefined network or routing status)`,
  },
  { code: "5.4.3", reason: "systemerror", source: `${SISIMAI} (Directory server failure)` },
  { code: "5.4.4", reason: "hostunknown", source: `${SISIMAI} (Unable to route)` },
  {
    code: "5.5.2",
    reason: "syntaxerror",
    source: `${SISIMAI} (If the server cannot BASE64 decode any client response (AUTH))`,
  },
  { code: "5.5.3", reason: "ratelimited", source: `${SISIMAI} (Too many recipients)` },
  { code: "5.5.4", reason: "systemerror", source: `${SISIMAI} (Invalid command arguments)` },
  { code: "5.5.5", reason: "systemerror", source: `${SISIMAI} (Wrong protocol version)` },
  { code: "5.5.6", reason: "syntaxerror", source: `${SISIMAI} (Authentication Exchange line is too long)` },
  { code: "5.6.0", reason: "contenterror", source: `${SISIMAI} (Other or undefined media error)` },
  { code: "5.6.1", reason: "contenterror", source: `${SISIMAI} (Media not supported)` },
  { code: "5.6.2", reason: "contenterror", source: `${SISIMAI} (Conversion required and prohibited)` },
  { code: "5.6.3", reason: "contenterror", source: `${SISIMAI} (Conversion required but not supported)` },
  { code: "5.6.5", reason: "contenterror", source: `${SISIMAI} (Conversion Failed)` },
  { code: "5.6.6", reason: "contenterror", source: `${SISIMAI} (Message content not available)` },
  {
    code: "5.6.7",
    reason: "contenterror",
    source: `${SISIMAI} (Non-ASCII addresses not permitted for that sender/recipient)`,
  },
  {
    code: "5.6.8",
    reason: "contenterror",
    source: `${SISIMAI} (UTF-8 string reply is required, but not permitted by the SMTP client)`,
  },
  {
    code: "5.6.9",
    reason: "contenterror",
    source: `${SISIMAI} (UTF-8 header message cannot be transferred to one or more recipients)`,
  },
  { code: "5.7.0", reason: "securityerror", source: `${SISIMAI} (Other or undefined security status)` },
  { code: "5.7.1", reason: "securityerror", source: `${SISIMAI} (Delivery not authorized, message refused)` },
  { code: "5.7.2", reason: "securityerror", source: `${SISIMAI} (Mailing list expansion prohibited)` },
  {
    code: "5.7.3",
    reason: "securityerror",
    source: `${SISIMAI} (Security conversion required but not possible)`,
  },
  { code: "5.7.4", reason: "securityerror", source: `${SISIMAI} (Security features not supported)` },
  { code: "5.7.5", reason: "securityerror", source: `${SISIMAI} (Cryptographic failure)` },
  { code: "5.7.6", reason: "securityerror", source: `${SISIMAI} (Cryptographic algorithm not supported)` },
  { code: "5.7.7", reason: "securityerror", source: `${SISIMAI} (Message integrity failure)` },
  { code: "5.7.8", reason: "securityerror", source: `${SISIMAI} (Authentication credentials invalid)` },
  { code: "5.7.9", reason: "securityerror", source: `${SISIMAI} (Authentication mechanism is too weak)` },
  { code: "5.7.10", reason: "securityerror", source: `${SISIMAI} (Encryption Needed)` },
  {
    code: "5.7.11",
    reason: "securityerror",
    source: `${SISIMAI} (Encryption required for requested authentication mechanism)`,
  },
  { code: "5.7.13", reason: "suspend", source: `${SISIMAI} (User Account Disabled)` },
  { code: "5.7.14", reason: "securityerror", source: `${SISIMAI} (Trust relationship required)` },
  { code: "5.7.15", reason: "securityerror", source: `${SISIMAI} (Priority Level is too low)` },
  {
    code: "5.7.16",
    reason: "emailtoolarge",
    source: `${SISIMAI} (Message is too big for the specified priority)`,
  },
  { code: "5.7.17", reason: "hasmoved", source: `${SISIMAI} (Mailbox owner has changed)` },
  { code: "5.7.18", reason: "hasmoved", source: `${SISIMAI} (Domain owner has changed)` },
  { code: "5.7.19", reason: "securityerror", source: `${SISIMAI} (RRVS test cannot be completed)` },
  { code: "5.7.20", reason: "authfailure", source: `${SISIMAI} (No passing DKIM signature found)` },
  { code: "5.7.21", reason: "authfailure", source: `${SISIMAI} (No acceptable DKIM signature found)` },
  {
    code: "5.7.22",
    reason: "authfailure",
    source: `${SISIMAI} (No valid author-matched DKIM signature found)`,
  },
  { code: "5.7.23", reason: "authfailure", source: `${SISIMAI} (SPF validation failed)` },
  { code: "5.7.24", reason: "authfailure", source: `${SISIMAI} (SPF validation error)` },
  { code: "5.7.25", reason: "requireptr", source: `${SISIMAI} (Reverse DNS validation failed)` },
  { code: "5.7.26", reason: "authfailure", source: `${SISIMAI} (Multiple authentication checks failed)` },
  {
    code: "5.7.27",
    reason: "notaccept",
    source: `${SISIMAI} (MX resource record of a destination host is Null MX: RFC7505)`,
  },
  {
    code: "5.7.28",
    reason: "spamdetected",
    source: `${SISIMAI} (The message appears to be part of a mail flood of similar abusive messages.)`,
  },
  {
    code: "5.7.29",
    reason: "authfailure",
    source: `${SISIMAI} (This status code may be returned when a message fails ARC validation.)`,
  },
  { code: "5.7.30", reason: "failedstarttls", source: `${SISIMAI} (REQUIRETLS support required)` },
];

export const STATUS_RULES: readonly StatusRule[] = [
  { code: "1.0", reason: "userunknown", source: RFC3463 },
  { code: "1.1", reason: "userunknown", source: RFC3463 },
  { code: "1.2", reason: "hostunknown", source: RFC3463 },
  { code: "1.3", reason: "userunknown", source: RFC3463 },
  { code: "1.4", reason: "filtered", source: RFC3463 },
  { code: "1.6", reason: "hasmoved", source: RFC3463 },
  { code: "1.7", reason: "rejected", source: RFC3463 },
  { code: "1.8", reason: "rejected", source: RFC3463 },
  { code: "1.9", reason: "systemerror", source: RFC3463 },
  { code: "1.10", reason: "notaccept", source: "RFC 7505 §4.2 (null MX)" },
  { code: "2.1", reason: "suspend", source: RFC3463 },
  { code: "2.2", reason: "mailboxfull", source: RFC3463 },
  { code: "2.3", reason: "emailtoolarge", source: RFC3463 },
  { code: "2.4", reason: "filtered", source: RFC3463 },
  { code: "3.1", reason: "systemfull", source: RFC3463 },
  { code: "3.2", reason: "notaccept", source: RFC3463 },
  { code: "3.4", reason: "emailtoolarge", source: RFC3463 },
  { code: "3.*", reason: "systemerror", source: RFC3463 },
  { code: "4.1", reason: "expired", source: RFC3463 },
  { code: "4.3", reason: "systemerror", source: RFC3463 },
  { code: "4.4", reason: "hostunknown", source: RFC3463 },
  { code: "4.7", reason: "expired", source: RFC3463 },
  { code: "4.*", reason: "networkerror", source: RFC3463 },
  { code: "5.3", reason: "ratelimited", source: RFC3463 },
  { code: "5.*", reason: "syntaxerror", source: RFC3463 },
  { code: "6.*", reason: "contenterror", source: RFC3463 },
  { code: "7.13", reason: "suspend", source: "RFC 5248 (5.7.13 user account disabled)" },
  { code: "7.16", reason: "emailtoolarge", source: "RFC 6710 (message too big for the priority)" },
  { code: "7.17", reason: "hasmoved", source: "RFC 7293 (mailbox owner has changed)" },
  { code: "7.18", reason: "hasmoved", source: "RFC 7293 (domain owner has changed)" },
  { code: "7.20", reason: "authfailure", source: RFC7372 },
  { code: "7.21", reason: "authfailure", source: RFC7372 },
  { code: "7.22", reason: "authfailure", source: RFC7372 },
  { code: "7.23", reason: "authfailure", source: RFC7372 },
  { code: "7.24", reason: "authfailure", source: RFC7372 },
  { code: "7.25", reason: "requireptr", source: RFC7372 },
  { code: "7.26", reason: "authfailure", source: RFC7372 },
  { code: "7.27", reason: "notaccept", source: "RFC 7505 (sender address has null MX)" },
  { code: "7.*", reason: "securityerror", source: RFC3463 },
];

/** Basic reply codes with one meaning whatever the text (RFC 5321 §4.2.3, RFC 7504). */
export const REPLY_CODE_RULES: ReadonlyArray<{ code: number; reason: Reason; source: string }> = [
  { code: 521, reason: "notaccept", source: "RFC 7504 §3 (521 host does not accept mail)" },
  { code: 556, reason: "notaccept", source: "RFC 7504 §3 (556 domain does not accept mail)" },
  { code: 552, reason: "mailboxfull", source: "RFC 5321 §4.2.3 (552 exceeded storage allocation)" },
  {
    code: 551,
    reason: "hasmoved",
    source:
      "RFC 5321 §3.4, §4.2.3 (551 user not local; please try <forward-path>: the server knows the address is elsewhere)",
  },
  { code: 500, reason: "syntaxerror", source: "RFC 5321 §4.2.3 (500 syntax error)" },
  { code: 501, reason: "syntaxerror", source: "RFC 5321 §4.2.3 (501 syntax error in parameters)" },
  { code: 503, reason: "syntaxerror", source: "RFC 5321 §4.2.3 (503 bad sequence of commands)" },
  {
    code: 502,
    reason: "syntaxerror",
    source:
      "RFC 5321 §4.2.3 (502 command not implemented); https://github.com/sisimai/go-sisimai/blob/main/reason/why-syntaxerror.go (501–507)",
  },
  {
    code: 504,
    reason: "syntaxerror",
    source:
      "RFC 5321 §4.2.3 (504 command parameter not implemented); https://github.com/sisimai/go-sisimai/blob/main/reason/why-syntaxerror.go (501–507)",
  },
  {
    code: 525,
    reason: "suspend",
    source:
      "RFC 5248 registry (5.7.13 user account disabled, basic code 525); https://github.com/sisimai/go-sisimai/blob/main/reason/why-suspend.go (reply code 525)",
  },
];

const SISIMAI_BY_CODE = new Map(SISIMAI_STATUS_RULES.map((rule) => [rule.code, rule]));

/** The reason Sisimai's own status table gives this exact code, or null (a code it does not list). */
export function sisimaiStatusReason(status: string | null): Reason | null {
  return status === null ? null : (SISIMAI_BY_CODE.get(status)?.reason ?? null);
}

const STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

/** The rule for an enhanced status code, or null (2.x.x is delivered; x.0.0 says nothing). */
export function statusRule(status: string | null): StatusRule | null {
  const match = status ? STATUS.exec(status) : null;
  if (!match) return null;
  if (match[1] === "2") return { code: "*", reason: "delivered", source: RFC3463 };
  const full = SISIMAI_BY_CODE.get(status as string);
  if (full) return full;
  const exact = `${match[2]}.${match[3]}`;
  const subject = `${match[2]}.*`;
  return STATUS_RULES.find((rule) => rule.code === exact || rule.code === subject) ?? null;
}

/** Reason implied by an enhanced status code / reply code alone; null when they say nothing specific. */
export function reasonFromStatus(status: string | null, replyCode: number | null): Reason | null {
  const byStatus = statusRule(status);
  if (byStatus) return byStatus.reason;
  return REPLY_CODE_RULES.find((rule) => rule.code === replyCode)?.reason ?? null;
}
