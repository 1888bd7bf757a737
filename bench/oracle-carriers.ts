/**
 * The bounce each common MTA or mailbox provider writes for a reply its relay got at RCPT TO (and, where the
 * dialect shows the command, after the message's DATA), written from the
 * product's documented format (its source, its manual, or — for providers that publish neither — the layout
 * Sisimai's reader of that dialect states, lib/Sisimai/Lhost/*.pm / go lhost/via-*.go). bench/sisimai-oracle.ts
 * places every go-file reply in each of them, so the email readers of every dialect are checked against
 * Sisimai, not only the reply tables. Only the envelope (names, hosts, dates) is made up.
 */
import type { Fact } from "./go-facts-source.ts";

export const RECIPIENT = "kijitora@example.jp";

export const HEADERS_OF_ORIGINAL = [
  "From: sender@example.net",
  `To: ${RECIPIENT}`,
  "Subject: Hello",
  "Message-ID: <0123456789@example.net>",
];

/** The returned message at the end of a plain-text bounce: its headers and body. */
const RETURNED_MESSAGE = [...HEADERS_OF_ORIGINAL, "", "Hello.", ""];

/** A carrier: the whole email for a fact, its reply as the remote server wrote it, and the reply's status. */
export type Carrier = (fact: Fact, reply: string, status: string, phase: Phase) => string | null;
/** The command the reply answered; a carrier whose dialect never shows it writes only RCPT (null for DATA). */
export type Phase = "RCPT" | "DATA";

const remoteOf = (fact: Fact): string => fact.remoteMta ?? "mx.example.jp";
const codeOf = (reply: string): string => reply.slice(0, 3);
/** The reply's text after its code and enhanced status ("550 5.1.1 User unknown" → "User unknown"). */
const textOf = (reply: string): string => reply.slice(4).replace(/^[245]\.\d{1,3}\.\d{1,3}\s*/, "");

/**
 * A report's machine-readable parts after its human text (RFC 3464 §2, RFC 6522): the delivery-status part
 * (per-message fields, the recipient's fields in the MTA's own spelling) and the returned headers, closing
 * the multipart of `boundary`.
 */
export function reportParts(
  boundary: string,
  fact: Fact,
  reply: string,
  status: string,
  {
    perMessage,
    rfc822 = "rfc822",
    dns = "dns",
    smtp = "smtp",
    extra = [],
    returned = "text/rfc822-headers",
  }: {
    perMessage: string[];
    rfc822?: string;
    dns?: string;
    smtp?: string;
    extra?: string[];
    returned?: string;
  },
): string[] {
  return [
    `--${boundary}`,
    "Content-Type: message/delivery-status",
    "",
    ...perMessage,
    "",
    `Final-Recipient: ${rfc822}; ${RECIPIENT}`,
    `Action: ${status.startsWith("4") ? "delayed" : "failed"}`,
    `Status: ${status}`,
    `Remote-MTA: ${dns}; ${remoteOf(fact)}`,
    `Diagnostic-Code: ${smtp}; ${reply}`,
    ...extra,
    "",
    `--${boundary}`,
    `Content-Type: ${returned}`,
    "",
    ...HEADERS_OF_ORIGINAL,
    "",
    `--${boundary}--`,
    "",
  ];
}

/** Postfix bounce(8) with its default templates (https://www.postfix.org/bounce.5.html). */
function postfix(
  fact: Fact,
  reply: string,
  status: string,
  phase: Phase,
  extraHeaders: string[] = [],
): string {
  return [
    "From: MAILER-DAEMON@mail.example.net (Mail Delivery System)",
    "Subject: Undelivered Mail Returned to Sender",
    "To: sender@example.net",
    "Auto-Submitted: auto-replied",
    ...extraHeaders,
    "Date: Thu,  3 Dec 2026 08:00:01 +0000 (UTC)",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="A1B2C3D4E5.1764748801/mail.example.net"',
    "Message-Id: <20261203080001.A1B2C3D4E5@mail.example.net>",
    "",
    "This is a MIME-encapsulated message.",
    "",
    "--A1B2C3D4E5.1764748801/mail.example.net",
    "Content-Description: Notification",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This is the mail system at host mail.example.net.",
    "",
    "I'm sorry to have to inform you that your message could not",
    "be delivered to one or more recipients. It's attached below.",
    "",
    "                   The mail system",
    "",
    `<${RECIPIENT}>: host ${remoteOf(fact)}[192.0.2.1] said: ${reply} (in reply to ${phase === "DATA" ? "end of DATA" : "RCPT TO"} command)`,
    "",
    ...reportParts("A1B2C3D4E5.1764748801/mail.example.net", fact, reply, status, {
      perMessage: [
        "Reporting-MTA: dns; mail.example.net",
        "X-Postfix-Queue-ID: A1B2C3D4E5",
        "X-Postfix-Sender: rfc822; sender@example.net",
        "Arrival-Date: Thu,  3 Dec 2026 08:00:00 +0000 (UTC)",
      ],
    }),
  ].join("\n");
}

