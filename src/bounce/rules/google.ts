import type { ProviderRule } from "./provider-rule.ts";

/**
 * Gmail / Google Workspace. Source: support.google.com/a/answer/3726730 (archived in NANE
 * google-3726730-smtp-errors-and-codes.txt).
 * Several statuses (5.7.27, 5.7.30, 5.7.40 …) mean something else elsewhere, so these rules need provider google.
 */
const REF = "support.google.com/a/answer/3726730";
const AUTH_ACTION =
  "Gmail requires authentication: fix the named item (SPF, DKIM, DMARC record, From: alignment), then resend.";

export const GOOGLE_RULES: readonly ProviderRule[] = [
  {
    id: "google-rate-unsolicited-4.7.28",
    provider: "google",
    status: ["4.7.28"],
    pattern: /unusual rate/,
    reason: "ratelimited",
    category: "rate-limit",
    action:
      "Gmail is throttling the identity it names (IP, netblock, DKIM, SPF or URL domain) for unsolicited mail: " +
      "slow down for that identity and check the spam rate in Postmaster Tools.",
    source: REF,
    example:
      "421-4.7.28 [192.0.2.10] Our system has detected an unusual rate of\n421-4.7.28 unsolicited mail originating from your IP address. To protect our\n421 4.7.28 users from spam, mail sent from your IP address has been temporarily rate limited. - gsmtp",
  },
  {
    id: "google-rate-unsolicited-5.7.28",
    provider: "google",
    status: ["5.7.28"],
    pattern: /unusual rate/,
    // Google's words ("mail sent from your IP address has been blocked") say what Sisimai's label says
    // (sisimai go rhost/for-google.go lists "an unusual rate of unsolicited mail" under blocked): its label;
    // the cause stays reputation (review R114).
    reason: "blocked",
    category: "reputation",
    action:
      "Gmail blocked the identity it names for unsolicited mail: stop, fix list consent, then ramp slowly.",
    source: REF,
    example:
      "550 5.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked. - gsmtp",
  },
  {
    id: "google-authentication",
    provider: "google",
    status: [
      "4.7.26",
      "5.7.26",
      "4.7.27",
      "5.7.27",
      "4.7.30",
      "5.7.30",
      "4.7.32",
      "5.7.32",
      "4.7.40",
      "5.7.40",
    ],
    pattern: /(?:)/,
    reason: "authfailure",
    category: "authentication",
    action: AUTH_ACTION,
    source: `${REF}; support.google.com/mail/answer/81126`,
    example:
      "550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users, and has been blocked. 550 5.7.26 https://support.google.com/mail/answer/81126#authentication - gsmtp",
  },
  {
    id: "google-tls-required",
    provider: "google",
    status: ["4.7.29", "5.7.29"],
    pattern: /(?:)/,
    reason: "failedstarttls",
    category: "infrastructure",
    action: "Gmail requires TLS from bulk senders: enable STARTTLS on the sending MTA.",
    source: `${REF}; support.google.com/mail/answer/81126`,
    example:
      "421 4.7.29 Your email has been rate limited because this message wasn't sent over a TLS connection. - gsmtp",
  },
  {
    id: "google-ptr",
    provider: "google",
    status: ["4.7.23", "5.7.25"],
    pattern: /(?:)/,
    reason: "requireptr",
    category: "infrastructure",
    action: "Publish a PTR record for the sending IP whose name resolves back to it (FCrDNS).",
    source: REF,
    example:
      "550 5.7.25 [2001:db8::1] The IP address sending this message does not have a PTR record setup. - gsmtp",
  },
  {
    id: "google-likely-unsolicited",
    provider: "google",
    pattern: /likely unsolicited/,
    reason: "spamdetected",
    category: "content",
    action: "Gmail judged the message unsolicited: review content, links and who you send to (engagement).",
    source: REF,
    example:
      "550-5.7.1 [192.0.2.10] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. - gsmtp",
  },
  {
    id: "google-suspicious-content",
    provider: "google",
    pattern: /suspicious due to the nature of the content|links within/,
    reason: "spamdetected",
    category: "content",
    action: "Gmail distrusts the content or a link: check URL domains against Spamhaus DBL and SURBL.",
    source: REF,
    example:
      "421-4.7.0 [192.0.2.10] Our system has detected that this message is suspicious due to the nature of the content and/or the links within. - gsmtp",
  },
  {
    id: "google-low-reputation",
    provider: "google",
    pattern: /low reputation/,
    reason: "badreputation",
    category: "reputation",
    action:
      "Gmail rejects on the sending IP's or domain's reputation: repair it (Postmaster Tools), then ramp up.",
    source: REF,
    example:
      "550-5.7.1 [192.0.2.10] Our system has detected that this message is likely suspicious due to the very low reputation of the sending IP address. - gsmtp",
  },
];
