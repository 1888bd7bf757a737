import type { ProviderRule } from "./provider-rule.ts";

/**
 * Microsoft (Outlook.com, Exchange Online Protection). Sources: NANE microsoft-troubleshooting.txt and
 * sisimai Rhost/Microsoft.pm (citing learn.microsoft.com NDR docs).
 */
const REF = "learn.microsoft.com Exchange Online NDR docs (via Sisimai Rhost/Microsoft.pm)";

export const MICROSOFT_RULES: readonly ProviderRule[] = [
  {
    id: "microsoft-s3150-network-block",
    writtenBy: "microsoft",
    pattern: /\(s31[45]0\)|part of their network is on our block list/,
    reason: "blocked",
    category: "blocklist",
    providerCode: "S3150",
    retryable: true,
    action:
      "Microsoft blocks your IP or network: request delisting at sender.office.com, join SNDS/JMRP, and slow " +
      "down after 4xx replies (a Microsoft staffer: S3150 follows ignoring 4xx).",
    source: `${REF}; mailop 2026-02`,
    example:
      "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
  },
  {
    id: "microsoft-4.7.650-rate-limited",
    writtenBy: "microsoft",
    pattern: /temporarily rate limited due to ip reputation/,
    reason: "badreputation",
    category: "rate-limit",
    action: "Microsoft throttles this IP on its reputation: slow down and keep retrying.",
    source: `${REF}; Sisimai corpus rhost-microsoft-05 (badreputation)`,
    example:
      "451 4.7.650 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)",
  },
  {
    id: "microsoft-5.7.515-authentication",
    writtenBy: "microsoft",
    status: ["5.7.515"],
    pattern: /(?:)/,
    reason: "authfailure",
    category: "authentication",
    action:
      "Outlook.com requires SPF, DKIM and DMARC (at least p=none, aligned) above 5,000 messages a day: fix them, then resend.",
    source: "Microsoft's high-volume sender requirements (enforced from 2025-05-05)",
    example:
      "550 5.7.515 Access denied, sending domain [EXAMPLE.COM] doesn't meet the required authentication level.",
  },
  {
    id: "microsoft-banned-ip",
    writtenBy: "microsoft",
    pattern: /banned sending ip/,
    reason: "blocked",
    category: "blocklist",
    action:
      "Microsoft banned the sending IP: request removal at sender.office.com (delist@messaging.microsoft.com).",
    source: `${REF}; Sisimai corpus rhost-microsoft-01 (blocked)`,
    example:
      "550 5.7.606 Access denied, banned sending IP [192.0.2.10]. To request removal from this list please visit https://sender.office.com/ and follow the directions. (AS16012609)",
  },
  {
    id: "microsoft-banned-sender",
    writtenBy: "microsoft",
    pattern: /access denied, banned sender/,
    reason: "blocked",
    category: "blocklist",
    action:
      "Microsoft banned the sender: forward the NDR to delist@messaging.microsoft.com to request removal.",
    source: `${REF} (5.7.511 banned sender)`,
    example:
      "550 5.7.511 Access denied, banned sender[192.0.2.10]. To request removal from this list, forward this message to delist@messaging.microsoft.com.",
  },
  {
    id: "microsoft-customer-block-list",
    writtenBy: "microsoft",
    pattern: /customer block list|\(as[0-9]{6,}\)/,
    reason: "blocked",
    category: "blocklist",
    action:
      "The recipient organisation blocks you in its own Exchange Online policy: contact that organisation.",
    source: `${REF} (AS16012607 = 5.7.513)`,
    example:
      "550 5.7.513 Service unavailable, Client host [192.0.2.10] blocked using Customer Block list (AS16012607)",
  },
  {
    id: "microsoft-legacy-rate-limit",
    writtenBy: "microsoft",
    pattern: /(?<![\w.@-])rp-00[1-3](?![\w@-]|\.\w)/,
    reason: "ratelimited",
    category: "rate-limit",
    action: "Outlook.com limits rate or connections on your reputation: slow down.",
    source: "Outlook.com legacy error codes (mail.live.com troubleshooting)",
    example:
      "421 RP-001 (BAY004-MC1F36) Unfortunately, some messages from 192.0.2.10 weren't sent. Please try again.",
  },
  {
    id: "microsoft-legacy-spamhaus",
    writtenBy: "microsoft",
    pattern: /(?<![\w.@-])ou-00[12](?![\w@-]|\.\w)/,
    reason: "blocked",
    category: "blocklist",
    action: "Outlook.com sees the IP on a blocklist (OU-001: Spamhaus): delist it.",
    source: "Outlook.com legacy error codes (mail.live.com troubleshooting)",
    example: "550 OU-001 (SNT004-MC1F43) Unfortunately, messages from 192.0.2.10 weren't sent.",
  },
  {
    id: "microsoft-legacy-reputation",
    writtenBy: "microsoft",
    pattern: /(?<![\w.@-])(?:sc-00[1-4]|dy-00[12])(?![\w@-]|\.\w)/,
    reason: "blocked",
    category: "reputation",
    action:
      "Outlook.com rejects on reputation (SC-001 policy, SC-002 namespace mining, SC-003 open proxy, SC-004 " +
      "complaints: join JMRP; DY-001/002 dynamic IP or compromised host): fix the cause, then ramp slowly.",
    source: "Outlook.com legacy error codes; Sisimai corpus lhost-ezweb-08 (SC-004 → blocked)",
    example: "550 SC-001 (BAY004-MC5F21) Unfortunately, messages from 192.0.2.10 weren't sent.",
  },
];