/** Exim's bounce (https://www.exim.org/exim-html-current/doc/html/spec_html/ch-customizing_bounce_and_warning_messages.html). */
function exim(fact: Fact, reply: string, phase: Phase, from: string, messageId: string): string {
  return [
    `From: ${from}`,
    "To: sender@example.net",
    "Subject: Mail delivery failed: returning message to sender",
    "Auto-Submitted: auto-replied",
    `X-Failed-Recipients: ${RECIPIENT}`,
    `Message-Id: ${messageId}`,
    "Date: Thu, 03 Dec 2026 08:00:01 +0000",
    "",
    "This message was created automatically by mail delivery software.",
    "",
    "A message that you sent could not be delivered to one or more of its",
    "recipients. This is a permanent error. The following address(es) failed:",
    "",
    `  ${RECIPIENT}`,
    `    host ${remoteOf(fact)} [192.0.2.1]`,
    `    SMTP error from remote mail server after ${phase === "DATA" ? "end of data" : `RCPT TO:<${RECIPIENT}>`}:`,
    `    ${reply}`,
    "",
    "------ This is a copy of the message, including all the headers. ------",
    "",
    "Return-path: <sender@example.net>",
    ...RETURNED_MESSAGE,
  ].join("\n");
}

/** Exchange 2007–2016's NDR text (its "Diagnostic information for administrators"), then its report parts. */
function exchange(
  fact: Fact,
  reply: string,
  status: string,
  { headers, server, returned }: { headers: string[]; server: string; returned: string },
): string {
  return [
    `From: Microsoft Outlook <postmaster@${server}>`,
    "To: <sender@example.net>",
    ...headers,
    "Subject: Undeliverable: Hello",
    "Content-Language: en-US",
    "Date: Thu, 3 Dec 2026 08:00:01 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1_exchange"',
    "",
    "--b1_exchange",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "Delivery has failed to these recipients or groups:",
    "",
    RECIPIENT,
    "A problem occurred while delivering your message to this email address. Try sending your message again.",
    "",
    "Diagnostic information for administrators:",
    "",
    `Generating server: ${server}`,
    "",
    RECIPIENT,
    returned,
    "",
    "Original message headers:",
    "",
    ...HEADERS_OF_ORIGINAL,
    "",
    ...reportParts("b1_exchange", fact, reply, status, {
      perMessage: [`Reporting-MTA: dns;${server}`, "Received-From-MTA: dns;client.example.net"],
    }),
  ].join("\n");
}

