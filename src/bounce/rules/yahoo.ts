import type { ProviderRule } from "./provider-rule.ts";

/**
 * Yahoo / AOL (and AT&T, Verizon mailboxes hosted there). Source: senders.yahooinc.com/smtp-error-codes
 * (archived in NANE); KumoMTA community shaping rules.
 */
const REF = "senders.yahooinc.com/smtp-error-codes";

export const YAHOO_RULES: readonly ProviderRule[] = [
  {
    id: "yahoo-tss04",
    writtenBy: "yahoo",
    pattern: /\[tss04\]/,
    reason: "badreputation",
    category: "rate-limit",
    providerCode: "TSS04",
    action:
      "Yahoo deferred mail from this IP for unexpected volume or complaints: back off for about 2 hours " +
      "(KumoMTA suspends 2h) and cut complaints (drop unengaged recipients).",
    source: `https://${REF} ([TSS04]: deferred for unexpected volume or user complaints; the provider's page wins over sisimai go rhost/for-yahooinc.go's 'rejected'); KumoMTA \\[TS?S04\\] → suspend 2h; Sisimai corpus (badreputation: lhost-opensmtpd-13, lhost-qmail-19)`,
    example:
      "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
  },
  {
    id: "yahoo-tss09-permanent",
    writtenBy: "yahoo",
    pattern: /\[tss(?:09|11)\]/,
    reason: "blocked",
    category: "reputation",
    providerCode: "TSS09",
    retryable: false,
    action: "Yahoo blocked this IP and says retrying will not succeed: stop and open a Sender Hub ticket.",
    source: REF,
    example:
      "553 5.7.2 [TSS09] All messages from 192.0.2.10 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
  },
  {
    id: "yahoo-deferral-family",
    writtenBy: "yahoo",
    pattern: /\[(?:ts0[0-9]|tss0[0-9]|ipts0[0-9])\]/,
    // A deferral whose remedy is to slow down (rate-limit or suspend, as KumoMTA's community rules shape these codes):
    // ratelimited, as its category says. TSS04 above names its causes (volume, complaints): badreputation there.
    reason: "ratelimited",
    category: "rate-limit",
    action: "Yahoo is deferring mail from this IP: slow down and keep retrying; reduce complaints.",
    source: `${REF} (TS* = "Message temporarily deferred"); KumoMTA community rules (TS01-03, TSS05, IPTS04/05: rate-limit or suspend)`,
    example: "421 4.7.0 [TS01] Messages from 192.0.2.10 temporarily deferred due to user complaints",
  },
  {
    id: "yahoo-ph01",
    writtenBy: "yahoo",
    pattern: /\[ph[0-9]{2}\]/,
    reason: "policyviolation",
    category: "content",
    providerCode: "PH01",
    action:
      "Yahoo refused the content (phishing, malware or malicious links): remove the bad content or URLs.",
    source: `${REF}; Sisimai 5.6 YahooInc rhost (policy reasons → policyviolation)`,
    example:
      "554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit https://postmaster.yahooinc.com/error-codes",
  },
  {
    id: "yahoo-bl21-spamhaus",
    writtenBy: "yahoo",
    pattern: /\[bl2[0-9]\]/,
    reason: "blocked",
    category: "blocklist",
    providerCode: "BL21",
    action: "The sending IP is on Spamhaus: delist it at spamhaus.org (check ZEN), then retry.",
    source: REF,
    example:
      "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.10, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes",
  },
  {
    id: "yahoo-requires-authentication",
    writtenBy: "yahoo",
    pattern: /yahoo requires all senders to authenticate/,
    reason: "authfailure",
    category: "authentication",
    action:
      "Yahoo requires SPF or DKIM: authenticate the mail (bulk senders: SPF, DKIM and DMARC), then resend.",
    source: REF,
    example:
      "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
  },
  {
    id: "yahoo-unresolvable-from",
    writtenBy: "yahoo",
    pattern: /unresolvable rfc ?5321 (?:from|mail from) domain/,
    reason: "rejected",
    category: "infrastructure",
    action: "Yahoo cannot resolve the envelope sender's domain: fix its DNS (Yahoo checks the SOA).",
    source: REF,
    example: "451 Message temporarily not accepted because of unresolvable RFC5321 From domain",
  },
  {
    id: "yahoo-unresolvable-from-dotted",
    writtenBy: "yahoo",
    pattern: /unresolvable rfc\.5321 from domain/,
    reason: "rejected",
    category: "infrastructure",
    action: "Yahoo cannot resolve the envelope sender's domain: fix its DNS (Yahoo checks the SOA).",
    source: `${REF}; sisimai go rhost/for-yahooinc.go (the reply it quotes writes "RFC.5321")`,
    example:
      "451 Message temporarily deferred due to unresolvable RFC.5321 from domain. See https://senders.yahooinc.com/error-codes//unresolvable-from-domain",
  },
  {
    id: "yahoo-policy-reasons",
    provider: "yahoo",
    pattern: /not accepted for policy reasons/,
    reason: "policyviolation",
    category: "content",
    action: "Yahoo refused the message for policy reasons (usually content or URLs): review them.",
    source: `${REF}; Sisimai corpus rhost-yahooinc-01 (policyviolation)`,
    example:
      "554 5.7.9 Message not accepted for policy reasons. See https://postmaster.yahooinc.com/error-codes",
  },
];
