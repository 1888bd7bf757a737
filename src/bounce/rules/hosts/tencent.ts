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
      example: "spf check failed",
    },
    {
      id: "rhost-tencent-dmarc-check-failed",
      reason: "authfailure",
      phrase: "dmarc check failed",
      source: `${SISIMAI}; ${PAGE}`,
      example: "dmarc check failed",
    },
    {
      id: "rhost-tencent-suspected-bounce-attacks",
      reason: "blocked",
      phrase: "suspected bounce attacks",
      source: `${SISIMAI}; ${PAGE}`,
      example: "suspected bounce attacks",
    },
    {
      id: "rhost-tencent-suspected-spam-ip",
      reason: "blocked",
      phrase: "suspected spam ip",
      source: `${SISIMAI}; ${PAGE}`,
      example: "suspected spam ip",
    },
    {
      id: "rhost-tencent-connection-denied",
      reason: "blocked",
      phrase: "connection denied",
      source: `${SISIMAI}; ${PAGE}`,
      example: "connection denied",
    },
    {
      id: "rhost-tencent-message-too-large",
      reason: "emailtoolarge",
      phrase: "message too large",
      source: `${SISIMAI}; ${PAGE}`,
      example: "message too large",
    },
    {
      id: "rhost-tencent-suspected-spam",
      reason: "rejected",
      phrase: "suspected spam",
      source: `${SISIMAI}; ${PAGE}`,
      example: "suspected spam",
    },
    {
      id: "rhost-tencent-mail-is-rejected-by-recipients",
      reason: "rejected",
      phrase: "mail is rejected by recipients",
      source: `${SISIMAI}; ${PAGE}`,
      example: "mail is rejected by recipients",
    },
    {
      id: "rhost-tencent-spam-is-embedded-in-the-email",
      reason: "spamdetected",
      phrase: "spam is embedded in the email",
      source: `${SISIMAI}; ${PAGE}`,
      example: "spam is embedded in the email",
    },
    {
      id: "rhost-tencent-mail-content-denied",
      reason: "spamdetected",
      phrase: "mail content denied",
      source: `${SISIMAI}; ${PAGE}`,
      example: "mail content denied",
    },
    {
      id: "rhost-tencent-mailbox-unavailable-or-access-denined",
      reason: "ratelimited",
      phrase: "mailbox unavailable or access denined",
      source: `${SISIMAI}; ${PAGE}`,
      example: "mailbox unavailable or access denined",
    },
    {
      id: "rhost-tencent-is-a-deactivated-mailbox",
      reason: "suspend",
      phrase: "is a deactivated mailbox",
      source: `${SISIMAI}; ${PAGE}`,
      example: "is a deactivated mailbox",
    },
    {
      id: "rhost-tencent-bad-address-syntax",
      reason: "syntaxerror",
      phrase: "bad address syntax",
      source: `${SISIMAI}; ${PAGE}`,
      example: "bad address syntax",
    },
    {
      id: "rhost-tencent-ip-frequency-limited",
      reason: "ratelimited",
      phrase: "ip frequency limited",
      source: `${SISIMAI}; ${PAGE}`,
      example: "ip frequency limited",
    },
    {
      id: "rhost-tencent-domain-frequency-limited",
      reason: "ratelimited",
      phrase: "domain frequency limited",
      source: `${SISIMAI}; ${PAGE}`,
      example: "domain frequency limited",
    },
    {
      id: "rhost-tencent-sender-frequency-limited",
      reason: "ratelimited",
      phrase: "sender frequency limited",
      source: `${SISIMAI}; ${PAGE}`,
      example: "sender frequency limited",
    },
    {
      id: "rhost-tencent-connection-frequency-limited",
      reason: "ratelimited",
      phrase: "connection frequency limited",
      source: `${SISIMAI}; ${PAGE}`,
      example: "connection frequency limited",
    },
    {
      id: "rhost-tencent-mailbox-not-found",
      reason: "userunknown",
      phrase: "mailbox not found",
      source: `${SISIMAI}; ${PAGE}`,
      example: "mailbox not found",
    },
  ],
};
