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
  source:
    "RFC 3834 §5 (Auto-Submitted: auto-replied); X-Autoreply / X-Autorespond; X-Auto-Response-Suppress: OOF, X-Apple-Action: vacation, Precedence: auto_reply (Sisimai lib/Sisimai/RFC3834.pm)",
  detect(mail) {
    if (mail.deliveryStatus || mail.feedback) return false;
    const marked =
      (headerValue(mail.headers, "auto-submitted") ?? "").toLowerCase().startsWith("auto-replied") ||
      headerValue(mail.headers, "x-autoreply") !== null ||
      headerValue(mail.headers, "x-autorespond") !== null ||
      // Exchange's out-of-office replies, Apple Mail's vacation replies, "Precedence: auto_reply"
      // (Sisimai lib/Sisimai/RFC3834.pm; https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxcmail/ced68690-498a-4567-9d14-5c01f974d8b1).
      /oof|autoreply/i.test(headerValue(mail.headers, "x-auto-response-suppress") ?? "") ||
      /^vacation$/i.test(headerValue(mail.headers, "x-apple-action") ?? "") ||
      /^auto_reply$/i.test(headerValue(mail.headers, "precedence") ?? "");
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
