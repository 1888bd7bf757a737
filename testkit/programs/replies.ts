/**
 * Receivers' replies as they appear in real exports, per mailbox provider and mechanism. Wordings are
 * the observed ones (Apple's bracketed codes, Google's, Yahoo's, Microsoft's pages; collected in the
 * project's provider research), never invented codes. `{rcpt}`, `{ip}` and `{domain}` are filled in.
 */
import type { Rng } from "./rng.ts";

export type Provider = "apple" | "google" | "yahoo" | "microsoft" | "other";

/** What the reply means in the program's ground truth (never written to a file). */
export type ReplyKind =
  | "accepted"
  | "hard" // unknown user, mailbox gone
  | "transient" // top-of-hour, greylisting, temporary errors
  | "rate" // volume / rate-limit deferral
  | "policy" // local-policy / reputation / content rejection
  | "ip-policy" // an IP named in the rejection
  | "blocklist"
  | "auth";

export interface Reply {
  code: number;
  status: string;
  text: string; // full reply line as the receiver sent it: "550 5.7.1 …"
  kind: ReplyKind;
}

export interface ReplyContext {
  rcpt: string;
  ip: string;
  domain: string; // the sender's domain
}

type Template = readonly [code: number, status: string, text: string];

function fill(t: Template, ctx: ReplyContext, kind: ReplyKind): Reply {
  // Most templates (every reply's share of a program: accepted ones) have no placeholder to fill.
  const text = t[2].includes("{")
    ? t[2].replaceAll("{rcpt}", ctx.rcpt).replaceAll("{ip}", ctx.ip).replaceAll("{domain}", ctx.domain)
    : t[2];
  return { code: t[0], status: t[1], text, kind };
}

const ACCEPTED: Record<Provider, readonly Template[]> = {
  apple: [[250, "2.0.0", "250 2.0.0 Ok: queued as 3F2D1B7A0C"]],
  google: [[250, "2.0.0", "250 2.0.0 OK  1717171717 a1b2c3d4e5f6g7.123 - gsmtp"]],
  yahoo: [[250, "", "250 ok dirdel"]],
  microsoft: [
    [
      250,
      "2.6.0",
      "250 2.6.0 <{rcpt}> [InternalId=123456789, Hostname=AM0PR01MB1234.eurprd01.prod.exchangelabs.com] Queued mail for delivery",
    ],
  ],
  other: [[250, "2.0.0", "250 2.0.0 Ok: queued"]],
};