/** The go file's reply in each dialect; the first three are the s15 set. */
export const CARRIERS: Record<string, Carrier> = {
  postfix: (fact, reply, status, phase) => postfix(fact, reply, status, phase),
  /** Sendmail (sendmail/savemail.c: "----- The following addresses had permanent fatal errors -----", the transcript). */
  sendmail: (fact, reply, status, phase) =>
    [
      "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>",
      "To: <sender@example.net>",
      "Subject: Returned mail: see transcript for details",
      "Auto-Submitted: auto-generated (failure)",
      "Date: Thu, 3 Dec 2026 08:00:01 +0000",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="5B38001.1764748801/mail.example.net"',
      "",
      "This is a MIME-encapsulated message",
      "",
      "--5B38001.1764748801/mail.example.net",
      "",
      "The original message was received at Thu, 3 Dec 2026 08:00:00 +0000",
      "from localhost [127.0.0.1]",
      "",
      "   ----- The following addresses had permanent fatal errors -----",
      `<${RECIPIENT}>`,
      `    (reason: ${reply})`,
      "",
      "   ----- Transcript of session follows -----",
      `... while talking to ${remoteOf(fact)}.:`,
      ...(phase === "DATA"
        ? [">>> DATA", '<<< 354 Enter mail, end with "." on a line by itself', ">>> ."]
        : [`>>> RCPT To:<${RECIPIENT}>`]),
      `<<< ${reply}`,
      `${codeOf(reply)} ${status} <${RECIPIENT}>... ${textOf(reply)}`,
      "",
      ...reportParts("5B38001.1764748801/mail.example.net", fact, reply, status, {
        perMessage: [
          "Reporting-MTA: dns; mail.example.net",
          "Received-From-MTA: DNS; localhost",
          "Arrival-Date: Thu, 3 Dec 2026 08:00:00 +0000",
        ],
        rfc822: "RFC822",
        dns: "DNS",
        smtp: "SMTP",
        extra: ["Last-Attempt-Date: Thu, 3 Dec 2026 08:00:01 +0000"],
      }),
    ].join("\n"),
  exim: (fact, reply, _status, phase) =>
    exim(
      fact,
      reply,
      phase,
      "Mail Delivery System <Mailer-Daemon@mail.example.net>",
      "<E1tAbCd-000Abc-12@mail.example.net>",
    ),
  /**
   * qmail-send's bounce, QSBMF (https://cr.yp.to/proto/qsbmf.txt): "<address>:" paragraphs; qmail-remote's
   * text for a refused recipient (qmail-remote.c: "… does not like recipient.", "Remote host said: ").
   */
  qmail: (_fact, reply, _status, phase) =>
    [
      "From: MAILER-DAEMON@mail.example.net",
      "To: sender@example.net",
      "Subject: failure notice",
      "Date: 3 Dec 2026 08:00:01 -0000",
      "",
      "Hi. This is the qmail-send program at mail.example.net.",
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      "This is a permanent error; I've given up. Sorry it didn't work out.",
      "",
      `<${RECIPIENT}>:`,
      // qmail-remote.c: quit("D"," failed after I sent the message") has no "Giving up" line after it.
      ...(phase === "DATA"
        ? ["192.0.2.1 failed after I sent the message.", `Remote host said: ${reply}`]
        : ["192.0.2.1 does not like recipient.", `Remote host said: ${reply}`, "Giving up on 192.0.2.1."]),
      "",
      "--- Below this line is a copy of the message.",
      "",
      "Return-Path: <sender@example.net>",
      ...RETURNED_MESSAGE,
    ].join("\n"),
  /** Courier's DSN (https://www.courier-mta.org/courierdsn.html; courier/module.dsn/dsnfailed.txt). */
  courier: (fact, reply, status, phase) =>
    phase === "DATA"
      ? null
      : [
          "From: Courier mail server at mail.example.net <@>",
          "To: sender@example.net",
          "Subject: NOTICE: mail delivery status.",
          "Message-ID: <courier.6940A1B2.0000C65A@mail.example.net>",
          "Date: Thu, 03 Dec 2026 08:00:01 +0000",
          "MIME-Version: 1.0",
          'Content-Type: multipart/report; report-type=delivery-status; boundary="=_courier_0"',
          "",
          "This is a MIME-formatted message.  If you see this text it means that your",
          "E-mail software does not support MIME-formatted messages.",
          "",
          "--=_courier_0",
          "Content-Type: text/plain; charset=us-ascii",
          "",
          "This is a delivery status notification from mail.example.net,",
          "running the Courier mail server, version 1.1.5.",
          "",
          "The original message was received on Thu, 03 Dec 2026 08:00:00 +0000",
          "from localhost [127.0.0.1]",
          "",
          "---------------------------------------------------------------------------",
          "",
          "                           UNDELIVERABLE MAIL",
          "",
          "Your message to the following recipients cannot be delivered:",
          "",
          `<${RECIPIENT}>:`,
          `    ${remoteOf(fact)} [192.0.2.1]:`,
          `>>> RCPT TO:<${RECIPIENT}>`,
          `<<< ${reply}`,
          "",
          "---------------------------------------------------------------------------",
          "",
          ...reportParts("=_courier_0", fact, reply, status, {
            perMessage: [
              "Reporting-MTA: dns; mail.example.net",
              "Arrival-Date: Thu, 03 Dec 2026 08:00:00 +0000",
            ],
          }),
        ].join("\n"),
  /**
   * Exchange Server 2010–2016 on-premises: the remote host, then its reply with Exchange's enhanced status
   * between "#" and "##" (https://learn.microsoft.com/exchange/mail-flow/non-delivery-reports-and-bounce-messages/non-delivery-reports-and-bounce-messages).
   */
  exchange: (fact, reply, status, phase) =>
    phase === "DATA"
      ? null
      : exchange(fact, reply, status, {
          headers: ["Message-ID: <0d1f2e3a-4b5c-6d7e-8f90-a1b2c3d4e5f6@mail.example.net>"],
          server: "mail.example.net",
          returned: `${remoteOf(fact)} #${codeOf(reply)} ${status} ${textOf(reply)} ##`,
        }),
  /** Office 365 / Exchange Online: "Remote Server returned '…'" and its X-MS-Exchange headers. */
  office365: (fact, reply, status, phase) =>
    phase === "DATA"
      ? null
      : exchange(fact, reply, status, {
          headers: [
            "Message-ID: <0d1f2e3a-4b5c-6d7e-8f90-a1b2c3d4e5f6@AM0PR01MB1234.eurprd01.prod.outlook.com>",
            "X-MS-Exchange-Message-Is-Ndr:",
            "X-MS-Exchange-CrossTenant-OriginalArrivalTime: 03 Dec 2026 08:00:01.0000 (UTC)",
          ],
          server: "AM0PR01MB1234.eurprd01.prod.outlook.com",
          returned: `Remote Server returned '${reply}'`,
        }),
  /** OpenSMTPD's bounce (smtpd/bounce.c: NOTICE_INTRO, "<address>: <error>" lines). */
  opensmtpd: (_fact, reply, _status, phase) =>
    phase === "DATA"
      ? null
      : [
          "From: Mailer Daemon <MAILER-DAEMON@mail.example.net>",
          "To: sender@example.net",
          "Subject: Delivery status notification: error",
          "Message-Id: <74f4e3b598dc90ab@mail.example.net>",
          "Date: Thu, 3 Dec 2026 08:00:01 +0000 (UTC)",
          "Received: from localhost (localhost [127.0.0.1]) by mail.example.net (OpenSMTPD) with ESMTP id d70f9624; Thu, 3 Dec 2026 08:00:00 +0000 (UTC)",
          "",
          "    Hi!",
          "",
          "    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.",
          "",
          "    An error has occurred while attempting to deliver a message for",
          "    the following list of recipients:",
          "",
          `${RECIPIENT}: ${reply}`,
          "",
          "    Below is a copy of the original message:",
          "",
          ...RETURNED_MESSAGE,
        ].join("\n"),
  /** Gmail's text notice, as Sisimai's reader states it (lib/Sisimai/Lhost/Gmail.pm, go lhost/via-gmail.go). */
  gmail: (fact, reply, _status, phase) =>
    phase === "DATA"
      ? null
      : [
          "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
          "To: sender@gmail.com",
          `X-Failed-Recipients: ${RECIPIENT}`,
          "Subject: Delivery Status Notification (Failure)",
          "Message-ID: <047d7bdca0c250c6c004fe72bd32@google.com>",
          "Date: Thu, 03 Dec 2026 08:00:01 +0000",
          "Content-Type: text/plain; charset=ISO-8859-1",
          "",
          "Delivery to the following recipient failed permanently:",
          "",
          `     ${RECIPIENT}`,
          "",
          "Technical details of permanent failure: ",
          `Google tried to deliver your message, but it was rejected by the server for the recipient domain example.jp by ${remoteOf(fact)}. [192.0.2.1].`,
          "",
          "The error that the other server returned was:",
          reply,
          "",
          "----- Original message -----",
          "",
          ...RETURNED_MESSAGE,
        ].join("\n"),
  /** HCL Domino's failure report (go lhost/via-domino.go: "Your message … was not delivered to: … because:"). */
  domino: (fact, reply, status, phase) =>
    phase === "DATA"
      ? null
      : [
          "From: Postmaster@mail.example.net",
          "To: sender@example.net",
          "Subject: DELIVERY FAILURE: Recipient's Domino Directory entry does not specify a valid Notes mail file",
          "Date: Thu, 3 Dec 2026 08:00:01 +0000",
          "MIME-Version: 1.0",
          'Content-Type: multipart/report; report-type=delivery-status; boundary="==IFJRGLKFGIR25723HFK"',
          "",
          "--==IFJRGLKFGIR25723HFK",
          "Content-Type: text/plain; charset=us-ascii",
          "",
          "Your message",
          "",
          "  Subject: Hello",
          "",
          "was not delivered to:",
          "",
          `  ${RECIPIENT}`,
          "",
          "because:",
          "",
          `  ${reply}`,
          "",
          ...reportParts("==IFJRGLKFGIR25723HFK", fact, reply, status, {
            perMessage: ["Reporting-MTA: dns;mail.example.net"],
          }),
        ].join("\n"),
  /** GMX / web.de (1&1): go lhost/via-gmx.go, "SMTP error from remote server after RCPT command:". */
  gmx: (fact, reply, _status, phase) =>
    phase === "DATA"
      ? null
      : [
          "From: MAILER-DAEMON@mail.gmx.com",
          "To: sender@gmx.net",
          "Subject: Mail delivery failed: returning message to sender",
          "Date: Thu, 3 Dec 2026 08:00:01 +0100",
          "MIME-Version: 1.0",
          "Content-Type: text/plain; charset=utf-8",
          "Envelope-To: <sender@gmx.net>",
          "X-GMX-Antispam: 0 (Mail was not recognized as spam); Detail=V3;",
          "",
          "This message was created automatically by mail delivery software.",
          "",
          "A message that you sent could not be delivered to one or more of",
          "its recipients. This is a permanent error. The following address",
          "failed:",
          "",
          `"${RECIPIENT}":`,
          "SMTP error from remote server after RCPT command:",
          `host: ${remoteOf(fact)}`,
          reply,
          "",
          "",
          "--- The header of the original message is following. ---",
          "",
          ...HEADERS_OF_ORIGINAL,
          "",
        ].join("\n"),
  /** Yahoo's notice (go lhost/via-yahoo.go: "Sorry, we were unable to deliver your message …", X-YMailISG). */
  yahoo: (_fact, reply, _status, phase) =>
    phase === "DATA"
      ? null
      : [
          "X-YMailISG: YtyUVyYWLDsbDhj3mu2nOlrk1HJCJucCscqR7TMgMtv3ChB8",
          "From: MAILER-DAEMON@yahoo.com",
          "To: sender@yahoo.com",
          "Date: Thu, 3 Dec 2026 08:00:01 -0000",
          "Subject: Failure Notice",
          "",
          "Sorry, we were unable to deliver your message to the following address.",
          "",
          `<${RECIPIENT}>:`,
          `Remote host said: ${reply} [RCPT_TO]`,
          "",
          "--- Below this line is a copy of the message.",
          "",
          ...RETURNED_MESSAGE,
        ].join("\n"),
  /** Mail.ru runs Exim (lib/Sisimai/Lhost/MailRu.pm): Exim's bounce with mail.ru's sender and Message-Id. */
  mailru: (fact, reply, _status, phase) =>
    exim(
      fact,
      reply,
      phase,
      "Mail Delivery System <mailer-daemon@corp.mail.ru>",
      "<E1tAbCd-000Abc-12.fmx.mail.ru>",
    ),
  /** Outlook.com / Hotmail's DSN (lib/Sisimai/Lhost/Outlook.pm): a short text and the RFC 3464 part. */
  outlook: (fact, reply, status, phase) =>
    phase === "DATA"
      ? null
      : [
          "From: postmaster@outlook.com",
          "To: sender@outlook.com",
          "Date: Thu, 3 Dec 2026 08:00:01 -0800",
          "MIME-Version: 1.0",
          'Content-Type: multipart/report; report-type=delivery-status; boundary="9B095B5ADSN=_01D00052B7B35BD5"',
          "X-Message-Delivery: Vj0xLjE7RD0wO0dEPTA7U0NMPTk7bD0xO3VzPTE=",
          "X-Message-Info: AuEzbeVr9u5fkDpn2vR5iCu5wb6HBeY4",
          "Message-ID: <3XLVmAVnM0000ced9@BLU004-OMC3S6.hotmail.com>",
          "Subject: Delivery Status Notification (Failure)",
          "",
          "This is a MIME-formatted message.  ",
          "Portions of this message may be unreadable without a MIME-capable mail program.",
          "",
          "--9B095B5ADSN=_01D00052B7B35BD5",
          "Content-Type: text/plain; charset=unicode-1-1-utf-7",
          "",
          "This is an automatically generated Delivery Status Notification.",
          "",
          "Delivery to the following recipients failed.",
          "",
          `       ${RECIPIENT}`,
          "",
          ...reportParts("9B095B5ADSN=_01D00052B7B35BD5", fact, reply, status, {
            perMessage: [
              "Reporting-MTA: dns;BLU004-OMC3S6.hotmail.com",
              "Received-From-MTA: dns;BLU436-SMTP66",
              "Arrival-Date: Thu, 3 Dec 2026 08:00:00 -0800",
            ],
          }),
        ].join("\n"),
  /** AOL's relays run Postfix and mark their reports X-AOL-IP (lib/Sisimai/Lhost/Aol.pm). */
  aol: (fact, reply, status, phase) => postfix(fact, reply, status, phase, ["X-AOL-IP: 192.0.2.135"]),
};

