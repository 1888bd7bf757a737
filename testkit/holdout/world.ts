/**
 * The receiving side of the holdout generator: mailbox providers, their domains and MX hosts, and the SMTP
 * replies they give, written from public postmaster pages and observed bounces (one entry per reply shape).
 * Sources: support.apple.com/en-us/102322 and smtp.codes/icloud (Apple), support.google.com/a/answer/3726730
 * (Gmail), senders.yahooinc.com/smtp-error-codes (Yahoo), learn.microsoft.com Exchange Online NDR pages
 * (Microsoft), postmaster.comcast.net/mail-error-codes. `{rcpt}`, `{ip}`, `{domain}`, `{id}` are filled per
 * message.
 */
import type { Rng } from "./rng.ts";

export type Provider = "apple" | "gmail" | "yahoo" | "microsoft" | "other";

export const PROVIDER_DOMAINS: Record<Provider, readonly (readonly [string, number])[]> = {
  apple: [
    ["icloud.com", 0.72],
    ["me.com", 0.18],
    ["mac.com", 0.1],
  ],
  gmail: [
    ["gmail.com", 0.97],
    ["googlemail.com", 0.03],
  ],
  yahoo: [
    ["yahoo.com", 0.6],
    ["aol.com", 0.25],
    ["ymail.com", 0.08],
    ["att.net", 0.07],
  ],
  microsoft: [
    ["outlook.com", 0.45],
    ["hotmail.com", 0.4],
    ["live.com", 0.1],
    ["msn.com", 0.05],
  ],
  other: [
    ["comcast.net", 0.25],
    ["fastmail.com", 0.15],
    ["proton.me", 0.15],
    ["gmx.net", 0.15],
    ["web.de", 0.1],
    ["zoho.com", 0.1],
    ["hey.com", 0.1],
  ],
};

export const MX_HOST: Record<Provider, readonly string[]> = {
  apple: ["mx01.mail.icloud.com", "mx02.mail.icloud.com"],
  gmail: ["gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com"],
  yahoo: ["mta5.am0.yahoodns.net", "mta6.am0.yahoodns.net", "mta7.am0.yahoodns.net"],
  microsoft: ["hotmail-com.olc.protection.outlook.com"],
  other: ["mx1.mail.example-isp.net"],
};

/** Providers that send per-recipient complaints back (feedback loops): Apple and Gmail do not. */
export const HAS_FBL: Record<Provider, boolean> = {
  apple: false,
  gmail: false,
  yahoo: true,
  microsoft: true,
  other: false,
};

export type ReplyKind =
  | "hard"
  | "full"
  | "defer-background"
  | "policy-background"
  | "policy-reputation"
  | "policy-content"
  | "defer-content"
  | "defer-volume"
  | "defer-ip"
  | "policy-ip"
  | "policy-after-rate"
  | "blocklist-ip"
  | "blocklist-domain"
  | "auth"
  | "defer-reputation";

type Table = Partial<Record<ReplyKind, readonly (readonly [string, number])[]>>;

const APPLE_URL = "https://support.apple.com/en-us/HT204137";
const YAHOO_URL = "https://postmaster.yahooinc.com/error-codes";

