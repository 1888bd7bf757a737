import type { ProviderRule } from "./provider-rule.ts";

/**
 * KDDI (au, ezweb.ne.jp) answers "User unknown" both for a missing mailbox and for a recipient whose
 * domain filter refuses the sender; only the form tells them apart: the address before the phrase means
 * the mailbox is missing, an empty "550 : User unknown" means the filter refused.
 */
const KDDI =
  "Sisimai lib/Sisimai/Rhost/KDDI.pm, sisimai go rhost/for-kddi.go ('>: user unknown' → userunknown, '550 : user unknown' → filtered)";
const KDDI_DOMAINS = ["ezweb.ne.jp", "au.com"];
/**
 * KDDI's servers, which also answer for the domains it hosts under other names (UQ mobile's uqmobile.jp:
 * Sisimai corpus lhost-sendmail-28, via lsean.ezweb.ne.jp): sisimai go rhost/lib.go RhostClass "KDDI".
 */
const KDDI_HOSTS = ["ezweb.ne.jp", "msmx.au.com"];

export const KDDI_RULES: readonly ProviderRule[] = [
  {
    id: "kddi-unknown-mailbox",
    recipientDomain: KDDI_DOMAINS,
    remoteHost: KDDI_HOSTS,
    pattern: /@[^\s>@]{1,255}>: user unknown/,
    reason: "userunknown",
    category: "recipient",
    action: "The au mailbox does not exist: remove the address.",
    source: `${KDDI}; Sisimai corpus lhost-messagingserver-09, lhost-yahoo-07`,
    example: "550 <user@ezweb.ne.jp>: User unknown",
    exampleRecipient: "user@ezweb.ne.jp",
  },
  {
    id: "kddi-domain-filter",
    recipientDomain: KDDI_DOMAINS,
    remoteHost: KDDI_HOSTS,
    pattern: /(?:^|\s)550 : user unknown/,
    reason: "filtered",
    category: "content",
    action:
      "The au subscriber's domain filter refuses your sender address: the recipient must allow your domain.",
    source: KDDI,
    example: "550 : User unknown",
    exampleRecipient: "user@ezweb.ne.jp",
  },
  {
    // au's own MTA names no reply when the recipient's reception settings refuse the sender.
    id: "kddi-reception-settings",
    recipientDomain: KDDI_DOMAINS,
    remoteHost: KDDI_HOSTS,
    pattern: /^each of the following recipients was rejected by a remote mail server/,
    reason: "filtered",
    category: "content",
    action:
      "The au subscriber's reception settings refuse your sender address: the recipient must allow your domain.",
    source:
      "Sisimai lib/Sisimai/Lhost/EZweb.pm (au's MTA, 'Each of the following recipients was rejected by a remote mail server'); Sisimai corpus lhost-ezweb-01",
    example: "Each of the following recipients was rejected by a remote mail server.",
    exampleRecipient: "user@ezweb.ne.jp",
  },
];
