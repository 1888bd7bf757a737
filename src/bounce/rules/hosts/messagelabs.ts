import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of messagelabs's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-messagelabs.go; provider page: https://www.broadcom.com/products/cybersecurity/email).
 */
const SISIMAI = "sisimai go rhost/for-messagelabs.go";
const PAGE = "https://www.broadcom.com/products/cybersecurity/email";

export const MESSAGELABS_HOST_RULES: RuleTable = {
  id: "host-messagelabs",
  hosts: ["messagelabs.com"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-messagelabs-please-turn-on-smtp-authentication-in-your-mail",
      reason: "securityerror",
      phrase: "please turn on smtp authentication in your mail client",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 Please turn on SMTP Authentication in your mail client. mail0.bemta0.messagelabs.com [198.51.100.21]:11111 is not permitted to relay through this server without authentication.",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-messagelabs-01.eml",
    },
    {
      // Sisimai lists the bare code with its space; written as a number of its own (not 5542, not 542.1, and not
      // the end of an id: a hex or base64 id ends in "…a542 " about once in 10,000, review R128).
      id: "rhost-messagelabs-542",
      reason: "userunknown",
      pattern: /(?<![\w.-])542 /,
      source: `${SISIMAI} ("542 ")`,
      example: "542 ",
    },
    {
      id: "rhost-messagelabs-no-such-user",
      reason: "userunknown",
      phrase: "no such user",
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 kijitora@neko.example.org... No such user",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-messagelabs-02.eml",
    },
  ],
};
