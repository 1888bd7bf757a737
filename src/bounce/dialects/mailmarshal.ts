import { limitOf } from "../../util/limits.ts";
import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/**
 * Trustwave's MailMarshal (Secure Email Gateway) notice: "Your message:" quotes the original's From and
 * Subject, "Could not be delivered because of" is followed by the reply, and "The following recipients were
 * affected:" lists the recipients, one indented address a line. The generic reader would take everything
 * before the list as the error, the original's Subject included (a subject saying "mailbox full" made a
 * "550 5.1.1 User unknown" mailboxfull).
 */
const SUBJECT = /^Undeliverable Mail: "/;
const ERROR = /^Could not be delivered because of[ \t]*$/m;
const AFFECTED = /^The following recipients were affected:[ \t]*$/m;
/** A recipient line: four blanks, then the address alone (Perl Sisimai 4.25 MailMarshalSMTP.pm). */
const RECIPIENT = /^[ \t]{4}([^\s@]+@[^\s@]+)[ \t]*$/;
/** One more than the limit: recordsFromEmail sees it was reached and says so. */
const MAX_REPORTS = limitOf("recipientsPerMessage") + 1;
/** Hostile input: the list read from at most this many characters per recipient it may hold. */
const MAX_CHARS_PER_RECIPIENT = 100;
/** The error text kept (the reply and its heading). */
const MAX_ERROR_CHARS = 1000;

export const mailMarshal: Dialect = {
  id: "mailmarshal",
  source:
    "sisimai go lhost/via-mailmarshalsmtp.go ('Your message:', 'Could not be delivered because of', 'The following recipients were affected:'); https://www.trustwave.com/en-us/services/email-security/",
  detect: (mail) => SUBJECT.test(mail.subject) && ERROR.test(mail.reportText),
  parse(mail) {
    const text = mail.reportText;
    const error = text.search(ERROR);
    const affected = text.search(AFFECTED);
    if (error < 0 || affected < error) return [];
    const diagnostic = text
      .slice(error, Math.min(affected, error + 4 * MAX_ERROR_CHARS))
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .join(" ")
      .slice(0, MAX_ERROR_CHARS);
    const recipients: string[] = [];
    // The list ends at the first line that is not a recipient (a blank line, "Additional Information").
    const list = text.slice(affected, affected + MAX_REPORTS * MAX_CHARS_PER_RECIPIENT).split(/\r?\n/);
    for (const line of list.slice(1, MAX_REPORTS + 1)) {
      const match = RECIPIENT.exec(line);
      if (!match) break;
      recipients.push(...addressesIn(match[1]));
    }
    return recipients.map(
      (recipient): RecipientReport => ({
        recipient,
        diagnostic,
        time: headerValue(mail.headers, "date"),
        action: "failed",
      }),
    );
  },
};
