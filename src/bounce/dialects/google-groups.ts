import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/**
 * Google Groups refusing a post ("the group you tried to contact may not exist, or you may not have
 * permission to post"), written in the sender's language: the failed recipients are the groups named in
 * X-Failed-Recipients, and the refusal is about the sender, so the reason is `rejected`. The notice is signed
 * "Google Groups" (in every language: "Google Groups小組敬上"); Gmail's own bounce for an address at
 * googlegroups.com ("** Address not found **", "550 5.1.1 The email account that you tried to reach does not
 * exist") carries the same headers and is not one (sisimai go lhost/via-googlegroups.go: the payload must
 * contain "Google Groups"). The group's address may be at any domain (a Google Workspace group at the
 * organisation's own domain sends the same notice): Sisimai checks no recipient domain either.
 */
const SIGNATURE = /Google Groups/;

/**
 * The refusal notice lists four reasons a post may fail, one bullet line each ("  * You might have spelled or
 * formatted the group name incorrectly."): only that notice is a refused post; any other text signed so is
 * read for what it says (sisimai go lhost/via-googlegroups.go: "rejected" when "\n *" or "\n*" occurs four
 * times, else "onhold", which Sisimai reads again from the text).
 */
const listsFourReasons = (text: string): boolean =>
  text.split("\n *").length === 5 || text.split("\n*").length === 5;
export const googleGroups: Dialect = {
  id: "google-groups",
  source:
    "Sisimai lib/Sisimai/Lhost/GoogleGroups.pm, sisimai go lhost/via-googlegroups.go (mailer-daemon@googlemail.com + X-Failed-Recipients + 'Google Groups')",
  detect(mail) {
    return (
      addressesIn(headerValue(mail.headers, "x-failed-recipients")).length > 0 &&
      /mailer-daemon@google(?:mail)?\.com/i.test(mail.from) &&
      SIGNATURE.test(mail.reportText)
    );
  },
  parse(mail) {
    const diagnostic = mail.reportText.replace(/\s+/g, " ").trim().slice(0, 1000);
    return addressesIn(headerValue(mail.headers, "x-failed-recipients")).map(
      (recipient): RecipientReport => ({
        recipient,
        diagnostic,
        time: headerValue(mail.headers, "date"),
        hintReason: listsFourReasons(mail.reportText) ? "rejected" : null,
      }),
    );
  },
};
