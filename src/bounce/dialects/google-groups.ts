import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/**
 * Google Groups refusing a post ("the group you tried to contact may not exist, or you may not have
 * permission to post"), written in the sender's language: the failed recipients are the groups named in
 * X-Failed-Recipients, and the refusal is about the sender, so the reason is `rejected`.
 */
export const googleGroups: Dialect = {
  id: "google-groups",
  source: "Sisimai lib/Sisimai/Lhost/GoogleGroups.pm (mailer-daemon@googlemail.com + X-Failed-Recipients)",
  detect(mail) {
    const failed = addressesIn(headerValue(mail.headers, "x-failed-recipients"));
    return (
      failed.length > 0 &&
      failed.every((address) => address.toLowerCase().endsWith("@googlegroups.com")) &&
      /mailer-daemon@google(?:mail)?\.com/i.test(mail.from)
    );
  },
  parse(mail) {
    const diagnostic = mail.reportText.replace(/\s+/g, " ").trim().slice(0, 1000);
    return addressesIn(headerValue(mail.headers, "x-failed-recipients")).map(
      (recipient): RecipientReport => ({
        recipient,
        diagnostic,
        time: headerValue(mail.headers, "date"),
        hintReason: "rejected",
      }),
    );
  },
};
