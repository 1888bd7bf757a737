import type { FindingKind } from "./kind.ts";

/** Reputation of the link domains on domain blocklists. */
export const LINK_FINDINGS: readonly FindingKind[] = [
  // links
  {
    id: "LINK_DOMAIN_LISTED",
    area: "links",
    severity: "critical",
    title: "A link domain is on a domain blocklist",
    fix: "Remove the domain from the message; Apple rejects mail with DBL-listed body domains.",
    source:
      "https://www.spamhaus.org/blocklists/domain-blocklist/ ; https://surbl.org/guidelines ; https://uribl.com/about.shtml",
  },
  {
    id: "LINK_LOOKUP_REFUSED",
    area: "links",
    severity: "info",
    title: "A blocklist refused the lookup: result unknown",
    fix: "Use a local recursive resolver (or Spamhaus DQS), not a public resolver, and retry.",
    source:
      "https://github.com/rspamd/rspamd/blob/master/conf/modules.d/rbl.conf (127.255.255.x and the URIBL/SURBL bit 1 mean 'query refused')",
  },
  {
    id: "LINK_LOOKUP_FAILED",
    area: "links",
    severity: "info",
    title: "A blocklist lookup failed (timeout or SERVFAIL)",
    fix: "Retry; the listing status is unknown.",
    source: "https://www.rfc-editor.org/rfc/rfc5782#section-5 (test points)",
  },
];
