/**
 * DMARC aggregate reports (RFC 7489 appendix C, RFC 9990) and SMTP TLS reports (RFC 8460) as read from
 * their files: one report is validated completely before anything of it is stored (all-or-nothing).
 * Vocabularies: https://www.rfc-editor.org/rfc/rfc9990 §3 (XML schema) and
 * https://www.rfc-editor.org/rfc/rfc7489#appendix-C; TLS: https://www.rfc-editor.org/rfc/rfc8460#section-4.
 */

import type { PublishedPolicy } from "../store/index.ts";

/** What receivers did with the messages (RFC 9990 adds `pass`, seen in its own sample). */
export const DISPOSITIONS = ["none", "quarantine", "reject", "pass"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** DMARC's aligned result per mechanism (policy_evaluated dkim/spf). */
export const ALIGNED_RESULTS = ["pass", "fail"] as const;
export type AlignedResult = (typeof ALIGNED_RESULTS)[number];

/** Why a receiver did not apply the published policy (RFC 7489 and RFC 9990 together). */
export const OVERRIDE_REASONS = [
  "forwarded",
  "sampled_out",
  "trusted_forwarder",
  "mailing_list",
  "local_policy",
  "policy_test_mode",
  "other",
] as const;

/** Override reasons that say the message was forwarded: such sources are not blamed as unknown. */
export const FORWARDING_REASONS: ReadonlySet<string> = new Set([
  "forwarded",
  "trusted_forwarder",
  "mailing_list",
]);

/** DKIM results in auth_results (RFC 8601 §2.7.1 values the schema lists). */
export const DKIM_RESULTS = ["none", "pass", "fail", "policy", "neutral", "temperror", "permerror"] as const;
/** SPF results in auth_results (RFC 7208 §2.6). */
export const SPF_RESULTS = ["none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"] as const;

export interface DkimAuth {
  domain: string | null;
  selector: string | null;
  result: string;
}

export interface SpfAuth {
  domain: string | null;
  scope: string | null;
  result: string;
}

export interface AggregateRow {
  sourceIp: string;
  count: number;
  disposition: Disposition;
  dkim: AlignedResult;
  spf: AlignedResult;
  /** Override reason types (empty `<type>` elements dropped), in report order. */
  reasons: string[];
  /** Their comments (Google writes `arc=pass` there for forwarded mail), joined with "; ". */
  reasonComment: string | null;
  headerFrom: string;
  envelopeFrom: string | null;
  envelopeTo: string | null;
  dkimAuth: DkimAuth[];
  spfAuth: SpfAuth[];
}

export interface AggregateReport {
  kind: "dmarc-aggregate";
  /** `rfc9990` when the 2.0 namespace or a 9990-only element is present, else `rfc7489`. */
  schema: "rfc7489" | "rfc9990";
  /** org_name, or the domain of the report's email when org_name is empty. */
  reporter: string;
  reporterEmail: string | null;
  reportId: string;
  /** Epoch seconds, UTC, as in the report. */
  begin: number;
  end: number;
  generator: string | null;
  errors: string[];
  policy: PublishedPolicy;
  rows: AggregateRow[];
  /** Where it was read from inside its file ("" for the file itself, else a zip entry or attachment name). */
  part: string;
}

/** RFC 8460 result types, §4.3 (others are kept as written, lower-cased). */
export const TLS_RESULT_TYPES = [
  "starttls-not-supported",
  "certificate-host-mismatch",
  "certificate-expired",
  "certificate-not-trusted",
  "validation-failure",
  "tlsa-invalid",
  "dnssec-invalid",
  "dane-required",
  "sts-policy-fetch-error",
  "sts-policy-invalid",
  "sts-webpki-invalid",
] as const;

export interface TlsFailure {
  resultType: string;
  sendingIp: string | null;
  receivingMx: string | null;
  receivingHelo: string | null;
  receivingIp: string | null;
  count: number;
  reasonCode: string | null;
  info: string | null;
}

export interface TlsPolicy {
  type: string;
  domain: string;
  mxHost: string | null;
  successful: number;
  failed: number;
  failures: TlsFailure[];
}

export interface TlsReport {
  kind: "tls-report";
  reporter: string;
  contact: string | null;
  reportId: string;
  begin: number;
  end: number;
  policies: TlsPolicy[];
  part: string;
}

export type Report = AggregateReport | TlsReport;

/** A report (or a whole input) refused: one line naming the file, the part and the problem. */
export class ReportError extends Error {
  /** Short machine-readable reason: invalid-xml, invalid-utf8, not-a-report, invalid-report, limit, … */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}
