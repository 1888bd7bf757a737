import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of aol's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-aol.go; provider page: https://www.aol.com).
 */
const SISIMAI = "sisimai go rhost/for-aol.go";
const PAGE = "https://www.aol.com";

export const AOL_HOST_RULES: RuleTable = {
  id: "host-aol",
  hosts: ["mail.aol.com", "mx.aol.com"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-aol-host-or-domain-name-not-found",
      reason: "hostunknown",
      phrase: "host or domain name not found",
      source: `${SISIMAI}; ${PAGE}`,
      example: "host or domain name not found",
    },
    {
      id: "rhost-aol-type-mx-malformed-or-unexpected-name-server-repl",
      reason: "notaccept",
      phrase: "type=mx: malformed or unexpected name server reply",
      source: `${SISIMAI}; ${PAGE}`,
      example: "type=mx: malformed or unexpected name server reply",
    },
  ],
};
