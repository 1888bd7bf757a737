import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of gsuite's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-gsuite.go; provider page: https://workspace.google.com/).
 * A DNS failure is an unknown host only when both the status and the reply code are permanent (class 5),
 * a network error only when neither is (either may be missing), as the go file gates them.
 */
const SISIMAI = "sisimai go rhost/for-gsuite.go";
const PAGE = "https://workspace.google.com/";

export const GSUITE_HOST_RULES: RuleTable = {
  id: "host-gsuite",
  hosts: ["googlemail.com"],
  providers: ["google"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-gsuite-responded-with-code-nxdomain-5",
      reason: "hostunknown",
      phrase: " responded with code nxdomain",
      status: ["5.*"],
      reply: "5xx",
      source: `${SISIMAI}; ${PAGE}; example: github.com/sisimai/set-of-emails rhost-gsuite-04.eml`,
      example:
        "DNS Error: 80335577 DNS type 'mx' lookup of example.jp responded with code NXDOMAIN Domain name not found: example.jp",
    },
    {
      id: "rhost-gsuite-domain-name-not-found-5",
      reason: "hostunknown",
      phrase: "domain name not found",
      status: ["5.*"],
      reply: "5xx",
      source: `${SISIMAI}; ${PAGE}; example: github.com/sisimai/set-of-emails rhost-gsuite-04.eml`,
      example: "Domain name not found: example.jp",
    },
    {
      id: "rhost-gsuite-had-no-relevant-answers-4",
      reason: "networkerror",
      phrase: " had no relevant answers.",
      notPermanent: true,
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "DNS Error: 16578478 DNS type 'mx' lookup of gmal.com responded with code NOERROR 16578478 DNS type 'mx' lookup of gmal.com had no relevant answers.",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rfc3464-62.eml",
    },
    {
      id: "rhost-gsuite-responded-with-code-nxdomain-4",
      reason: "networkerror",
      phrase: "responded with code nxdomain",
      notPermanent: true,
      source: `${SISIMAI}; ${PAGE}; example: github.com/sisimai/set-of-emails rhost-gsuite-04.eml`,
      example:
        "DNS Error: 80335577 DNS type 'mx' lookup of example.jp responded with code NXDOMAIN Domain name not found: example.jp",
    },
    {
      id: "rhost-gsuite-domain-name-not-found-4",
      reason: "networkerror",
      phrase: "domain name not found",
      notPermanent: true,
      source: `${SISIMAI}; ${PAGE}; example: github.com/sisimai/set-of-emails rhost-gsuite-04.eml`,
      example: "Domain name not found: example.jp",
    },
    {
      id: "rhost-gsuite-null-mx",
      reason: "notaccept",
      phrase: "null mx",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "DNS Error: 80458680 DNS type 'mx' lookup of libsisimai.org responded with code NOERROR The domain libsisimai.org doesn't receive email according to the administrator: returned Null MX https://www.rfc-editor.org/info/rfc7505",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rfc3464-52.eml",
    },
    {
      id: "rhost-gsuite-because-the-address-couldn-t-be-found-check-for",
      reason: "userunknown",
      phrase: "because the address couldn't be found. check for typos or unnecessary spaces and try again.",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "** Address not found ** Your message wasn't delivered to kijitora@example.it because the address couldn't be found. Check for typos or unnecessary spaces and try again.",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-gsuite-02.eml",
    },
  ],
};
