import { APPLE_RULES } from "./apple.ts";
import { COMCAST_RULES } from "./comcast.ts";
import { COX_SPECTRUM_RULES } from "./cox-spectrum.ts";
import { CROSS_PROVIDER_RULES } from "./cross-provider.ts";
import { GOOGLE_RULES } from "./google.ts";
import { KDDI_RULES } from "./kddi.ts";
import { MICROSOFT_RULES } from "./microsoft.ts";
import { ORANGE_MIMECAST_RULES } from "./orange-mimecast.ts";
import { ProviderMatcher } from "./provider-matcher.ts";
import type { ProviderRule, RuleContext } from "./provider-rule.ts";
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

const PROVIDER_MATCHER = new ProviderMatcher(PROVIDER_RULES);

/** The first rule of PROVIDER_RULES that holds for this reply, or null. */
export function matchProviderRule(context: RuleContext): ProviderRule | null {
  return PROVIDER_MATCHER.match(context);
}
