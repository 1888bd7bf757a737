import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Reason } from "../vocabulary.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/**
 * fml, the mailing-list manager (X-MLServer: fml …): it tells the list admin why a post went nowhere in a
 * plain note ("Duplicated Message-ID in <list@…>.", "NOT MEMBER article from …") followed by
 * "Original mail as follows:". Ordered, first match (on the Subject and the note) wins. The recipient is the
 * list the note names in angle brackets, else the first address it names, else the notice's To.
 */
const FML_ERRORS: ReadonlyArray<{ pattern: RegExp; reason: Reason; source: string }> = [
  {
    pattern:
      /not member article from|reject mail (?:from|since)|spam mail from a spammer is rejected|are not member|header may cause mail loop|reject spammers:|you are not a member of this mailing list/i,
    reason: "rejected",
    source:
      "Sisimai lib/Sisimai/Lhost/FML.pm ('NOT MEMBER article from', 'reject mail from'); sisimai go lhost/via-fml.go errortable (' header may cause mail loop', 'reject spammers:', 'You are not a member of this mailing list')",
  },
  {
    pattern: /security alert/i,
    reason: "securityerror",
    source: "Sisimai lib/Sisimai/Lhost/FML.pm ('Security Alert')",
  },
  {
    pattern:
      /duplicated message-id|fml system error message|loop alert|loop back warning|unix from loop|has detected a loop condition so that/i,
    reason: "systemerror",
    source:
      "Sisimai lib/Sisimai/Lhost/FML.pm ('Duplicated Message-ID', 'Loop Alert:', 'fml system error message'); sisimai go lhost/via-fml.go errortable (' has detected a loop condition so that')",
  },
];

const ORIGINAL_FOLLOWS = /^\s*original mail as follows:/im;
/**
 * The list address fml names in angle brackets ("You are not a member of this mailing list <neko@…>.",
 * "Duplicated Message-ID in <neko@…>."): the address the post could not reach, one recipient each (sisimai go
 * lhost/via-fml.go reads each `<…>` of the note as a recipient). The poster fml names bare ("NOT MEMBER
 * article from sender@…") is who sent the post, not where it failed.
 */
const BRACKETED = /<([^<>\s@]+@[^<>\s@]+)>/g;
/** fml names one list per note; a hostile note is not read for more. */
const MAX_LISTS = 16;

export const fml: Dialect = {
  id: "fml",
  source: "fml mailing-list manager notices (X-MLServer: fml); Sisimai lib/Sisimai/Lhost/FML.pm",
  detect: (mail) => /^fml\b/i.test(headerValue(mail.headers, "x-mlserver") ?? ""),
  parse(mail) {
    const text = mail.reportText;
    const cut = text.search(ORIGINAL_FOLLOWS);
    const note = (cut < 0 ? text : text.slice(0, cut)).replace(/\s+/g, " ").trim().slice(0, 1000);
    const error = FML_ERRORS.find((entry) => entry.pattern.test(`${mail.subject} ${note}`));
    if (!error) return [];
    const lists = [...new Set(Array.from(note.matchAll(BRACKETED), (match) => match[1]))].slice(0, MAX_LISTS);
    const named =
      lists.length > 0
        ? lists
        : [...addressesIn(note), ...addressesIn(headerValue(mail.headers, "to"))].slice(0, 1);
    return named.map(
      (recipient): RecipientReport => ({
        recipient,
        diagnostic: note,
        time: headerValue(mail.headers, "date"),
        hintReason: error.reason,
      }),
    );
  },
};
