import { bareAddress } from "../email/dsn.ts";
import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/** ARF feedback-loop complaints (RFC 5965): one record per reported recipient, reason `feedback`. */
export const arf: Dialect = {
  id: "arf",
  source: "RFC 5965 (Abuse Reporting Format) §3.1, §3.2",
  detect: (mail) => mail.feedback !== null,
  parse(mail) {
    const report = mail.feedback!;
    const feedbackType = headerValue(report, "feedback-type")?.toLowerCase() ?? null;
    const time = headerValue(report, "arrival-date") ?? headerValue(report, "received-date");
    const listed = report.fields
      .filter((field) => field.name === "original-rcpt-to" || field.name === "removal-recipient")
      .map((field) => bareAddress(field.value))
      .filter((address) => address !== null);
    const headers = listed.length > 0 ? null : mail.originalHeaders();
    const original = headers ? addressesIn(headerValue(headers, "to")) : [];
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
