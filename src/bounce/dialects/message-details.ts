import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/**
 * Apache James' notice (AbstractNotify.java), also sent by Verizon's gateways: the error comes first
 * ("Error message below:" / "Error: …"), then a "Message details:" block whose "  RCPT TO: " lines name the
 * recipients. The generic reader would take the details block as the recipient's error.
 */
const DETAILS = /^Message details:[ \t]*$/m;
const RCPT_TO = /^[ \t]+RCPT TO:[ \t]*(.+)$/gm;
/** Labels and boilerplate of the notice that explain nothing. */
const LABELS =
  /^(?:Error message below:|Failed recipient\(s\):|Hi\. This is the James mail server.*|I'm afraid I wasn't able to deliver.*|This is a permanent error.*|I include the list of recipients.*|your message\.?)$/i;

export const messageDetails: Dialect = {
  id: "message-details",
  source:
    "sisimai go lhost/via-apachejames.go and via-verizon.go (James AbstractNotify.java: 'Error message below:', 'Message details:', '  RCPT TO: ')",
  detect: (mail) => DETAILS.test(mail.reportText),
  parse(mail) {
    const text = mail.reportText;
    const at = text.search(DETAILS);
    const details = text.slice(at);
    const recipients = [...details.matchAll(RCPT_TO)].flatMap((match) => addressesIn(match[1]));
    if (recipients.length === 0) return [];
    const error = text
      .slice(0, at)
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== "" && !LABELS.test(line) && !recipients.includes(line))
      .join(" ")
      .slice(0, 1000);
    return recipients.map(
      (recipient): RecipientReport => ({
        recipient,
        diagnostic: error,
        time: headerValue(mail.headers, "date"),
        action: "failed",
      }),
    );
  },
};
