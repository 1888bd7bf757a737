import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of outlook's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-outlook.go; provider page: https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/non-delivery-reports-in-exchange-online).
 */
const SISIMAI = "sisimai go rhost/for-outlook.go";
const PAGE =
  "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/non-delivery-reports-in-exchange-online";

export const OUTLOOK_HOST_RULES: RuleTable = {
  id: "host-outlook",
  hosts: ["hotmail.com"],
  providers: ["microsoft"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-outlook-the-mail-could-not-be-delivered-to-the-recipient",
      reason: "hostunknown",
      phrase: "the mail could not be delivered to the recipient because the domain is not reachable",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "554 The mail could not be delivered to the recipient because the domain is not reachable. Please check the domain and try again (-1915321397:308:-2147467259)",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-outlook-03.eml",
    },
    {
      id: "rhost-outlook-requested-action-not-taken-mailbox-unavailable",
      reason: "userunknown",
      phrase: "requested action not taken: mailbox unavailable",
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 Requested action not taken: mailbox unavailable (-0000000022:2222:-0000000022)",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/lhost-outlook-08.eml",
    },
  ],
};
