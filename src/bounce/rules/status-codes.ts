import type { Reason } from "../vocabulary.ts";

/**
 * Reason implied by an enhanced status code alone (the fallback when no text rule matched). Ordered: the
 * first entry whose code equals the status (or, for `x.y.*`, whose class.subject prefix matches) wins.
 * Class 4 and 5 share the subject.detail meaning (RFC 3463 §3), so codes are written without the class.
 */
export interface StatusRule {
  /** "subject.detail" such as "1.1", or "subject.*" for the whole subject. */
  code: string;
  reason: Reason;
  source: string;
}

const RFC3463 = "RFC 3463 §3 / IANA SMTP Enhanced Status Codes registry; Sisimai lib/Sisimai/SMTP/Status.pm";
const RFC7372 = "RFC 7372 (email authentication status codes)";

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
  { code: 500, reason: "syntaxerror", source: "RFC 5321 §4.2.3 (500 syntax error)" },
  { code: 501, reason: "syntaxerror", source: "RFC 5321 §4.2.3 (501 syntax error in parameters)" },
  { code: 503, reason: "syntaxerror", source: "RFC 5321 §4.2.3 (503 bad sequence of commands)" },
];

const STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

/** The rule for an enhanced status code, or null (2.x.x is delivered; x.0.0 says nothing). */
export function statusRule(status: string | null): StatusRule | null {
  const match = status ? STATUS.exec(status) : null;
  if (!match) return null;
  if (match[1] === "2") return { code: "*", reason: "delivered", source: RFC3463 };
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
