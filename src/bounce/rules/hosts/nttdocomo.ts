import type { RuleTable } from "../phrase-rule.ts";

/**
 * NTT docomo's MTA (mfsmax.docomo.ne.jp): its own messages, and its statuses that mean something narrower
 * than the standard (5.2.0 is the subscriber's reception filter). Sisimai (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-nttdocomo.go).
 */
const SISIMAI = "sisimai go rhost/for-nttdocomo.go";
const PAGE = "https://www.docomo.ne.jp/info/spam_mail/";

export const NTTDOCOMO_HOST_RULES: RuleTable = {
  id: "host-nttdocomo",
  hosts: ["mfsmax.docomo.ne.jp", "docomo.ne.jp"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    // Sisimai reads docomo's Status field before its text: 5.1.1 is an unknown user, 5.2.0 the
    // subscriber's reception filter, whatever the reply says.
    {
      id: "nttdocomo-status-5-1-1",
      reason: "userunknown",
      pattern: /./,
      status: ["5.1.1"],
      source: `${SISIMAI} (Status 5.1.1: "550 5.1.1 <***@docomo.ne.jp>... User unknown")`,
      example: "550 Unknown user ***@docomo.ne.jp",
    },
    {
      id: "nttdocomo-status-5-2-0",
      reason: "filtered",
      pattern: /./,
      status: ["5.2.0"],
      source: `${SISIMAI} (Status 5.2.0 after ">>> DATA <<< 550 Unknown user ***@docomo.ne.jp"); ${PAGE}`,
      example: "550 Unknown user ***@docomo.ne.jp",
    },
    {
      id: "nttdocomo-too-much-mail-data",
      reason: "mailboxfull",
      phrase: "552 too much mail data",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "nttdocomo-too-many-recipients",
      reason: "ratelimited",
      phrase: "552 too many recipients",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "nttdocomo-bad-sequence",
      reason: "syntaxerror",
      phrase: "503 bad sequence of commands",
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "nttdocomo-parameter-not-implemented",
      reason: "syntaxerror",
      phrase: "504 command parameter not implemented",
      source: `${SISIMAI}; ${PAGE}`,
      example: "504 Command parameter not implemented",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/lhost-postfix-53.eml",
    },
  ],
};
