import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of gsuite's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-gsuite.go; provider page: https://workspace.google.com/).
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
      source: `${SISIMAI}; ${PAGE}`,
      example: "… responded with code nxdomain",
    },
    {
      id: "rhost-gsuite-domain-name-not-found-5",
      reason: "hostunknown",
      phrase: "domain name not found",
      status: ["5.*"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "domain name not found",
    },
    {
      id: "rhost-gsuite-had-no-relevant-answers-4",
      reason: "networkerror",
      phrase: " had no relevant answers.",
      status: ["4.*"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "… had no relevant answers.",
    },
    {
      id: "rhost-gsuite-responded-with-code-nxdomain-4",
      reason: "networkerror",
      phrase: "responded with code nxdomain",
      status: ["4.*"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "responded with code nxdomain",
    },
    {
      id: "rhost-gsuite-domain-name-not-found-4",
      reason: "networkerror",
      phrase: "domain name not found",
      status: ["4.*"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "domain name not found",
    },
    {
      id: "rhost-gsuite-null-mx",
      reason: "notaccept",
      phrase: "null mx",
      source: `${SISIMAI}; ${PAGE}`,
      example: "null mx",
    },
    {
      id: "rhost-gsuite-because-the-address-couldn-t-be-found-check-for",
      reason: "userunknown",
      phrase: "because the address couldn't be found. check for typos or unnecessary spaces and try again.",
      source: `${SISIMAI}; ${PAGE}`,
      example: "because the address couldn't be found. check for typos or unnecessary spaces and try again.",
    },
  ],
};
