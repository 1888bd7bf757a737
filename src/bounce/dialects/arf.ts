import { bareAddress } from "../email/dsn.ts";
import { headerValue } from "../email/headers.ts";
import type { ScannedEmail } from "../email/scan.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/**
 * Complaint reports in a multipart/mixed with no feedback-report part: Microsoft's Junk Mail Reporting
 * Program (From staff@hotmail.com) and Amazon SES complaints (complaints@email-abuse.amazonses.com), both
 * with the Subject "complaint about message from <IP>" (Sisimai lib/Sisimai/ARF.pm, Perl 4.25 `is_arf`;
 * https://sendersupport.olc.protection.outlook.com/pm/junkmail.aspx).
 */
const COMPLAINT_SENDER = /\b(?:staff@hotmail\.com|complaints@email-abuse\.amazonses\.com)\b/i;
const COMPLAINT_SUBJECT = /complaint about message from /i;

function isComplaintWithoutReport(mail: ScannedEmail): boolean {
  return COMPLAINT_SUBJECT.test(mail.subject) && COMPLAINT_SENDER.test(mail.from);
}

/** ARF feedback-loop complaints (RFC 5965): one record per reported recipient, reason `feedback`. */
export const arf: Dialect = {
  id: "arf",
  source:
    "RFC 5965 (Abuse Reporting Format) §3.1, §3.2; Sisimai lib/Sisimai/ARF.pm (Microsoft JMRP, Amazon SES)",
  detect: (mail) => mail.feedback !== null || isComplaintWithoutReport(mail),
  parse(mail) {
    const report = mail.feedback;
    // Microsoft's reports carry no Feedback-Type: a recipient's complaint is abuse (Sisimai lib/Sisimai/ARF.pm).
    const feedbackType = report ? (headerValue(report, "feedback-type")?.toLowerCase() ?? null) : "abuse";
    const time = report
      ? (headerValue(report, "arrival-date") ?? headerValue(report, "received-date"))
      : null;
    const listed = (report?.fields ?? [])
      .filter((field) => field.name === "original-rcpt-to" || field.name === "removal-recipient")
      .map((field) => bareAddress(field.value))
      .filter((address) => address !== null);
    const headers = listed.length > 0 ? null : mail.originalHeaders();
    // Microsoft names the complainer in X-HmXmrOriginalRecipient of the attached message; else its To:.
    const original = headers
      ? addressesIn(headerValue(headers, "x-hmxmroriginalrecipient") ?? headerValue(headers, "to"))
      : [];
    const recipients: Array<string | null> = listed.length > 0 ? listed : original.slice(0, 1);
    if (recipients.length === 0) recipients.push(null);
    return recipients.map(
      (recipient): RecipientReport => ({
        recipient,
        diagnostic: mail.reportText.replace(/\s+/g, " ").trim().slice(0, 1000),
        time,
        hintReason: "feedback",
        feedbackType,
      }),
    );
  },
};
