import type { Provider } from "../bounce/vocabulary.ts";

/**
 * Mailbox provider of a recipient domain, for every event type (opens and clicks carry no reply to
 * classify). Exact, lower-case domains; ordered; each with its source. Unlisted domains are `other`.
 */
export interface ProviderDomain {
  domain: string;
  provider: Provider;
  source: string;
}

const APPLE = "support.apple.com/en-us/102322 (iCloud Mail: icloud.com, me.com, mac.com)";
const GOOGLE = "support.google.com/mail/answer/10313 (gmail.com, googlemail.com)";
const YAHOO = "senders.yahooinc.com (Yahoo, AOL and their regional domains)";
const MICROSOFT = "sendersupport.olc.protection.outlook.com (Outlook.com consumer domains)";
const ATT = "bentonow.com/smtp-errors/yahoo (AT&T domains are hosted by Yahoo mail)";

export const PROVIDER_DOMAINS: readonly ProviderDomain[] = [
  { domain: "icloud.com", provider: "apple", source: APPLE },
  { domain: "me.com", provider: "apple", source: APPLE },
  { domain: "mac.com", provider: "apple", source: APPLE },
  { domain: "gmail.com", provider: "google", source: GOOGLE },
  { domain: "googlemail.com", provider: "google", source: GOOGLE },
  { domain: "yahoo.com", provider: "yahoo", source: YAHOO },
  { domain: "ymail.com", provider: "yahoo", source: YAHOO },
  { domain: "rocketmail.com", provider: "yahoo", source: YAHOO },
  { domain: "yahoo.co.uk", provider: "yahoo", source: YAHOO },
  { domain: "yahoo.fr", provider: "yahoo", source: YAHOO },
  { domain: "aol.com", provider: "yahoo", source: YAHOO },
  { domain: "outlook.com", provider: "microsoft", source: MICROSOFT },
  { domain: "hotmail.com", provider: "microsoft", source: MICROSOFT },
  { domain: "live.com", provider: "microsoft", source: MICROSOFT },
  { domain: "msn.com", provider: "microsoft", source: MICROSOFT },
  { domain: "hotmail.co.uk", provider: "microsoft", source: MICROSOFT },
  { domain: "hotmail.fr", provider: "microsoft", source: MICROSOFT },
  { domain: "comcast.net", provider: "comcast", source: "xfinity.com/support (Comcast consumer mail)" },
  { domain: "att.net", provider: "att", source: ATT },
  { domain: "sbcglobal.net", provider: "att", source: ATT },
  { domain: "bellsouth.net", provider: "att", source: ATT },
  { domain: "cox.net", provider: "cox", source: "cox.com/residential/support (Cox consumer mail)" },
  { domain: "charter.net", provider: "charter", source: "spectrum.net/support (Charter/Spectrum mail)" },
  { domain: "spectrum.net", provider: "charter", source: "spectrum.net/support (Charter/Spectrum mail)" },
  { domain: "gmx.com", provider: "gmx", source: "gmx.com (GMX consumer mail)" },
  { domain: "gmx.de", provider: "gmx", source: "gmx.net (GMX consumer mail)" },
  { domain: "gmx.net", provider: "gmx", source: "gmx.net (GMX consumer mail)" },
  { domain: "zoho.com", provider: "zoho", source: "zoho.com/mail" },
  { domain: "proton.me", provider: "proton", source: "proton.me/support (Proton Mail domains)" },
  { domain: "protonmail.com", provider: "proton", source: "proton.me/support (Proton Mail domains)" },
  { domain: "fastmail.com", provider: "fastmail", source: "fastmail.com/about (Fastmail domains)" },
];

const BY_DOMAIN = new Map(PROVIDER_DOMAINS.map((entry) => [entry.domain, entry.provider]));

export function providerForDomain(domain: string | null): Provider | null {
  return domain ? (BY_DOMAIN.get(domain.toLowerCase()) ?? null) : null;
}
