import { headerValue } from "../email/headers.ts";
import { addressesIn, readReportText } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/** Signs that a message without structured fields is a bounce at all. */
const BOUNCE_SUBJECT =
  /undeliver|undelivered|delivery|returned mail|failure|failed|not delivered|could not be delivered|bounce|rejected|error|non-?remis|problem|warning|nondeliverable/i;
const BOUNCE_SENDER = /mailer-daemon|postmaster|mail delivery|mailer|bounce|daemon|system administrator/i;

/**
 * The generic fallback: recipients named on their own line in the human-readable report (qmail, Exim,
 * Gmail and most legacy MTAs write them so), each followed by its error lines.
 */
export const plainText: Dialect = {
  id: "plain-text",
  source: "Common non-RFC 3464 bounce layouts (see Sisimai lib/Sisimai/Lhost/*.pm)",
  detect(mail) {
    return (
      headerValue(mail.headers, "x-failed-recipients") !== null ||
      BOUNCE_SUBJECT.test(mail.subject) ||
      BOUNCE_SENDER.test(mail.from)
    );
  },
  parse(mail) {
    const text = readReportText(mail.reportText);
    const time = headerValue(mail.headers, "date");
    if (text.entries.length > 0) {
      return text.entries.map((entry): RecipientReport => ({ ...entry, time }));
    }
    const failed = addressesIn(headerValue(mail.headers, "x-failed-recipients"));
    const original = mail.originalHeaders ? addressesIn(headerValue(mail.originalHeaders, "to")) : [];
    const recipients = failed.length > 0 ? failed : original.slice(0, 1);
    return recipients.map((recipient): RecipientReport => ({ recipient, diagnostic: text.preamble, time }));
  },
};