/**
 * The delay warnings of the MTAs that send one, for a temporary (4xx) reply at RCPT TO: Postfix's
 * "delayed mail" notice (bounce(8) delay template, https://www.postfix.org/bounce.5.html) and Exim's
 * "Warning: message … delayed" (https://www.exim.org/exim-html-current/doc/html/spec_html/ch-customizing_bounce_and_warning_messages.html).
 */
export const DELAY_CARRIERS: Record<string, (fact: Fact, reply: string, status: string) => string> = {
  postfix: (fact, reply, status) =>
    [
      "From: MAILER-DAEMON@mail.example.net (Mail Delivery System)",
      "Subject: Delayed Mail (still being retried)",
      "To: sender@example.net",
      "Auto-Submitted: auto-replied",
      "Date: Thu,  3 Dec 2026 12:00:01 +0000 (UTC)",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="D1E2F3.1764763201/mail.example.net"',
      "",
      "--D1E2F3.1764763201/mail.example.net",
      "Content-Description: Notification",
      "Content-Type: text/plain; charset=us-ascii",
      "",
      "This is the mail system at host mail.example.net.",
      "",
      "####################################################################",
      "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #",
      "####################################################################",
      "",
      "Your message could not be delivered for more than 4 hour(s).",
      "It will be retried until it is 5 day(s) old.",
      "",
      "                   The mail system",
      "",
      `<${RECIPIENT}>: host ${remoteOf(fact)}[192.0.2.1] said: ${reply} (in reply to RCPT TO command)`,
      "",
      ...reportParts("D1E2F3.1764763201/mail.example.net", fact, reply, status, {
        perMessage: ["Reporting-MTA: dns; mail.example.net", "X-Postfix-Queue-ID: D1E2F3"],
        extra: ["Will-Retry-Until: Tue,  8 Dec 2026 08:00:00 +0000 (UTC)"],
      }),
    ].join("\n"),
  exim: (fact, reply) =>
    [
      "From: Mail Delivery System <Mailer-Daemon@mail.example.net>",
      "To: sender@example.net",
      "Subject: Warning: message 1tAbCd-000Abc-12 delayed 24 hours",
      "Auto-Submitted: auto-replied",
      "Message-Id: <E1tAbXy-000Def-34@mail.example.net>",
      "Date: Fri, 04 Dec 2026 08:00:01 +0000",
      "",
      "This message was created automatically by mail delivery software.",
      "A message that you sent has not yet been delivered to one or more of its",
      "recipients after more than 24 hours on the queue on mail.example.net.",
      "",
      "The message identifier is:     1tAbCd-000Abc-12",
      "The subject of the message is: Hello",
      "",
      "The address to which the message has not yet been delivered is:",
      "",
      `  ${RECIPIENT}`,
      `    host ${remoteOf(fact)} [192.0.2.1]`,
      `    Delay reason: SMTP error from remote mail server after RCPT TO:<${RECIPIENT}>:`,
      `    ${reply}`,
      "",
      "No action is required on your part. Delivery attempts will continue for",
      "some time, and this warning may be repeated at intervals if the message",
      "remains undelivered. Eventually the mail delivery software will give up,",
      "and when that happens, the message will be returned to you.",
      "",
    ].join("\n"),
};
