import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of apple's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-apple.go; provider page: https://support.apple.com/en-us/102322).
 */
const SISIMAI = "sisimai go rhost/for-apple.go";
const PAGE = "https://support.apple.com/en-us/102322";

export const APPLE_HOST_RULES: RuleTable = {
  id: "host-apple",
  hosts: ["mail.icloud.com", "apple.com", "me.com"],
  providers: ["apple"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-apple-s-dmarc-policy",
      reason: "authfailure",
      phrase: "s dmarc policy",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "554 5.7.1 Your message was rejected due to example.jp's DMARC policy. See https://support.apple.com/en-us/HT204137 for",
    },
    {
      id: "rhost-apple-blocked-for-failing-both-spf-and-dkim-autenticat",
      reason: "authfailure",
      phrase: "blocked for failing both spf and dkim autentication checks",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-apple-rejected-due-to-having-a-domain-present-in-the-s",
      reason: "blocked",
      phrase: "rejected due to having a domain present in the spamhaus",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/",
    },
    {
      id: "rhost-apple-rejected-due-to-listing-in-spamhaus",
      reason: "blocked",
      phrase: "rejected due to listing in spamhaus",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Mail from IP 192.0.2.1 was rejected due to listing in Spamhaus SBL. For details please see http://www.spamhaus.org/query/bl?ip=x.x.x.x",
    },
    {
      id: "rhost-apple-blocked-see-https-support-proofpoint-com-dnsbl-l",
      reason: "blocked",
      phrase: "blocked - see https://support.proofpoint.com/dnsbl-lookup",
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.1.2",
    },
    {
      id: "rhost-apple-not-accepting-connections",
      reason: "blocked",
      phrase: "not accepting connections",
      source: `${SISIMAI}; ${PAGE}`,
      example: "554 ****-smtpin001.me.com ESMTP not accepting connections",
    },
    {
      id: "rhost-apple-recipient-no-longer-on-server",
      reason: "hasmoved",
      phrase: "recipient no longer on server",
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 5.1.6 recipient no longer on server: *****@icloud.com",
    },
    {
      id: "rhost-apple-user-is-over-quota",
      reason: "mailboxfull",
      phrase: "user is over quota",
      source: `${SISIMAI}; ${PAGE}`,
      example: "552 5.2.2 <****@icloud.com>: user is over quota (in reply to RCPT TO command)",
    },
    {
      id: "rhost-apple-relay-access-denied",
      reason: "norelaying",
      phrase: "relay access denied",
      source: `${SISIMAI}; ${PAGE}`,
      example: "554 5.7.1 <*****@icloud.com>: Relay access denied",
    },
    {
      id: "rhost-apple-host-domain-does-not-accept-mail",
      reason: "notaccept",
      phrase: "host/domain does not accept mail",
      source: `${SISIMAI}; ${PAGE}`,
      example: "Reason: host/domain does not accept mail",
      exampleSource:
        "github.com/sisimai/set-of-emails maildir/bsd/lhost-messagingserver-10.eml (iCloud, mr21p30im-asmtp002.me.com)",
    },
    {
      id: "rhost-apple-due-to-local-policy",
      reason: "policyviolation",
      phrase: "due to local policy",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
    },
    {
      id: "rhost-apple-sender-address-rejected",
      reason: "rejected",
      phrase: "sender address rejected",
      source: `${SISIMAI}; ${PAGE}`,
      example: "450 4.1.8 <kijitora@example.jp>: Sender address rejected: Domain not found",
    },
    {
      id: "rhost-apple-due-to-excessive-volume",
      reason: "ratelimited",
      phrase: "due to excessive volume",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.1 Messages to ****@icloud.com deferred due to excessive volume. Try again later - https://support.apple.com/en-us/HT204137",
    },
    {
      id: "rhost-apple-inactive-email-address",
      reason: "userunknown",
      phrase: "inactive email address",
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 5.1.1 <****@icloud.com>: inactive email address (in reply to RCPT TO command)",
    },
    {
      id: "rhost-apple-user-does-not-exist",
      reason: "userunknown",
      phrase: "user does not exist",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-apple-unknown-or-illegal-alias",
      reason: "userunknown",
      phrase: "unknown or illegal alias",
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 5.1.1 unknown or illegal alias: ****@icloud.com",
    },
  ],
};