const HARD: Record<Provider, readonly Template[]> = {
  apple: [
    [550, "5.1.1", "550 5.1.1 <{rcpt}>: user does not exist"],
    [550, "5.1.6", "550 5.1.6 recipient no longer on server: {rcpt}"],
  ],
  google: [
    [
      550,
      "5.1.1",
      "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser - gsmtp",
    ],
  ],
  yahoo: [
    [
      554,
      "",
      "554 delivery error: dd This user doesn't have a yahoo.com account ({rcpt}) [0] - mta1234.mail.gq1.yahoo.com",
    ],
  ],
  microsoft: [
    [
      550,
      "5.5.0",
      "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]",
    ],
  ],
  other: [
    [550, "5.1.1", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"],
    [550, "5.1.1", "550 5.1.1 unknown user"],
  ],
};

const TRANSIENT: Record<Provider, readonly Template[]> = {
  apple: [
    [451, "4.7.1", "451 4.7.1 Service unavailable - try again later"],
    [451, "", "451 [BS02] Temporary server error. Please try again later."],
  ],
  google: [
    [
      421,
      "4.7.0",
      "421-4.7.0 Try again later, closing connection. (EHLO) 421 4.7.0  For more information, go to 421 4.7.0  https://support.google.com/a/answer/3221692 - gsmtp",
    ],
  ],
  yahoo: [
    [
      421,
      "4.7.0",
      "421 4.7.0 [TS01] Messages from {ip} temporarily deferred due to user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
    ],
  ],
  microsoft: [
    [
      451,
      "4.7.500",
      "451 4.7.500 Server busy. Please try again later from [{ip}]. (S77719) [BN8NAM11FT012.eop-nam11.prod.protection.outlook.com]",
    ],
  ],
  other: [
    [
      450,
      "4.2.0",
      "450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{domain}.html",
    ],
    [421, "4.4.2", "421 4.4.2 Connection timed out"],
  ],
};

const RATE: Record<Provider, readonly Template[]> = {
  apple: [
    [
      421,
      "4.7.1",
      "421 4.7.1 Messages to {rcpt} deferred due to excessive volume. Try again later - https://support.apple.com/en-us/HT204137",
    ],
  ],
  google: [
    [
      421,
      "4.7.28",
      "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. For more information, go to 421 4.7.28  https://support.google.com/mail/?p=UnsolicitedRateLimitError - gsmtp",
    ],
  ],
  yahoo: [
    [
      421,
      "4.7.0",
      "421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
    ],
  ],
  microsoft: [
    [
      451,
      "4.7.650",
      "451 4.7.650 The mail server [{ip}] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BA9A5A33E8E6F2]",
    ],
  ],
  other: [[421, "4.7.0", "421 4.7.0 Too many connections from {ip}, try again later"]],
};

const POLICY: Record<Provider, readonly Template[]> = {
  apple: [
    [
      550,
      "5.7.1",
      "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
    ],
    [
      554,
      "5.7.1",
      "554 5.7.1 [CS01] Message rejected due to local policy. See https://support.apple.com/en-us/HT204137",
    ],
    [554, "5.7.1", "554 5.7.1 [HM08] Message rejected due to local policy"],
  ],
  google: [
    [
      550,
      "5.7.1",
      "550-5.7.1 [{ip}] Gmail has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to 550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError - gsmtp",
    ],
  ],
  yahoo: [
    [
      554,
      "",
      "554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit https://postmaster.yahooinc.com/error-codes",
    ],
  ],
  microsoft: [
    [
      550,
      "5.7.1",
      "550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
    ],
  ],
  other: [[554, "5.7.1", "554 5.7.1 Service unavailable; Client host [{ip}] blocked using local policy"]],
};

/** Apple's IP-level codes (the IP is named): HCM1 deferral, HCM2 rejection. */
export const APPLE_IP_DEFERRAL: Template = [421, "", "421 [HCM1] Your mail from {ip} was deferred."];
export const APPLE_IP_REJECTION: Template = [
  550,
  "5.7.1",
  "550 5.7.1 [HCM2] Your mail from {ip} was rejected. https://support.apple.com/en-us/HT204137",
];
export const APPLE_HM08: Template = [554, "5.7.1", "554 5.7.1 [HM08] Message rejected due to local policy"];

const BLOCKLIST: Record<Provider, readonly Template[]> = {
  apple: [
    [550, "5.7.0", "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip={ip}"],
    [
      550,
      "5.7.1",
      "550 5.7.1 Mail from IP {ip} was rejected due to listing in Spamhaus SBL. For details please see http://www.spamhaus.org/query/bl?ip={ip}",
    ],
  ],
  google: [
    [
      550,
      "5.7.1",
      "550-5.7.1 [{ip}] Our system has detected that this message is 550-5.7.1 likely suspicious due to the very low reputation of the sending IP address. For more information, go to 550 5.7.1  https://support.google.com/mail/answer/188131 - gsmtp",
    ],
  ],
  yahoo: [
    [
      553,
      "5.7.1",
      "553 5.7.1 [BL21] Connections will not be accepted from {ip}, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes",
    ],
  ],
  microsoft: [
    [
      550,
      "5.7.1",
      "550 5.7.1 Service unavailable, Client host [{ip}] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/{ip} (AS3130). [BN8NAM11FT012.eop-nam11.prod.protection.outlook.com]",
    ],
  ],
  other: [
    [
      554,
      "5.7.1",
      "554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/{ip}",
    ],
  ],
};

/** A link domain in the message on Spamhaus' domain list (the block cites the DBL, not the IP). */
export const APPLE_DBL: Template = [
  550,
  "5.7.1",
  "550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/",
];

const AUTH: Record<Provider, readonly Template[]> = {
  apple: [
    [
      554,
      "5.7.1",
      "554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks",
    ],
    [
      554,
      "5.7.1",
      "554 5.7.1 Your message was rejected due to {domain}'s DMARC policy. See https://support.apple.com/en-us/HT204137",
    ],
  ],
  google: [
    [
      550,
      "5.7.26",
      "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. 550-5.7.26  550-5.7.26  Authentication results: 550-5.7.26  DKIM = did not pass 550-5.7.26  SPF [{domain}] with ip: [{ip}] = did not pass 550-5.7.26  550-5.7.26  For instructions on setting up authentication, go to 550 5.7.26  https://support.google.com/mail/answer/81126#authentication - gsmtp",
    ],
  ],
  yahoo: [
    [
      550,
      "5.7.9",
      "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
    ],
  ],
  microsoft: [
    [
      550,
      "5.7.515",
      "550 5.7.515 Access denied, sending domain {domain} doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender. To learn more, see https://go.microsoft.com/fwlink/?linkid=2297100",
    ],
  ],
  other: [[550, "5.7.1", "550 5.7.1 Email rejected per DMARC policy for {domain}"]],
};

const TABLES: Record<Exclude<ReplyKind, "ip-policy">, Record<Provider, readonly Template[]>> = {
  accepted: ACCEPTED,
  hard: HARD,
  transient: TRANSIENT,
  rate: RATE,
  policy: POLICY,
  blocklist: BLOCKLIST,
  auth: AUTH,
};

/** A reply of the given kind at the provider (one of its observed wordings). */
export function reply(
  kind: Exclude<ReplyKind, "ip-policy">,
  provider: Provider,
  ctx: ReplyContext,
  rng: Rng,
): Reply {
  return fill(rng.pick(TABLES[kind][provider]), ctx, kind);
}

/** A specific template (Apple's HCM1/HCM2/HM08, the DBL reply). */
export function replyFrom(template: Template, ctx: ReplyContext, kind: ReplyKind): Reply {
  return fill(template, ctx, kind);
}

/** Apple's background local-policy rejection: mostly CS01 (550 and 554 both occur), some HM08. */
export function appleBackground(ctx: ReplyContext, rng: Rng): Reply {
  return fill(
    rng.weighted([
      [POLICY.apple[0], 5],
      [POLICY.apple[1], 3],
      [POLICY.apple[2], 1],
    ] as const),
    ctx,
    "policy",
  );
}

/** The receiving MX host (and an address) per provider, as logs and ESPs name it. */
export const MX: Record<Provider, readonly (readonly [host: string, ip: string])[]> = {
  apple: [
    ["mx01.mail.icloud.com", "17.57.155.25"],
    ["mx02.mail.icloud.com", "17.57.154.7"],
  ],
  google: [
    ["gmail-smtp-in.l.google.com", "142.250.102.27"],
    ["alt1.gmail-smtp-in.l.google.com", "142.250.153.26"],
  ],
  yahoo: [["mta7.am0.yahoodns.net", "67.195.204.72"]],
  microsoft: [["hotmail-com.olc.protection.outlook.com", "52.101.8.40"]],
  other: [["mx.mailbox.org", "80.241.60.212"]],
};

/** Apple wordings a cause names on purpose. */
export const APPLE = {
  cs01: POLICY.apple[0],
  cs01at554: POLICY.apple[1],
  cs02: [550, "5.7.1", "550 5.7.1 [CS02] Message rejected due to local policy"] as Template,
  hm08: APPLE_HM08,
  hcm1: APPLE_IP_DEFERRAL,
  hcm2: APPLE_IP_REJECTION,
  proofpoint: BLOCKLIST.apple[0],
  sbl: BLOCKLIST.apple[1],
  dbl: APPLE_DBL,
  hme1: AUTH.apple[0],
  dmarc: AUTH.apple[1],
  volume: RATE.apple[0],
} as const;

export type { Template };
