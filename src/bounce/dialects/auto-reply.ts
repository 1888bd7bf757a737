import { headerValue } from "../email/headers.ts";
import type { ScannedEmail } from "../email/scan.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/** Subjects auto-responders use (English and common mail clients); tested on the decoded Subject. */
const AUTO_REPLY_SUBJECT =
  /^(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|auto:|out of (?:the )?office|away until|on vacation|vacation reply|abwesenheitsnotiz|r[ée]ponse automatique)/i;

/**
 * What is never an auto-reply though marked as one (Sisimai lib/Sisimai/RFC3834.pm `excludings`): a report
 * from root, a postmaster or a mailer daemon, one to root, sudo's "Security information for" notices,
 * Exim's "Mail failure -" reports.
 */
const NOT_AUTO_REPLY_FROM = /mailer-daemon|postmaster|\broot@/i;
const NOT_AUTO_REPLY_TO = /\broot@/i;
const NOT_AUTO_REPLY_SUBJECT = /security information for|mail failure -/i;
/**
 * "Auto-Submitted: auto-replied (rejected)": a delivery agent refusing the message (Dovecot's LDA/LMTP and Sieve
 * "reject", RFC 5429: a reject MDN), the refused recipient in its text ("Your message to <a@b> was
 * automatically rejected: Quota exceeded"), not a person who is away. Example: flufl.bounce's test data
 * simple_38.txt (https://gitlab.com/warsaw/flufl.bounce).
 */
const REJECTED = /^auto-replied\s*\(rejected\)/i;

function excluded(mail: ScannedEmail): boolean {
  return (
    mail.deliveryStatus !== null ||
    REJECTED.test(headerValue(mail.headers, "auto-submitted") ?? "") ||
    mail.feedback !== null ||
    NOT_AUTO_REPLY_FROM.test(mail.from) ||
    NOT_AUTO_REPLY_TO.test(headerValue(mail.headers, "to") ?? "") ||
    NOT_AUTO_REPLY_SUBJECT.test(mail.subject)
  );
}

/**
 * The person who is away is the sender of the reply; its first lines say why. A reply from no one ("From: <>",
 * the null path MTAs send notices with, RFC 5321 §4.5.5) is no person's: none here (a notice's reader reads it).
 */
function parse(mail: ScannedEmail): RecipientReport[] {
  const from = addressesIn(mail.from)[0];
  if (from === undefined) return [];
  return [
    {
      recipient: from,
      diagnostic: mail.reportText.replace(/\s+/g, " ").trim().slice(0, 500),
      time: headerValue(mail.headers, "date"),
      hintReason: "vacation",
    },
  ];
}

/**
 * Auto-replies (RFC 3834): marked as a reply by the responder, or by their Subject. Only messages that are
 * not delivery reports (some MTAs mark bounces auto-replied too).
 */
export const autoReply: Dialect = {
  id: "auto-reply",
  source:
    "RFC 3834 §5 (Auto-Submitted: auto-replied); X-Autoreply / X-Autorespond; X-Auto-Response-Suppress: OOF, X-Apple-Action: vacation, Precedence: auto_reply (Sisimai lib/Sisimai/RFC3834.pm)",
  detect(mail) {
    const marked =
      (headerValue(mail.headers, "auto-submitted") ?? "").toLowerCase().startsWith("auto-replied") ||
      headerValue(mail.headers, "x-autoreply") !== null ||
      headerValue(mail.headers, "x-autorespond") !== null ||
      // Exchange's out-of-office replies, Apple Mail's vacation replies, "Precedence: auto_reply"
      // (Sisimai lib/Sisimai/RFC3834.pm; https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxcmail/ced68690-498a-4567-9d14-5c01f974d8b1).
      /oof|autoreply/i.test(headerValue(mail.headers, "x-auto-response-suppress") ?? "") ||
      /^vacation$/i.test(headerValue(mail.headers, "x-apple-action") ?? "") ||
      /^auto_reply$/i.test(headerValue(mail.headers, "precedence") ?? "");
    return (marked || AUTO_REPLY_SUBJECT.test(mail.subject)) && !excluded(mail);
  },
  parse,
};

/**
 * The last reader: a message no bounce reader took that its writer marked automatic at all (RFC 3834 §5:
 * Auto-Submitted auto-generated or auto-notified, not only auto-replied) is an automatic answer to the
 * sender too; Sisimai reads it so, after every bounce decoder (lib/Sisimai/RFC3834.pm `autoreply1`). Whether
 * it answers a message (In-Reply-To, a "Re:" Subject) is not asked, as Sisimai does not ask it: a notice a
 * program sends of its own accord (a quota warning) is a vacation record too, which is no failure.
 */
export const automaticAnswer: Dialect = {
  id: "automatic-answer",
  source: "RFC 3834 §5 (Auto-Submitted: auto-generated, auto-notified); Sisimai lib/Sisimai/RFC3834.pm",
  detect(mail) {
    return (
      /^auto-(?:generated|notified)/i.test(headerValue(mail.headers, "auto-submitted") ?? "") &&
      !excluded(mail)
    );
  },
  parse,
};
