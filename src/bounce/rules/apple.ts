import type { ProviderRule } from "./provider-rule.ts";

/**
 * Apple iCloud Mail. Apple publishes no list of its bracket codes (support.apple.com/en-us/102322);
 * every entry below quotes an observed reply (smtp.codes/icloud, sisimai go rhost/for-apple.go, KumoMTA community shaping.toml).
 * Reasons follow Sisimai 5.6's Apple rhost ("due to local policy" → policyviolation); categories follow
 * the issue: the CS/HM family is a reputation block, not a bad address.
 */
const REF = "observed iCloud reply (Apple publishes no code list)";
/**
 * The HCM replies name the client IP and say its mail was deferred or rejected, nothing of a score: Sisimai's
 * blocked ("rejected due to the client IP address or hostname", https://libsisimai.org/en/reason/), not its
 * badreputation, which a reply that speaks of reputation gets; the category stays reputation (review R93).
 */
const HCM_REASON =
  "; reason blocked: the reply names the client IP, Sisimai's blocked (https://libsisimai.org/en/reason/)";

const POLICY_ACTION =
  "Keep the address (this is not a bad recipient). Apple's filter (Proofpoint behind iCloud) rejected the " +
  "message on sender or content reputation: slow down to Apple, send only to engaged recipients, check the " +
  "link domains in the body against Spamhaus DBL/SURBL and your IPs at ipcheck.proofpoint.com, then retry " +
  "later. If it persists, write to icloudadmin@apple.com with your domain, IPs and this reply.";

