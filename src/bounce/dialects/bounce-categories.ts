import { type RuleRef, ruleRef } from "../record.ts";
import type { Reason } from "../vocabulary.ts";

/**
 * The class a sending MTA writes next to each recipient of its DSN ("X-PowerMTA-BounceCategory:
 * bad-mailbox"), one category per entry. It is the MTA's first guess: the reason it names may still be
 * refined by the reply (a "5.2.1 … mailbox disabled" in a bad-mailbox group is suspend), as Sisimai reads a
 * reason its MTA decoder set (sisimai go reason/lib.go `Retry()`). Only the categories whose meaning is the
 * recipient's address and that a real report shows are listed; the others (policy-related, spam-related,
 * other…) leave the reply to decide.
 */
export const BOUNCE_CATEGORIES: ReadonlyArray<{
  category: string;
  reason: Reason;
  source: string;
  /** A delivery-status group that carries the category, as the MTA writes it. */
  example: string;
}> = [
  {
    category: "bad-mailbox",
    reason: "userunknown",
    source:
      "PowerMTA's DSN field X-PowerMTA-BounceCategory (its bounceCat classes; bad-mailbox: the recipient's mailbox); sisimai lib/Sisimai/Lhost/PowerMTA.pm (https://github.com/sisimai/p5-sisimai, BSD-2-Clause)",
    example:
      "Status: 5.0.0 (undefined status)\nDiagnostic-Code: smtp;554 delivery error: dd This user doesn't have a example.com account (kijitora@example.com) [0] - mta1082.mail.bf1.example.com\nX-PowerMTA-BounceCategory: bad-mailbox",
  },
];

const VERDICTS: ReadonlyMap<string, { reason: Reason; rule: RuleRef }> = new Map(
  BOUNCE_CATEGORIES.map((entry) => [
    entry.category,
    { reason: entry.reason, rule: ruleRef(`bounce-category-${entry.category}`, entry.source) },
  ]),
);

/** The reason a recipient's bounce category names (lower-cased), and the rule it is shown as; or null. */
export function categoryVerdict(category: string | null): { reason: Reason; rule: RuleRef } | null {
  return category === null ? null : (VERDICTS.get(category) ?? null);
}
