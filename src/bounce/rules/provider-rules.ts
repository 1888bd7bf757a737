import { anyOf } from "./any-of.ts";
import { APPLE_RULES } from "./apple.ts";
import { COMCAST_RULES } from "./comcast.ts";
import { COX_SPECTRUM_RULES } from "./cox-spectrum.ts";
import { CROSS_PROVIDER_RULES } from "./cross-provider.ts";
import { GOOGLE_RULES } from "./google.ts";
import { KDDI_RULES } from "./kddi.ts";
import { MICROSOFT_RULES } from "./microsoft.ts";
import { ORANGE_MIMECAST_RULES } from "./orange-mimecast.ts";
import { type ProviderRule, type RuleContext, ruleApplies } from "./provider-rule.ts";
import { YAHOO_RULES } from "./yahoo.ts";

/**
 * The ordered provider rule table, first match wins: provider codes before the cross-provider phrases
 * (Yahoo's [BL21] mentions Spamhaus but is Yahoo's code; Gmail's 5.7.26 may mention DMARC).
 */
export const PROVIDER_RULES: readonly ProviderRule[] = [
  ...APPLE_RULES,
  ...YAHOO_RULES,
  ...MICROSOFT_RULES,
  ...COMCAST_RULES,
  ...COX_SPECTRUM_RULES,
  ...ORANGE_MIMECAST_RULES,
  ...GOOGLE_RULES,
  ...KDDI_RULES,
  ...CROSS_PROVIDER_RULES,
];

/**
 * Speed: one combined pattern tells whether any text pattern can match; when none can, only the rules
 * that hold on status/provider alone (pattern matching everything) are tried, still in table order.
 */
const TEXT_RULES = PROVIDER_RULES.filter((rule) => !rule.pattern.test(""));
const ANY_TEXT_RULE = anyOf(TEXT_RULES.map((rule) => rule.pattern));
const GATE_ONLY_RULES = PROVIDER_RULES.filter((rule) => rule.pattern.test(""));

export function matchProviderRule(context: RuleContext): ProviderRule | null {
  const candidates = ANY_TEXT_RULE?.test(context.lowerText) === false ? GATE_ONLY_RULES : PROVIDER_RULES;
  // An index loop: for-of allocates an iterator per call in Maglev-compiled code (email runs' tier).
  for (let i = 0; i < candidates.length; i++) if (ruleApplies(candidates[i], context)) return candidates[i];
  return null;
}
