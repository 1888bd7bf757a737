import { headerValue } from "./headers.ts";
import { parseContentType } from "./mime.ts";
import type { ScannedEmail } from "./scan.ts";

/**
 * Report emails that are not about any recipient of the sender's mail: DMARC aggregate reports and SMTP
 * TLS reports (the reports issue reads those), and DMARC failure reports sent without an ARF part. None of
 * them is a bounce; each is recognised by what its standard prescribes, never by a sender's name.
 */
export type ReportKind = "dmarc-aggregate" | "tls-report" | "dmarc-failure";

export const REPORT_NOTES: Record<ReportKind, string> = {
  "dmarc-aggregate": "a DMARC aggregate report (RFC 7489 §7.2), not a bounce: skipped",
  "tls-report": "an SMTP TLS report (RFC 8460), not a bounce: skipped",
  "dmarc-failure": "a DMARC failure report (RFC 7489 §7.3), not a bounce: skipped",
};

/** RFC 7489 §7.2.1.1: "Report Domain: example.com Submitter: example.org Report-ID: <…>". */
const AGGREGATE_SUBJECT = /^\s*(?:\[[^\]]{0,80}\]\s*)?report\s+domain:\s*\S+.{0,200}\bsubmitter:/i;
/**
 * RFC 7489 §7.2.1.1 attachment name "receiver!policy-domain!begin!end[!unique].xml[.gz|.zip]"; RFC 8460
 * §5.1 uses the same shape for TLS reports (".json[.gz]").
 */
const REPORT_FILE_NAME = /![0-9]{9,11}![0-9]{9,11}(?:![^!\s"]{0,80})?\.(?:xml|json|zip|gz)/i;
const REPORT_FILE_TYPES =
  /^(?:application\/(?:zip|gzip|x-gzip|x-zip-compressed|xml|octet-stream)|text\/xml)$/;
/** RFC 8460 §5.3: the report's media types. */
const TLS_REPORT_TYPES = /^application\/tlsrpt\+(?:json|gzip)$/;
/** Failure reports written as plain text (RFC 7489 §7.3 allows other formats than ARF). */
const FAILURE_SUBJECT = /\bDMARC\s+(?:failure|forensic)\s+report\b/i;

/** The kind of report `mail` is, or null when it may be a bounce. */
export function reportKind(mail: ScannedEmail): ReportKind | null {
  // A delivery report is never one of these (and most messages read here are delivery reports).
  if (mail.deliveryStatus) return null;
  const reportType = mail.contentType.params.get("report-type")?.toLowerCase();
  if (reportType === "tlsrpt") return "tls-report";
  if (headerValue(mail.headers, "tls-report-domain") !== null) return "tls-report";
  const parts = mail.parts;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (TLS_REPORT_TYPES.test(part.type.type)) return "tls-report";
    if (!REPORT_FILE_TYPES.test(part.type.type)) continue;
    const disposition = parseContentType(headerValue(part.headers, "content-disposition"));
    const name = part.type.params.get("name") ?? disposition.params.get("filename") ?? "";
    if (REPORT_FILE_NAME.test(name)) return "dmarc-aggregate";
  }
  if (AGGREGATE_SUBJECT.test(mail.subject)) return "dmarc-aggregate";
  if (!mail.feedback && FAILURE_SUBJECT.test(mail.subject)) return "dmarc-failure";
  return null;
}
