import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of godaddy's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-godaddy.go; provider page: https://ca.godaddy.com/help/fix-rejected-email-with-a-bounce-error-40685).
 */
const SISIMAI = "sisimai go rhost/for-godaddy.go";
const PAGE = "https://ca.godaddy.com/help/fix-rejected-email-with-a-bounce-error-40685";

export const GODADDY_HOST_RULES: RuleTable = {
  id: "host-godaddy",
  hosts: ["smtp.secureserver.net", "mailstore1.secureserver.net"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-godaddy-ib401",
      reason: "securityerror",
      pattern: /\bib401\b/,
      anyHost: true,
      source: `${SISIMAI} (IB401); ${PAGE}`,
      example: "535 Authentication not allowed on IBSMTP Servers. IB401",
    },
    {
      id: "rhost-godaddy-ib501",
      reason: "notcompliantrfc",
      pattern: /\bib501\b/,
      anyHost: true,
      source: `${SISIMAI} (IB501); ${PAGE}`,
      example: "550 jane@coolexample.com Blank From: addresses are not allowed. Provide a valid From. IB501",
    },
    {
      id: "rhost-godaddy-ib502",
      reason: "notcompliantrfc",
      pattern: /\bib502\b/,
      anyHost: true,
      source: `${SISIMAI} (IB502); ${PAGE}`,
      example:
        "550 jane@coolexample.com IP addresses are not allowed as a From: Address. Provide a valid From. IB502",
    },
    {
      id: "rhost-godaddy-ib506",
      reason: "rejected",
      pattern: /\bib506\b/,
      anyHost: true,
      source: `${SISIMAI} (IB506); ${PAGE}`,
      example: "550 coolexample.com From: Domain is invalid. Provide a valid From: IB506",
    },
    {
      id: "rhost-godaddy-ib508",
      reason: "authfailure",
      pattern: /\bib508\b/,
      anyHost: true,
      source: `${SISIMAI} (IB508); ${PAGE}`,
      example: "550 jane@coolexample.com Invalid SPF record. Inspect your SPF settings, and try again. IB508",
    },
    {
      id: "rhost-godaddy-ib108",
      reason: "requireptr",
      pattern: /\bib108\b/,
      anyHost: true,
      source: `${SISIMAI} (IB108); ${PAGE}`,
      example: "421 Temporarily rejected. Reverse DNS for this IP failed. IB108",
    },
    {
      id: "rhost-godaddy-ib212",
      reason: "spamdetected",
      pattern: /\bib212\b/,
      anyHost: true,
      source: `${SISIMAI} (IB212); ${PAGE}`,
      example:
        "552 This message has been rejected due to content judged to be spam by the internet community. IB212",
    },
    {
      id: "rhost-godaddy-ib705",
      reason: "virusdetected",
      pattern: /\bib705\b/,
      anyHost: true,
      source: `${SISIMAI} (IB705); ${PAGE}`,
      example: "552 Virus infected message rejected. IB705",
    },
    {
      id: "rhost-godaddy-ib605",
      reason: "ratelimited",
      pattern: /\bib605\b/,
      anyHost: true,
      source: `${SISIMAI} (IB605); ${PAGE}`,
      example:
        "452 This message contains too many recipients. Reduce the number of recipients and retry. IB605",
    },
    {
      id: "rhost-godaddy-ib007",
      reason: "ratelimited",
      pattern: /\bib007\b/,
      anyHost: true,
      source: `${SISIMAI} (IB007); ${PAGE}`,
      example:
        "421 Connection refused, too many sessions from This IP. Lower the number of concurrent sessions. IB007",
    },
    {
      id: "rhost-godaddy-ib101",
      reason: "ratelimited",
      pattern: /\bib101\b/,
      anyHost: true,
      source: `${SISIMAI} (IB101); ${PAGE}`,
      example: "421 Server temporarily unavailable. Try again later. IB101",
    },
    {
      id: "rhost-godaddy-ib110",
      reason: "blocked",
      pattern: /\bib110\b/,
      anyHost: true,
      source: `${SISIMAI} (IB110); ${PAGE}`,
      example:
        "554 This IP has been temporarily blocked for attempting to send too many messages containing content judged to be spam by the Internet community. IB110",
    },
    {
      id: "rhost-godaddy-ib111",
      reason: "blocked",
      pattern: /\bib111\b/,
      anyHost: true,
      source: `${SISIMAI} (IB111); ${PAGE}`,
      example:
        "554 This IP has been blocked for the day, for attempting to send too many messages containing content judged to be spam by the Internet community. IB111",
    },
    {
      id: "rhost-godaddy-ib112",
      reason: "blocked",
      pattern: /\bib112\b/,
      anyHost: true,
      source: `${SISIMAI} (IB112); ${PAGE}`,
      example:
        "554 This IP has been temporarily blocked for attempting to mail too many invalid recipients. IB112",
    },
    {
      id: "rhost-godaddy-ib113",
      reason: "blocked",
      pattern: /\bib113\b/,
      anyHost: true,
      source: `${SISIMAI} (IB113); ${PAGE}`,
      example:
        "554 This IP has been blocked for the day, for attempting to mail too many invalid recipients. IB113",
    },
    {
      id: "rhost-godaddy-ib504",
      reason: "ratelimited",
      pattern: /\bib504\b/,
      anyHost: true,
      source: `${SISIMAI} (IB504); ${PAGE}`,
      example: "550 This IP has sent too many messages this hour. IB504",
    },
    {
      id: "rhost-godaddy-ib510",
      reason: "ratelimited",
      pattern: /\bib510\b/,
      anyHost: true,
      source: `${SISIMAI} (IB510); ${PAGE}`,
      example:
        "550 This message has exceeded the max number of messages per session. Open a new session and try again. IB510",
    },
    {
      id: "rhost-godaddy-ib607",
      reason: "ratelimited",
      pattern: /\bib607\b/,
      anyHost: true,
      source: `${SISIMAI} (IB607); ${PAGE}`,
      example: "550 This IP has sent too many to too many recipients this hour. IB607",
    },
    {
      id: "rhost-godaddy-ib103",
      reason: "badreputation",
      pattern: /\bib103\b/,
      anyHost: true,
      source: `${SISIMAI} (IB103); ${PAGE}`,
      example:
        "554 Connection refused. This IP has a poor reputation on Cloudmark Sender Intelligence (CSI). IB103",
    },
    {
      id: "rhost-godaddy-ib104",
      reason: "blocked",
      pattern: /\bib104\b/,
      anyHost: true,
      source: `${SISIMAI} (IB104); ${PAGE}`,
      example: "554 Connection refused. This IP address is listed on the Spamhaus Block List (SBL). IB104",
    },
    {
      id: "rhost-godaddy-ib105",
      reason: "blocked",
      pattern: /\bib105\b/,
      anyHost: true,
      source: `${SISIMAI} (IB105); ${PAGE}`,
      example: "554 Connection refused. This IP address is listed on the Exploits Block List (XBL). IB105",
    },
    {
      id: "rhost-godaddy-ib106",
      reason: "blocked",
      pattern: /\bib106\b/,
      anyHost: true,
      source: `${SISIMAI} (IB106); ${PAGE}`,
      example: "554 Connection refused. This IP address is listed on the Policy Block List (PBL). IB106",
    },
    {
      id: "rhost-godaddy-rbl-reject",
      reason: "blocked",
      phrase: "rbl reject",
      source: `${SISIMAI}; ${PAGE}`,
      example: "554 RBL Reject.",
    },
    {
      id: "rhost-godaddy-www-spamhaus-org-query-bl-ip",
      reason: "blocked",
      phrase: "www.spamhaus.org/query/bl?ip=",
      source: `${SISIMAI}; ${PAGE}`,
      example: "www.spamhaus.org/query/bl?ip=",
    },
    {
      id: "rhost-godaddy-has-been-in-the-queue-too-long",
      reason: "expired",
      phrase: "has been in the queue too long",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "451 Sorry, I wasn't able to establish an SMTP connection. I'm not going to try again; this message has been in the queue too long.",
    },
    {
      id: "rhost-godaddy-delivery-timeout",
      reason: "expired",
      phrase: "delivery timeout",
      source: `${SISIMAI}; ${PAGE}`,
      example: "Delivery timeout",
    },
    {
      id: "rhost-godaddy-account-storage-limit",
      reason: "mailboxfull",
      phrase: "account storage limit",
      source: `${SISIMAI}; ${PAGE}`,
      example: "Account storage limit",
    },
    {
      id: "rhost-godaddy-message-rejected-for-spam-or-virus-content",
      reason: "spamdetected",
      phrase: "message rejected for spam or virus content",
      source: `${SISIMAI}; ${PAGE}`,
      example: "552 Message rejected for spam or virus content",
    },
    {
      id: "rhost-godaddy-account-disabled",
      reason: "suspend",
      phrase: "account disabled",
      source: `${SISIMAI}; ${PAGE}`,
      example: "Account disabled",
    },
    {
      id: "rhost-godaddy-message-is-looping",
      reason: "systemerror",
      phrase: "message is looping",
      source: `${SISIMAI}; ${PAGE}`,
      example: "This message is looping: it already has my Delivered-To line. (//5.4.6)",
    },
    {
      id: "rhost-godaddy-recipient-not-found",
      reason: "userunknown",
      phrase: "recipient not found",
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 Recipient not found",
    },
    {
      id: "rhost-godaddy-account-does-not-exist",
      reason: "userunknown",
      phrase: "account does not exist",
      source: `${SISIMAI}; ${PAGE}`,
      example: "Account does not exist",
    },
  ],
};
