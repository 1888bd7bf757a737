import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of yahooinc's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-yahooinc.go; provider page: https://senders.yahooinc.com/smtp-error-codes).
 */
const SISIMAI = "sisimai go rhost/for-yahooinc.go";
const PAGE = "https://senders.yahooinc.com/smtp-error-codes";

export const YAHOOINC_HOST_RULES: RuleTable = {
  id: "host-yahooinc",
  hosts: ["yahoodns.net"],
  providers: ["yahoo"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-yahooinc-yahoo-requires-all-senders-to-authenticate-with",
      reason: "authfailure",
      phrase: "yahoo requires all senders to authenticate with either spf or dkim",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
    },
    {
      id: "rhost-yahooinc-because-the-ip-is-in-spamhaus-s-list",
      reason: "blocked",
      phrase: " because the ip is in spamhaus's list;",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.25, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html",
    },
    {
      id: "rhost-yahooinc-not-accepted-from-ip-addresses-on-spamhaus-xbl",
      reason: "blocked",
      phrase: "not accepted from ip addresses on spamhaus xbl",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        '553 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL; see http://postmaster.yahoo.com/errors/550-bl23.html [550]",',
    },
    {
      id: "rhost-yahooinc-relaying-denied-for",
      reason: "norelaying",
      phrase: "relaying denied for ",
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 relaying denied for <***@yahoo.com>",
    },
    {
      id: "rhost-yahooinc-headers-are-not-rfc-compliant",
      reason: "notcompliantrfc",
      phrase: "headers are not rfc compliant",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-yahooinc-not-accepted-for-policy-reasons",
      reason: "policyviolation",
      phrase: "not accepted for policy reasons",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit https://postmaster.yahooinc.com/error-codes",
    },
    {
      id: "rhost-yahooinc-temporarily-deferred-due-to-unexpected-volume-or",
      reason: "badreputation",
      phrase: "temporarily deferred due to unexpected volume or user complaints",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command))",
      note: "Yahoo's own page (https://senders.yahooinc.com/smtp-error-codes) says [TSS04] is a deferral for unexpected volume or user complaints (reputation), not a rejected sender: the provider wins over Sisimai's 'rejected'.",
    },
    {
      id: "rhost-yahooinc-due-to-unresolvable-rfc-5321-domain",
      reason: "rejected",
      phrase: "due to unresolvable rfc.5321 domain",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-yahooinc-will-be-permanently-deferred",
      reason: "blocked",
      phrase: " will be permanently deferred",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "553 5.7.2 [TSS09] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
      note: "Yahoo's own page (https://senders.yahooinc.com/smtp-error-codes) says [TSS09]/[TSS11] block the sending IP (retrying will not succeed): the provider wins over Sisimai's 'rejected'.",
    },
    {
      id: "rhost-yahooinc-user-is-receiving-mail-too-quickly",
      reason: "ratelimited",
      phrase: "user is receiving mail too quickly",
      source: `${SISIMAI}; ${PAGE}`,
      example: "450 User is receiving mail too quickly",
    },
    {
      id: "rhost-yahooinc-is-no-longer-valid",
      reason: "suspend",
      phrase: " is no longer valid.",
      // The address is no longer valid: gone for good, whatever label Sisimai gives it.
      suppress: true,
      source: `${SISIMAI}; ${PAGE}`,
      example: "554 delivery error: dd ****@yahoo.com is no longer valid.",
    },
    {
      id: "rhost-yahooinc-this-mailbox-is-disabled",
      reason: "suspend",
      phrase: "this mailbox is disabled",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "554 30 Sorry, your message to *****@aol.jp cannot be delivered. This mailbox is disabled (554.30)",
    },
    {
      id: "rhost-yahooinc-syntax-error-in-parameters-or-arguments",
      reason: "syntaxerror",
      phrase: "syntax error in parameters or arguments",
      source: `${SISIMAI}; ${PAGE}`,
      example: "501 Syntax error in parameters or arguments",
    },
    {
      id: "rhost-yahooinc-max-message-per-connection-reached",
      reason: "ratelimited",
      phrase: "max message per connection reached",
      source: `${SISIMAI}; ${PAGE}`,
      example: "421 Max message per connection reached, closing transmission channel",
    },
    {
      id: "rhost-yahooinc-dd-this-user-doesn-t-have-a",
      reason: "userunknown",
      phrase: "dd this user doesn't have a ",
      source: `${SISIMAI}; ${PAGE}`,
      example: "554 delivery error: dd This user doesn't have a yahoo.com account (***@yahoo.com)",
    },
    {
      id: "rhost-yahooinc-mailbox-not-found",
      reason: "userunknown",
      phrase: "mailbox not found",
      source: `${SISIMAI}; ${PAGE}`,
      example: "552 1 Requested mail action aborted, mailbox not found (in reply to end of DATA command)",
    },
  ],
};