export const REPLIES: Record<Provider, Table> = {
  apple: {
    hard: [
      ["550 5.1.1 <{rcpt}>: user does not exist", 0.6],
      ["550 5.1.1 <{rcpt}>: inactive email address", 0.3],
      ["550 5.1.1 <{rcpt}>: unknown or illegal alias", 0.1],
    ],
    full: [["552 5.2.2 <{rcpt}>: user is over quota", 1]],
    "defer-background": [
      ["451 4.7.1 Service unavailable - try again later", 0.8],
      ["451 [BS02] Temporary server error. Please try again later.", 0.2],
    ],
    "policy-background": [
      [`550 5.7.1 [CS01] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.6],
      [`554 5.7.1 [CS01] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.25],
      [`554 5.7.1 [HM08] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.15],
    ],
    "policy-reputation": [
      [`550 5.7.1 [CS01] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.55],
      [`554 5.7.1 [CS01] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.2],
      [
        `554 5.7.1 [HM08] Message rejected due to local policy. Please visit ${APPLE_URL} Txn ID {uuid}`,
        0.25,
      ],
    ],
    "policy-content": [
      [`550 5.7.1 [CS01] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.7],
      [`554 5.7.1 [CS01] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.3],
    ],
    "defer-volume": [
      [`421 4.7.1 Messages to {rcpt} deferred due to excessive volume. Try again later - ${APPLE_URL}`, 1],
    ],
    "defer-ip": [["421 [HCM1] Your mail from {ip} was deferred. Please try again later.", 1]],
    "policy-ip": [
      [`550 5.7.1 [HCM2] Your mail from {ip} was rejected. ${APPLE_URL}`, 0.45],
      [`550 5.7.1 [CS01] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.4],
      [`554 5.7.1 [HM08] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.15],
    ],
    "policy-after-rate": [
      [`554 5.7.1 [HM08] Message rejected due to local policy. Please visit ${APPLE_URL} Txn ID {uuid}`, 0.4],
      [`550 5.7.1 [HCM2] Your mail from {ip} was rejected. ${APPLE_URL}`, 0.3],
      [`550 5.7.1 [CS01] Message rejected due to local policy. Please visit ${APPLE_URL}`, 0.3],
    ],
    "blocklist-ip": [
      ["550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip={ip}", 0.7],
      [
        "550 5.7.1 Mail from IP {ip} was rejected due to listing in Spamhaus SBL. For details please see https://check.spamhaus.org/",
        0.3,
      ],
    ],
    "blocklist-domain": [
      [
        "550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/",
        1,
      ],
    ],
    auth: [
      ["554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks.", 0.5],
      [`554 5.7.1 Your message was rejected due to {domain}'s DMARC policy. See ${APPLE_URL}`, 0.5],
    ],
  },
  gmail: {
    hard: [
      [
        "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser {id} - gsmtp",
        1,
      ],
    ],
    full: [
      [
        "452 4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp {id} - gsmtp",
        1,
      ],
    ],
    "defer-background": [["421 4.7.0 Try again later, closing connection. (EHLO) {id} - gsmtp", 1]],
    "policy-background": [
      [
        "550 5.7.1 [{ip}] Gmail has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to https://support.google.com/mail/?p=UnsolicitedMessageError {id} - gsmtp",
        1,
      ],
    ],
    "policy-reputation": [
      [
        "550 5.7.1 [{ip}] Our system has detected that this message is likely suspicious due to the very low reputation of the sending domain. To best protect our users from spam, the message has been blocked. For more information, go to https://support.google.com/mail/answer/188131 {id} - gsmtp",
        0.6,
      ],
      [
        "550 5.7.1 [{ip}] Gmail has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to https://support.google.com/mail/?p=UnsolicitedMessageError {id} - gsmtp",
        0.4,
      ],
    ],
    "defer-reputation": [
      [
        "421 4.7.0 [{ip}] Our system has detected that this message is suspicious due to the very low reputation of the sending domain. To best protect our users from spam, the message has been blocked. For more information, go to https://support.google.com/mail/answer/188131 {id} - gsmtp",
        1,
      ],
    ],
    "policy-content": [
      [
        "550 5.7.1 [{ip}] Gmail has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to https://support.google.com/mail/?p=UnsolicitedMessageError {id} - gsmtp",
        1,
      ],
    ],
    "defer-content": [
      [
        "421 4.7.0 [{ip}] Our system has detected that this message is suspicious due to the nature of the content and/or the links within. To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/188131 for more information. {id} - gsmtp",
        1,
      ],
    ],
    "defer-volume": [
      [
        "421 4.7.28 [{ip}] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. For more information, go to https://support.google.com/mail/?p=UnsolicitedRateLimitError {id} - gsmtp",
        1,
      ],
    ],
    "defer-ip": [
      [
        "421 4.7.0 [{ip}] Our system has detected that this message is suspicious due to the very low reputation of the sending IP address. To best protect our users from spam, the message has been blocked. For more information, go to https://support.google.com/mail/answer/188131 {id} - gsmtp",
        1,
      ],
    ],
    "policy-ip": [
      [
        "550 5.7.1 [{ip}] Our system has detected that this message is likely suspicious due to the very low reputation of the sending IP address. To best protect our users from spam, the message has been blocked. For more information, go to https://support.google.com/mail/answer/188131 {id} - gsmtp",
        1,
      ],
    ],
    auth: [
      [
        "550 5.7.26 Unauthenticated email from {domain} is not accepted due to domain's DMARC policy. Please contact the administrator of {domain} domain if this was a legitimate mail. To learn about the DMARC initiative, go to https://support.google.com/mail/?p=DmarcRejection {id} - gsmtp",
        1,
      ],
    ],
  },
  yahoo: {
    hard: [
      [
        "554 delivery error: dd This user doesn't have a yahoo.com account ({rcpt}) [0] - mta1023.mail.gq1.yahoo.com",
        0.7,
      ],
      ["552 1 Requested mail action aborted, mailbox not found", 0.3],
    ],
    "defer-background": [
      [
        `421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see ${YAHOO_URL}`,
        1,
      ],
    ],
    "policy-background": [
      [
        `554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit ${YAHOO_URL}`,
        1,
      ],
    ],
    "policy-reputation": [
      [
        `554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit ${YAHOO_URL}`,
        1,
      ],
    ],
    "defer-reputation": [
      [
        `421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see ${YAHOO_URL}`,
        1,
      ],
    ],
    "policy-content": [
      [
        `554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit ${YAHOO_URL}`,
        1,
      ],
    ],
    "defer-volume": [
      [
        `421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see ${YAHOO_URL}`,
        1,
      ],
    ],
    "defer-ip": [
      [
        `421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see ${YAHOO_URL}`,
        1,
      ],
    ],
    "policy-ip": [
      [
        `553 5.7.2 [TSS09] All messages from {ip} will be permanently deferred; Retrying will NOT succeed. See ${YAHOO_URL}`,
        1,
      ],
    ],
    "blocklist-ip": [
      [
        `553 5.7.1 [BL21] Connections will not be accepted from {ip}, because the ip is in Spamhaus's list; see ${YAHOO_URL}`,
        1,
      ],
    ],
    auth: [
      [
        "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
        1,
      ],
    ],
  },
  microsoft: {
    hard: [
      [
        "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [BN8NAM12FT052.eop-nam12.prod.protection.outlook.com]",
        1,
      ],
    ],
    "defer-background": [
      [
        "451 4.7.500 Server busy. Please try again later from [{ip}]. (S77719) [BN8NAM12FT052.eop-nam12.prod.protection.outlook.com]",
        1,
      ],
    ],
    "policy-background": [
      [
        "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [AM4PEPF00027A6C.eurprd04.prod.outlook.com]",
        1,
      ],
    ],
    "policy-reputation": [
      [
        "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [AM4PEPF00027A6C.eurprd04.prod.outlook.com]",
        1,
      ],
    ],
    "defer-ip": [
      [
        "451 4.7.650 The mail server [{ip}] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BA8C8D9E0F1A2B] [DM6NAM11FT041.eop-nam11.prod.protection.outlook.com]",
        1,
      ],
    ],
    "policy-ip": [
      [
        "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [AM4PEPF00027A6C.eurprd04.prod.outlook.com]",
        1,
      ],
    ],
    "defer-volume": [
      [
        "451 4.7.500 Server busy. Please try again later from [{ip}]. (S77714) [BN8NAM12FT052.eop-nam12.prod.protection.outlook.com]",
        1,
      ],
    ],
    "blocklist-ip": [
      [
        "550 5.7.1 Service unavailable, Client host [{ip}] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/{ip} (AS3130). [BN1NAM02FT001.eop-nam02.prod.protection.outlook.com]",
        1,
      ],
    ],
    auth: [
      [
        "550 5.7.515 Access denied, sending domain {domain} doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender. To learn more, see https://go.microsoft.com/fwlink/?LinkId=2296591",
        1,
      ],
    ],
  },
  other: {
    hard: [["550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table", 1]],
    full: [["552 5.2.2 <{rcpt}>: Recipient address rejected: mailbox full", 1]],
    "defer-background": [["450 4.7.1 <{rcpt}>: Recipient address rejected: try again later", 1]],
    "policy-background": [["554 5.7.1 Message rejected as spam by content filter", 1]],
  },
};

/** The delivery acknowledgement each provider gives. */
export const DELIVERED: Record<Provider, string> = {
  apple: "250 2.0.0 Ok: queued as {id}",
  gmail: "250 2.0.0 OK  {id} - gsmtp",
  yahoo: "250 ok dirdel",
  microsoft: "250 2.6.0 <{id}@deliver> [InternalId={id}] Queued mail for delivery",
  other: "250 2.0.0 Ok: queued as {id}",
};

/** A reply of this kind from this provider, placeholders filled; undefined when the provider has none. */
export function reply(
  rng: Rng,
  provider: Provider,
  kind: ReplyKind,
  fill: { rcpt: string; ip: string; domain: string },
): string | undefined {
  const table = REPLIES[provider][kind];
  if (!table) return undefined;
  return fillReply(rng, rng.weighted(table), fill);
}

export function fillReply(
  rng: Rng,
  text: string,
  fill: { rcpt: string; ip: string; domain: string },
): string {
  return text
    .replaceAll("{rcpt}", fill.rcpt)
    .replaceAll("{ip}", fill.ip)
    .replaceAll("{domain}", fill.domain)
    .replaceAll("{id}", `${rng.token(6)}${rng.int(100000, 999999)}si${rng.int(1000000, 9999999)}`)
    .replaceAll("{uuid}", `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`);
}

/** Parse "550 5.7.1 text" into its parts (code, enhanced status, the rest). */
export function splitReply(text: string): { code: number; status: string | null; rest: string } {
  const m = /^(\d{3})[ -](?:(\d\.\d{1,3}\.\d{1,3}) )?(.*)$/s.exec(text);
  if (!m) return { code: 0, status: null, rest: text };
  return { code: Number(m[1]), status: m[2] ?? null, rest: m[3] };
}
