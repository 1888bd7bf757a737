import type { ProviderRule } from "./provider-rule.ts";

/** Comcast. Source: postmaster.comcast.net/mail-error-codes. */
const REF = "postmaster.comcast.net/mail-error-codes";

export const COMCAST_RULES: readonly ProviderRule[] = [
  {
    id: "comcast-rl-rate-limit",
    writtenBy: "comcast",
    pattern: /\brl[0-9]{6}\b/,
    reason: "ratelimited",
    category: "rate-limit",
    providerCode: "RL000010",
    action: "Comcast is throttling you: cut the connection rate (KumoMTA suspends 5 minutes on RL000010).",
    source: `${REF}; KumoMTA community shaping`,
    example:
      "421 resimta-h2e-12v.sys.comcast.net resimta comcast 192.0.2.10 Domain Throttled. Please see http://postmaster.comcast.net/smtp-error-codes.php#RL000010",
  },
  {
    id: "comcast-bl-blocklist",
    writtenBy: "comcast",
    pattern: /\b(?:bl|es)[0-9]{6}\b/,
    reason: "blocked",
    category: "blocklist",
    providerCode: "BL000001",
    action:
      "Comcast sees your IP on a blocklist (bits: 1 Spamhaus ZEN, 10 Cloudmark CSI, 100 SenderScore; ES = dynamic IP space): delist it at the named list.",
    source: REF,
    example:
      "554 resimta-po-10v.sys.comcast.net resimta comcast 192.0.2.10 found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000001",
  },
  {
    id: "comcast-too-many-sessions",
    provider: "comcast",
    pattern: /too many sessions opened/,
    reason: "ratelimited",
    category: "rate-limit",
    action: "Comcast limits concurrent sessions: open fewer connections.",
    source: REF,
    example: "421 Too many sessions opened - comcast.net",
  },
];
