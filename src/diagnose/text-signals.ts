/**
 * Reply-text signals for the blocklist and authentication hypotheses: an ordered table, each entry with
 * the reply it came from and its source. A reply counts for a signal when the classifier already put it
 * in that category, or when one of these patterns matches (a safety net for dialects the classifier
 * does not know). First match wins.
 */
export interface TextSignal {
  id: string;
  signal: "blocklist" | "authentication";
  /** Lower-case pattern tested on the lower-cased reply. */
  pattern: RegExp;
  /** What is listed / failing, for the evidence line. */
  names: string;
  example: string;
  source: string;
}

export const TEXT_SIGNALS: readonly TextSignal[] = [
  {
    id: "spamhaus-dbl",
    signal: "blocklist",
    pattern: /spamhaus dbl|dbl\.spamhaus|domain present in the spamhaus/,
    names: "a link domain in Spamhaus DBL",
    example: "550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL",
    source:
      "https://smtp.codes/icloud ; Sisimai lib/Sisimai/Rhost/Apple.pm ; KumoMTA assets/policy-extras/shaping.toml",
  },
  {
    id: "spamhaus-ip",
    signal: "blocklist",
    pattern: /spamhaus (?:sbl|xbl|pbl|zen)|listing in spamhaus|zen\.spamhaus/,
    names: "the sending IP in Spamhaus (SBL/XBL/PBL)",
    example: "550 5.7.1 Mail from IP 192.0.2.1 was rejected due to listing in Spamhaus SBL",
    source: "Sisimai lib/Sisimai/Rhost/Apple.pm (https://github.com/sisimai/p5-sisimai)",
  },
  {
    id: "proofpoint-block",
    signal: "blocklist",
    pattern: /proofpoint\.com\/dnsbl-lookup|ipcheck\.proofpoint|proofpoint.*block/,
    names: "the sending IP at Proofpoint (Apple's filter)",
    example: "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.1",
    source: "https://github.com/forwardemail/free-email-forwarding/issues/219 ; Sisimai",
  },
  {
    id: "generic-blocklist",
    signal: "blocklist",
    pattern: /\b(?:blocklist|blacklist|dnsbl|rbl)\b|listed (?:at|on|in) |spamcop|barracuda/,
    names: "a sending IP or domain on a blocklist",
    example: "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using bl.spamcop.net",
    source: "community bounce texts (https://smtp.codes/icloud)",
  },
  {
    id: "apple-hme1",
    signal: "authentication",
    pattern: /\[hme1\]|failing both spf and dkim/,
    names: "SPF and DKIM both failing at Apple",
    example: "554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks",
    source: "Sisimai lib/Sisimai/Rhost/Apple.pm (https://github.com/sisimai/p5-sisimai)",
  },
  {
    id: "dmarc-policy",
    signal: "authentication",
    pattern: /dmarc policy|dmarc.*(?:fail|reject)|5\.7\.26|5\.7\.515/,
    names: "DMARC failure or missing required authentication",
    example: "554 5.7.1 Your message was rejected due to example.com's DMARC policy",
    source:
      "Sisimai; Gmail 5.7.26 (https://support.google.com/a/answer/3726730); Microsoft 5.7.515 (https://techcommunity.microsoft.com/blog/microsoftdefenderforoffice365blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730)",
  },
  {
    id: "spf-dkim-fail",
    signal: "authentication",
    pattern: /\bspf\b.*\bfail|\bdkim\b.*\bfail|not (?:pass|authenticated)|unauthenticated/,
    names: "SPF or DKIM failure",
    example: "550 5.7.1 Unauthenticated email is not accepted: SPF fail",
    source: "https://support.google.com/a/answer/3726730 (Gmail 5.7.1 unauthenticated); generic MTA texts",
  },
];

/** The first signal a reply matches; else the classifier's own blocklist/authentication category. */
export function signalOf(reply: string, category: string): TextSignal | null {
  const text = reply.toLowerCase();
  const match = TEXT_SIGNALS.find((s) => s.pattern.test(text));
  if (match) return match;
  if (category !== "blocklist" && category !== "authentication") return null;
  return TEXT_SIGNALS.filter((s) => s.signal === category).at(-1) ?? null;
}
