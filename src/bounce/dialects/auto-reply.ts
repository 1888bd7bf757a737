import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect } from "./types.ts";

/** Subjects auto-responders use (English and common mail clients); tested on the decoded Subject. */
const AUTO_REPLY_SUBJECT =
  /^(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|auto:|out of (?:the )?office|away until|on vacation|vacation reply|abwesenheitsnotiz|r[ée]ponse automatique)/i;

/**
 * Auto-replies (RFC 3834): the person who is away is the sender of the reply. Only messages that are
 * not delivery reports (some MTAs mark bounces auto-replied too).
 */
export const autoReply: Dialect = {
  id: "auto-reply",
  source: "RFC 3834 §5 (Auto-Submitted: auto-replied); X-Autoreply / X-Autorespond headers",
  detect(mail) {
    if (mail.deliveryStatus || mail.feedback) return false;
    const marked =
      (headerValue(mail.headers, "auto-submitted") ?? "").toLowerCase().startsWith("auto-replied") ||
      headerValue(mail.headers, "x-autoreply") !== null ||
      headerValue(mail.headers, "x-autorespond") !== null;
    const from = mail.from.toLowerCase();
    const daemon = from.includes("mailer-daemon") || from.includes("postmaster");
    return !daemon && (marked || AUTO_REPLY_SUBJECT.test(mail.subject));
  },
  parse(mail) {
    const from = addressesIn(mail.from)[0] ?? null;
    return [
      {
        recipient: from,
        diagnostic: mail.reportText.replace(/\s+/g, " ").trim().slice(0, 500),
        time: headerValue(mail.headers, "date"),
        hintReason: "vacation",
      },
    ];
  },
};
