import { limitOf } from "../../util/limits.ts";
import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/**
 * The "X6" notice (sisimai go lhost/via-x6.go: subject "There was an error sending your mail"): it quotes the
 * original's Subject and Date, then writes one line per failed recipient, "SMTP Server <mx> rejected recipient
 * <a@b> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown]" or "The following
 * recipients returned permanent errors: a@b. Reason: …". The recipient stands inside its line, so the generic
 * reader took the whole text, the quoted Subject included, as the error; each line is its recipient's error.
 */
const SUBJECT = /^There was an error sending your mail/;
const REJECTED = "SMTP Server <";
const RETURNED = "The following recipients returned permanent errors: ";
/** One more than the limit: recordsFromEmail sees it was reached and says so. */
const MAX_REPORTS = limitOf("recipientsPerMessage") + 1;
/** Hostile input: each recipient line read to at most this many characters. */
const MAX_LINE_CHARS = 2000;

/** The recipient a line names: the last <a@b> of a rejection, the address after the heading of the other form. */
function recipientOf(line: string): string | null {
  if (line.startsWith(RETURNED))
    return addressesIn(line.slice(RETURNED.length).replace(/\.(?:\s|$).*$/, ""))[0] ?? null;
  const open = line.lastIndexOf(" <");
  return open < 0 ? null : (addressesIn(line.slice(open))[0] ?? null);
}

export const x6: Dialect = {
  id: "x6",
  source:
    "sisimai go lhost/via-x6.go ('SMTP Server <', 'The following recipients returned permanent errors: ')",
  detect: (mail) => SUBJECT.test(mail.subject),
  parse(mail) {
    const reports: RecipientReport[] = [];
    for (const raw of mail.reportText.split(/\r?\n/)) {
      const line = raw.trim().slice(0, MAX_LINE_CHARS);
      if (!line.startsWith(REJECTED) && !line.startsWith(RETURNED)) continue;
      const recipient = recipientOf(line);
      if (!recipient) continue;
      reports.push({
        recipient,
        diagnostic: line,
        time: headerValue(mail.headers, "date"),
        action: "failed",
      });
      if (reports.length === MAX_REPORTS) break;
    }
    return reports;
  },
};
