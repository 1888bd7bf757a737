import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of tencent's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-tencent.go; provider page: https://service.mail.qq.com/detail/122).
 */
const SISIMAI = "sisimai go rhost/for-tencent.go";
const PAGE = "https://service.mail.qq.com/detail/122";

export const TENCENT_HOST_RULES: RuleTable = {
  id: "host-tencent",
  hosts: ["qq.com"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-tencent-spf-check-failed",
      reason: "authfailure",
      phrase: "spf check failed",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-dmarc-check-failed",
      reason: "authfailure",
      phrase: "dmarc check failed",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 DMARC check failed. http://service.mail.qq.com/cgi-bin/help?subtype=1&&no=1001508&&id=16.",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-tencent-03.eml",
    },
    {
      id: "rhost-tencent-suspected-bounce-attacks",
      reason: "blocked",
      phrase: "suspected bounce attacks",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-suspected-spam-ip",
      reason: "blocked",
      phrase: "suspected spam ip",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-connection-denied",
      reason: "blocked",
      phrase: "connection denied",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-message-too-large",
      reason: "emailtoolarge",
      phrase: "message too large",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-suspected-spam",
      reason: "rejected",
      phrase: "suspected spam",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-mail-is-rejected-by-recipients",
      reason: "rejected",
      phrase: "mail is rejected by recipients",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-spam-is-embedded-in-the-email",
      reason: "spamdetected",
      phrase: "spam is embedded in the email",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-mail-content-denied",
      reason: "spamdetected",
      phrase: "mail content denied",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-mailbox-unavailable-or-access-denined",
      reason: "ratelimited",
      phrase: "mailbox unavailable or access denined",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-is-a-deactivated-mailbox",
      reason: "suspend",
      phrase: "is a deactivated mailbox",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-bad-address-syntax",
      reason: "syntaxerror",
      phrase: "bad address syntax",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-ip-frequency-limited",
      reason: "ratelimited",
      phrase: "ip frequency limited",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-domain-frequency-limited",
      reason: "ratelimited",
      phrase: "domain frequency limited",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-sender-frequency-limited",
      reason: "ratelimited",
      phrase: "sender frequency limited",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-tencent-connection-frequency-limited",
      reason: "ratelimited",
      phrase: "connection frequency limited",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 Connection frequency limited [Q1YzZ3kxdnRYYnpkbVZ0MAo+QTMzMTMzRjUxNzQ4Cg/MTI3MTY2MDge= Blocked IP 192.0.2.22]. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000722",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-tencent-02.eml",
    },
    {
      id: "rhost-tencent-mailbox-not-found",
      reason: "userunknown",
      phrase: "mailbox not found",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
  ],
};
