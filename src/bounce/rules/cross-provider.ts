import type { ProviderRule } from "./provider-rule.ts";

/**
 * Replies seen at several providers (Apple, Yahoo, Microsoft, corporate gateways): named blocklists,
 * DMARC rejections, volume and temporary refusals. They come after the provider-specific codes.
 */

export const CROSS_PROVIDER_RULES: readonly ProviderRule[] = [
  {
    id: "helo-host-not-found",
    pattern:
      /helo command rejected|(?:helo|ehlo)[^.]{0,60}(?:host not found|does not resolve|not resolvable)/,
    reason: "blocked",
    category: "infrastructure",
    action:
      "The receiver cannot resolve the name your MTA gives in HELO/EHLO: use a fully qualified name with an A record (matching the IP's PTR).",
    source: "github.com/sisimai/set-of-emails/issues/11 (iCloud); Postfix reject_unknown_helo_hostname",
    example: "450 4.7.1 <mail.example.com>: Helo command rejected: Host not found",
  },
  {
    id: "spamhaus-query-refused",
    pattern: /spamhaus\.org\/returnc|open resolver/,
    reason: "blocked",
    category: "transient",
    retryable: true,
    action:
      "Not a listing: the receiver's DNSBL query was refused (public/open resolver). Retry later; tell the " +
      "receiver's postmaster to use a local resolver or Spamhaus DQS.",
    source:
      "Spamhaus return codes (open/public resolver refused); docker-mailserver#2918, mail-in-a-box#2332",
    example:
      "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org; Error: open resolver; https://www.spamhaus.org/returnc/pub/198.51.100.53",
  },
  {
    id: "spamhaus-dbl-domain",
    pattern: /spamhaus dbl|dbl\.spamhaus/,
    reason: "blocked",
    category: "blocklist",
    action:
      "A domain in the message (often a link domain) is on the Spamhaus DBL: find it (check every URL's " +
      "domain), remove it or delist it at spamhaus.org, then resend.",
    source:
      "smtp.codes/icloud; Sisimai Rhost/Apple.pm; KumoMTA community shaping (suspends Apple 4h on these)",
    example:
      "550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/",
  },
  {
    id: "spamhaus-listing",
    pattern: /spamhaus/,
    reason: "blocked",
    category: "blocklist",
    action: "The sending IP is on a Spamhaus list (SBL/CSS/XBL/PBL): look it up at spamhaus.org and delist.",
    source: "Sisimai Rhost/Apple.pm; spamhaus.org (SBL/CSS/XBL/PBL)",
    example: "550 5.7.1 Mail from IP 192.0.2.10 was rejected due to listing in Spamhaus SBL",
  },
  {
    id: "proofpoint-dnsbl",
    pattern: /proofpoint\.com\/dnsbl-lookup|ipcheck\.proofpoint\.com/,
    reason: "blocked",
    category: "blocklist",
    action:
      "Proofpoint (Apple's filter) blocks the sending IP on reputation: check and request removal at " +
      "ipcheck.proofpoint.com, slow down, then retry.",
    source:
      "github.com/forwardemail/free-email-forwarding/issues/219; SendGrid's Apple page (Apple filters with Proofpoint)",
    example: "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.10",
  },
  {
    id: "dmarc-policy-rejection",
    pattern: /\bdmarc\b/,
    reason: "authfailure",
    category: "authentication",
    action:
      "The receiver applied your domain's DMARC policy: make SPF or DKIM pass and align with the From: domain, then resend.",
    source:
      "smtp.codes/icloud; support.google.com/a/answer/3726730 (5.7.26); Sisimai corpus rhost-apple-02, rhost-microsoft-04",
    example:
      "554 5.7.1 Your message was rejected due to example.com's DMARC policy. See https://support.apple.com/en-us/HT204137 for info",
  },
  {
    id: "greylisting",
    pattern: /gr[ae]y-?list/,
    reason: "policyviolation",
    category: "transient",
    action: "Greylisting: the receiver wants a retry. Let the MTA retry as usual; nothing to fix.",
    source: "RFC 6647 (greylisting); Postfix postgrey / rspamd greylist replies",
    example:
      "451 4.7.1 <someone@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html",
  },
  {
    id: "service-unavailable-try-later",
    pattern: /service unavailable\W+try again later/,
    reason: "systemerror",
    category: "transient",
    action:
      "A temporary refusal (at Apple often at the top of the hour): retry later; slow down if it repeats.",
    source: "smtp.codes/icloud; KumoMTA community shaping (suspends Apple after 5 an hour)",
    example: "451 4.7.1 Service unavailable - try again later",
  },
];