export const APPLE_RULES: readonly ProviderRule[] = [
  {
    id: "apple-cs01",
    writtenBy: "apple",
    pattern: /\[cs01\]/,
    reason: "policyviolation",
    category: "reputation",
    providerCode: "CS01",
    action: POLICY_ACTION,
    source: `${REF}: smtp.codes/icloud; github.com/chatmail/core/issues/6547 (554 after DATA)`,
    example:
      "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
  },
  {
    id: "apple-cs02",
    writtenBy: "apple",
    pattern: /\[cs02\]/,
    reason: "policyviolation",
    category: "reputation",
    providerCode: "CS02",
    action: POLICY_ACTION,
    source: `${REF}: suped.com pages on Apple bounces`,
    example: "5.7.1 [CS02] Message rejected due to local policy",
  },
  {
    id: "apple-hm07",
    writtenBy: "apple",
    pattern: /\[hm07\]/,
    reason: "policyviolation",
    category: "reputation",
    providerCode: "HM07",
    action: POLICY_ACTION,
    source: `${REF}: public code comments and test fixtures; suped.com`,
    example: "554 5.7.1 [HM07] Message rejected due to local policy",
  },
  {
    id: "apple-hm08",
    writtenBy: "apple",
    pattern: /\[hm08\]/,
    reason: "policyviolation",
    category: "reputation",
    providerCode: "HM08",
    action: POLICY_ACTION,
    source: `${REF}: suped.com (new domains/IPs with poor reputation)`,
    example:
      "554 5.7.1 [HM08] Message rejected due to local policy. Txn ID 1b2c3d4e-0000-1111-2222-333344445555",
  },
  {
    id: "apple-hcm1",
    writtenBy: "apple",
    pattern: /\[hcm1\]/,
    reason: "blocked",
    category: "reputation",
    providerCode: "HCM1",
    action:
      "Apple is deferring mail from this IP on its reputation. Slow down to Apple (KumoMTA suspends 15 minutes " +
      "after 3 of these an hour) and keep retrying; check the IP at ipcheck.proofpoint.com.",
    source: `${REF}: KumoMTA assets/community/shaping.toml${HCM_REASON}`,
    example: "421 [HCM1] Your mail from 192.0.2.10 was deferred.",
  },
  {
    id: "apple-hcm2",
    writtenBy: "apple",
    pattern: /\[hcm2\]/,
    reason: "blocked",
    category: "reputation",
    providerCode: "HCM2",
    action:
      "Apple rejected mail from this IP on its reputation. Keep the address; move Apple traffic to a warmed IP " +
      "or repair this one (check ipcheck.proofpoint.com), then retry later.",
    source: `${REF}: public code fixtures${HCM_REASON}`,
    example:
      "550 5.7.1 [HCM2] Your mail from 192.0.2.10 was rejected. https://support.apple.com/en-us/HT204137",
  },
  {
    id: "apple-hme1",
    writtenBy: "apple",
    pattern: /\[hme1\]/,
    reason: "authfailure",
    category: "authentication",
    providerCode: "HME1",
    action:
      "Both SPF and DKIM failed at Apple: publish SPF for the envelope sender and sign with DKIM, then resend.",
    source: `${REF}: sisimai lib/Sisimai/Rhost/Apple.pm`,
    example: "554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks",
  },
  {
    id: "apple-bs02",
    writtenBy: "apple",
    pattern: /\[bs02\]/,
    reason: "systemerror",
    category: "transient",
    providerCode: "BS02",
    action: "A temporary error at Apple: retry later (KumoMTA suspends 15 minutes after 5 of these an hour).",
    source: `${REF}: KumoMTA community shaping.toml`,
    example: "451 [BS02] Temporary server error. Please try again later.",
  },
  {
    id: "apple-cs-hm-family",
    writtenBy: "apple",
    pattern: /\[(?:cs|hm)[0-9]{2}\]/,
    reason: "policyviolation",
    category: "reputation",
    action: POLICY_ACTION,
    source: `${REF}: heuristics (CS*/HM* come after DATA: message, domain or URL scoring)`,
    example: "554 5.7.1 [CS03] Message rejected due to local policy",
  },
  {
    id: "apple-hide-my-email-disabled",
    writtenBy: "apple",
    recipientDomain: ["privaterelay.appleid.com"],
    pattern: /relay (?:not permitted|access denied)/,
    reason: "suspend",
    category: "recipient",
    suppress: true,
    action:
      "The recipient turned off this Hide My Email address: treat it as an unsubscribe and stop mailing it.",
    source: `${REF}: tamingdns.com/bounce-decoder/apple`,
    example: "550 5.7.1 Relay not permitted",
    exampleRecipient: "abc123xyz@privaterelay.appleid.com",
  },
  {
    id: "apple-not-accepting-connections",
    writtenBy: "apple",
    pattern: /me\.com esmtp not accepting connections/,
    reason: "blocked",
    category: "reputation",
    action: "Apple refused the connection from your IP: check it at ipcheck.proofpoint.com and slow down.",
    source: `${REF}: sisimai`,
    example: "554 ****-smtpin001.me.com ESMTP not accepting connections",
  },
  {
    id: "apple-too-many-errors",
    writtenBy: "apple",
    pattern: /me\.com error: too many errors/,
    reason: "ratelimited",
    category: "rate-limit",
    action:
      "Apple closed the session after too many errors: fewer recipients per connection, fix invalid ones.",
    source: `${REF}: smtp.codes`,
    example: "421 4.7.0 me.com Error: too many errors",
  },
  {
    id: "apple-inactive-address",
    provider: "apple",
    pattern: /inactive email address/,
    reason: "suspend",
    category: "mailbox",
    action: "The iCloud account is inactive: stop mailing it for now and drop it if it stays inactive.",
    source: `${REF}: sisimai (suspend; rhost-apple-04); Bento treats it as soft`,
    example: "550 5.1.1 <someone@icloud.com>: inactive email address",
  },
  {
    id: "apple-no-longer-on-server",
    provider: "apple",
    pattern: /recipient no longer on server/,
    reason: "hasmoved",
    category: "recipient",
    action: "The mailbox was moved or deleted: remove the address.",
    source: `${REF}: sisimai (rhost-apple-01)`,
    example: "550 5.1.6 recipient no longer on server: someone@icloud.com",
  },
  {
    id: "apple-unknown-user",
    provider: "apple",
    pattern: /user does not exist|unknown or illegal alias/,
    reason: "userunknown",
    category: "recipient",
    action: "The iCloud address does not exist: remove it.",
    source: `${REF}: sisimai; smtp.codes`,
    example: "550 5.1.1 <someone@icloud.com>: user does not exist",
  },
  {
    id: "apple-over-quota",
    provider: "apple",
    pattern: /over quota/,
    reason: "mailboxfull",
    category: "mailbox",
    action: "The iCloud mailbox is full: retry later; drop the address if it stays full for weeks.",
    source: `${REF}: sisimai`,
    example: "552 5.2.2 <someone@icloud.com>: user is over quota",
  },
];
