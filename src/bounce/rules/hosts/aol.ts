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
      example: "Host or domain name not found. Name service error for name=example.jp type=A: Host not found",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-aol-01.eml",
    },
    {
      id: "rhost-aol-type-mx-malformed-or-unexpected-name-server-repl",
      reason: "notaccept",
      phrase: "type=mx: malformed or unexpected name server reply",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "Name service error for name=libsisimai.org type=MX: Malformed or unexpected name server reply",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-aol-06.eml",
    },
  ],
};
