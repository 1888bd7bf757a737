import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import { EXIM_NOTICE_HEAD } from "../../testkit/bounce-dsn.ts";

/**
 * The recipient lines of MTA families, written as their decoders in sisimai go lhost/via-*.go read them, in a
 * report with no RFC 3464 part and no copy of the original (nothing else names the recipient), under a
 * subject and sender of no family: the generic text reader must find each recipient by its line alone.
 */
function read(lines: readonly string[]): Array<{ recipient: string; reason: string; diagnostic: string }> {
  const raw = [
    "From: MAILER-DAEMON <mailer-daemon@mx.example.net>",
    "To: shironeko@example.net",
    "Subject: Returned mail",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    ...lines,
  ].join("\n");
  return recordsFromEmail(Buffer.from(raw, "latin1"), "lines.eml").records.map((record) => ({
    recipient: String(record.recipient),
    reason: record.reason,
    diagnostic: String(record.diagnostic),
  }));
}

const SEPARATOR = "=".repeat(76);

/** Each form: the report's lines, and the [recipient, reason] of each record it must yield. */
const FORMS: ReadonlyArray<{ form: string; lines: string[]; records: string[][] }> = [
  {
    form: "'>>> a@b <a@b>' (via-activehunter.go), its error after it",
    lines: [
      "  ----- The following addresses had permanent fatal errors -----",
      "",
      ">>> kijitora@example.org <kijitora@example.org>",
      "",
      "  ----- Transcript of session follows -----",
      "550 sorry, no mailbox here by that name (#5.1.1 - chkusr)",
    ],
    records: [["kijitora@example.org", "userunknown"]],
  },
  {
    form: "'   * a@b' bullets (via-x3.go), one error for all",
    lines: [
      "Delivery to the following recipients failed permanently:",
      "",
      "   * kijitora@example.or.jp",
      "   * neko@example.or.jp",
      "",
      "SMTP: 550 5.1.1 User unknown",
    ],
    records: [
      ["kijitora@example.or.jp", "userunknown"],
      ["neko@example.or.jp", "userunknown"],
    ],
  },
  {
    form: "a later line naming the recipient, after separators and a paragraph break (via-x3.go 'Routing:')",
    lines: [
      SEPARATOR,
      "      This is an automatically generated Delivery Status Notification.",
      "",
      "Delivery to the following recipients was aborted after 5.0 hour(s):",
      "",
      "  * kijitora@example.co.jp",
      "",
      SEPARATOR,
      "                             Technical details:",
      "",
      "Routing: Could not find a gateway for kijitora@example.co.jp",
    ],
    records: [["kijitora@example.co.jp", "expired"]],
  },
  {
    form: "'<error>: a@b' (via-imailserver.go)",
    lines: ["Unknown host: kijitora@example.com", "Original message follows."],
    records: [["kijitora@example.com", "hostunknown"]],
  },
  {
    form: "'… permanent errors: a@b. Reason: …' (via-x6.go), without the sentence's full stop",
    lines: [
      "The following recipients returned permanent errors: neko@example.jp. Reason: SMTP Server <192.0.2.223> rejected the recipient: 550 5.1.1 unknown user",
    ],
    records: [["neko@example.jp", "userunknown"]],
  },
  {
    form: "'SMTP=a@b on <date>' (via-exchange2003.go), the address without its type",
    lines: [
      "did not reach the following recipient(s):",
      "",
      "SMTP=kijitora@example.jp on 4/29/2010 11:34 PM",
      "    The e-mail account does not exist at the organization this message was sent to.",
      "    <mx.example.jp #5.1.1 SMTP; 550 5.1.1 User unknown>",
    ],
    records: [["kijitora@example.jp", "userunknown"]],
  },
  {
    form: "a sender's label, a header field or a contact (not recipient lines)",
    lines: [
      "Could not be delivered because of",
      "",
      "550 5.1.1 User unknown",
      "",
      "The following recipients were affected:",
      "    neko@example.com",
      "",
      "Original Sender:    <someone@example.net>",
      "Please contact your system administrator: admin@example.com",
      "MAIL FROM: <someone@example.net>",
      "To: other@example.org",
    ],
    records: [["neko@example.com", "userunknown"]],
  },
  {
    form: "Postfix's folded reply quoting another address ('    <alias@b>: …') continues its recipient",
    lines: [
      "<kijitora@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1",
      "    <neko@example.org>: Recipient address rejected: User unknown in virtual mailbox",
      "    table (in reply to RCPT TO command)",
    ],
    records: [["kijitora@example.jp", "userunknown"]],
  },
  {
    form: "Exim's reply under its recipient ('    550 <alias@b>: User unknown') is that recipient's",
    lines: [
      "  kijitora@example.jp",
      "    host mx.example.jp [192.0.2.1]",
      "    SMTP error from remote mail server after RCPT TO:<kijitora@example.jp>:",
      "    550 <neko@example.org>: User unknown",
      "  sabineko@example.jp",
      "    host mx.example.jp [192.0.2.1]",
      "    SMTP error from remote mail server after RCPT TO:<sabineko@example.jp>:",
      "    552 <mikeneko@example.org>... Mailbox full",
    ],
    records: [
      ["kijitora@example.jp", "userunknown"],
      ["sabineko@example.jp", "mailboxfull"],
    ],
  },
  {
    form: "a sendmail server's reply quoted under its recipient (Gmail's layout) names no recipient",
    lines: [
      "Delivery to the following recipient failed permanently:",
      "",
      "     kijitora@example.jp",
      "",
      "Technical details of permanent failure:",
      "The error that the other server returned was:",
      "552 <neko@example.org>... Mailbox full",
    ],
    records: [["kijitora@example.jp", "mailboxfull"]],
  },
  {
    form: "Sendmail's own status lines ('554 <a@b>... 550 Host unknown') each name a recipient (via-v5sendmail.go)",
    lines: [
      "   ----- Transcript of session follows -----",
      "554 <kijitora@example.jp>... 550 Host unknown (Authoritative answer from name server)",
      "554 <neko@example.org>... 550 Host unknown (Authoritative answer from name server)",
    ],
    records: [
      ["kijitora@example.jp", "hostunknown"],
      ["neko@example.org", "hostunknown"],
    ],
  },
  {
    form: "a list of '550 <a@b>: text' lines names a recipient each, with its own reply (review s20 R1)",
    lines: [
      "Your message could not be delivered.",
      "",
      "550 <kijitora@example.org>: Recipient address rejected: User unknown",
      "552 <neko@example.org>: Mailbox full, quota exceeded",
    ],
    records: [
      ["kijitora@example.org", "filtered"],
      ["neko@example.org", "mailboxfull"],
    ],
  },
  {
    form: "a bare address indented deeper than the one before is a recipient of its own (review s20 R2)",
    lines: [
      "Delivery to the following recipients failed.",
      "kijitora@example.org",
      "  neko@example.org",
      "    550 5.1.1 User unknown",
    ],
    records: [
      ["kijitora@example.org", "userunknown"],
      ["neko@example.org", "userunknown"],
    ],
  },
  {
    form: "a reply folded before the address it ends with keeps that address in its error (review s20 R4)",
    lines: [
      "  kijitora@example.jp",
      "    SMTP error from remote mail server after RCPT TO:<kijitora@example.jp>:",
      "    host mx.example.jp [192.0.2.17]: 550 5.1.1 unknown or illegal alias:",
      "    neko@example.jp",
    ],
    records: [["kijitora@example.jp", "userunknown"]],
  },
  {
    form: "a quoted header's Message-ID folded onto its own line names no recipient (amavisd-new's notice)",
    lines: [
      "The message WAS NOT relayed to:",
      "  <neko@example.co.jp>: [127.0.0.1] said:",
      "   550 5.1.1 <neko@example.co.jp>: Recipient address rejected: User unknown",
      "",
      "This nondelivery report was generated by the program amavisd-new.",
      "",
      "Return-Path: <kijitora@example.net>",
      "Message-ID:",
      "  <Qdmail.0.0.0e_8ed60e1eb3e559f02254e3437c3110b1@example.net>",
      "Subject: Nyaan",
    ],
    records: [["neko@example.co.jp", "userunknown"]],
  },
  {
    form: "a quoted display name before '<a@b>' (sisimai lib/Sisimai/RFC3464.pm re_addr)",
    lines: [
      "Your message could not be delivered to the following recipient:",
      "",
      '"Kijitora Cat" <kijitora@example.org>',
      "550 5.1.1 mailbox unavailable",
    ],
    records: [["kijitora@example.org", "userunknown"]],
  },
  {
    form: "Postfix's alias line '<r@b> (expanded from <a@b>): …' (via-postfix.go), its error after it",
    lines: [
      "I'm sorry to have to inform you that your message could not",
      "be delivered to one or more recipients. It's attached below.",
      "",
      "                   The mail system",
      "",
      "<r@example.ne.jp> (expanded from <kijitora@example.org>): user",
      '    unknown. Command output: procmail: Couldn\'t create "/var/spool/mail/neko"',
    ],
    records: [["r@example.ne.jp", "mailererror"]],
  },
  {
    form: "Postfix's alias line wrapped after '(expanded from', the alias and the error below (lhost-postfix-49)",
    lines: [
      "I'm sorry to have to inform you that the message returned",
      "below could not be delivered to one or more destinations.",
      "",
      "<kijitora-neko-nyaan@ntt.example.ne.jp> (expanded from",
      "    <toraneko@neko.example.co.jp>): delivery temporarily",
      "    suspended: connect to mfsmax.example.com[192.0.2.232]: server refused",
      "    to talk to me: 421 Service not available, closing transmission channel",
    ],
    records: [["kijitora-neko-nyaan@ntt.example.ne.jp", "blocked"]],
  },
  // Forms of real notices outside Sisimai's corpus: flufl.bounce's test data (https://gitlab.com/warsaw/flufl.bounce),
  // written here with example addresses, each named by its file there.
  {
    form: "Exchange's X.400 address with its SMTP attribute ('c=US;…;dda:SMTP=a@b; on <date>', microsoft_01.txt), not the quoted To:",
    lines: [
      "Your message",
      "",
      "  To:      list@example.org",
      "  Subject: Nyaan",
      "  Sent:    Fri, 4 Oct 2002 17:10:56 -0400",
      "",
      "did not reach the following recipient(s):",
      "",
      "c=US;a= ;p=Example;o=Site;dda:SMTP=kijitora@example.com; on Fri, 4 Oct 2002",
      "17:12:28 -0400",
      "    The recipient name is not recognized",
      "\tThe MTS-ID of the original message is: c=us;a=",
      ";p=example;l=EXCH-0210042112TX06SNVK",
      "    MSEXCH:IMS:EXAMPLE:SITE:EXCH-01 0 (000C05A6) Unknown Recipient",
    ],
    // Exchange 2003's own code for an unknown recipient, read by its "MSEXCH:" line though no header names Exchange.
    records: [["kijitora@example.com", "userunknown"]],
  },
  {
    form: "MailEnable's 'Recipient: [SMTP:a@b]' (simple_41.txt)",
    lines: [
      "MailEnable: Message could not be delivered to some recipients.",
      "The following recipient(s) could not be reached:",
      "",
      "\tRecipient: [SMTP:kijitora@example.com]",
      "\tReason: Remote SMTP Server Returned: 550 Requested action not taken: mailbox unavailable or not local.",
    ],
    records: [["kijitora@example.com", "filtered"]],
  },
  {
    form: "Smail's 'a@b ... error' under 'Failed addresses follow:' (simple_04.txt)",
    lines: [
      "|------------------------- Message log follows: -------------------------|",
      " no valid recipients were found for this message",
      "|------------------------- Failed addresses follow: ---------------------|",
      " kijitora@example.com ... unknown host",
      "|------------------------- Message text follows: ------------------------|",
    ],
    records: [["kijitora@example.com", "hostunknown"]],
  },
  {
    form: "MDaemon's 'a@b - error' (simple_27.txt)",
    lines: ["kijitora@example.net - no such user here.", "There is no user by that name at this server."],
    records: [["kijitora@example.net", "filtered"]],
  },
  {
    form: "an error with an apostrophe before the address ('User's mailbox is full: <a@b>', simple_07.txt)",
    lines: ["User's mailbox is full: <kijitora@example.net>", "Unable to deliver mail."],
    records: [["kijitora@example.net", "mailboxfull"]],
  },
  {
    form: "an address quoted in a sentence ('addressed to 'a@b',', bounce_03.txt)",
    lines: [
      "This message was created automatically by mail delivery",
      "software. A message that you sent could not be delivered",
      "to all of its recipients.",
      "",
      "The following message, addressed to 'kijitora@example.uk',",
      "failed because it has not been collected after 30 days",
    ],
    records: [["kijitora@example.uk", "expired"]],
  },
  {
    form: "'Local mailbox a@b is unavailable' in a sentence (simple_39.txt, Mail.ru)",
    lines: [
      "A message that you sent was rejected by the local scanning code that",
      "checks incoming messages on this system. The following error was given:",
      "",
      "  Message was not accepted -- invalid mailbox.",
      " Local mailbox kijitora@example.ru is unavailable: user not found",
    ],
    records: [["kijitora@example.ru", "filtered"]],
  },
  {
    form: "a '-- a@b' bullet, not the sender the sentence before names (simple_44.txt)",
    lines: [
      "This is a delivery failure notification message indicating that",
      "an email sender@example.net addressed to email address :",
      "-- kijitora@example.com",
      "With subject Nyaan sent on the Mon, 14 Dec 2020 11:30:37 +0100 (CET)",
      "could not be delivered. The problem appears to be :",
      "-- Recipient server unavailable or busy",
      "Additional information follows :",
      "-- 4.4.4 Temporary server error. Please try again later ATTR5 [VE1EUR02FT049.eop-EUR02.prod.protection.outlook.com]",
    ],
    records: [["kijitora@example.com", "networkerror"]],
  },
];

/** Review s19 R1 (/tmp/rvt19/kn/exim-tail.eml): Exim's block, then a paragraph of boilerplate. */
const EXIM_TAIL = [
  ...EXIM_NOTICE_HEAD,
  "  kijitora@example.jp",
  "    SMTP error from remote mail server after RCPT TO:<kijitora@example.jp>:",
  "    host mx.example.jp [192.0.2.222]: 550 5.1.1 <kijitora@example.jp>... User unknown",
  "",
  "If your message was rejected as spam or blocked by a blacklist, or the",
  "mailbox is full, please contact the postmaster of the receiving site.",
  "Messages containing a virus are always refused.",
];

/** Review s19 R2 (/tmp/rvt19/kn/words.eml, words3.eml): contact addresses after the recipient. */
const CONTACTS = [
  "Your message could not be delivered.",
  "",
  "   kijitora@example.org",
  "   550 5.1.1 User unknown",
  "",
  "Please contact your administrator at: admin@example.net",
  "For help email our support desk at: help@example.net",
  "Questions about this notice go to: abuse@example.net",
  "Report delivery problems to: postmaster@example.net",
  "If you do not know why this happened, write to: help@example.net",
  "Your mail host administrator is: admin@example.net",
];

describe("recipient lines of the families' own forms", () => {
  it("a block that names its recipient on every line still ends at the boilerplate after it (review R1)", () => {
    const [record, ...more] = read(EXIM_TAIL);
    assert.equal(more.length, 0);
    assert.equal(record.reason, "userunknown");
    assert.doesNotMatch(record.diagnostic, /rejected as spam|mailbox is full/);
  });

  it("contact addresses after the recipient are not recipients (review R2)", () => {
    assert.deepEqual(
      read(CONTACTS).map((record) => [record.recipient, record.reason]),
      [["kijitora@example.org", "userunknown"]],
    );
  });

  it("'<error>: a@b' lines one after another name every recipient (IMail)", () => {
    assert.deepEqual(
      read(["Unknown user: kijitora@example.com", "Unknown user: neko@example.com"]).map(
        (record) => record.recipient,
      ),
      ["kijitora@example.com", "neko@example.com"],
    );
  });

  for (const { form, lines, records } of FORMS) {
    it(form, () => {
      assert.deepEqual(
        read(lines).map((record) => [record.recipient, record.reason]),
        records,
      );
    });
  }

  it("an error written before the address ('Unknown host: a@b') is the record's diagnostic", () => {
    assert.deepEqual(
      read(["Unknown host: kijitora@example.com"]).map((record) => record.diagnostic),
      ["Unknown host: kijitora@example.com"],
    );
  });
});

/**
 * Addresses that are not failed recipients (review R57), in the shapes of flufl.bounce's real notices
 * (https://gitlab.com/warsaw/flufl.bounce test data: bounce_01.txt, dumbass_01.txt, simple_43.txt), example addresses.
 */
describe("addresses a notice names that are not failed recipients", () => {
  const LIST_POST = [
    "Received: from lists.example.org (lists.example.org [192.0.2.7])",
    "\tby mx.example.net (Postfix) with ESMTP id 6EFD1A9DA7",
    "\tfor <list@lists.example.org>; Mon, 30 Dec 2019 19:18:16 +0100 (CET)",
    "From: Jane <jane@example.com>",
    "To: list@lists.example.org",
    "Subject: [list] Hello",
    "Message-ID: <ea184277@example.com>",
    "List-Id: Example list <list.lists.example.org>",
    "",
    "Hello.",
  ];
  const notice = (text: string[], original: string[]): Buffer =>
    Buffer.from(
      [
        "From: MAILER-DAEMON <mailer-daemon@mx.example.net>",
        "To: list-bounces@lists.example.org",
        "Subject: Mail delivery failed: returning message to sender",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="B"',
        "",
        "--B",
        "Content-Type: text/plain",
        "",
        ...text,
        "",
        "--B",
        "Content-Type: message/rfc822",
        "",
        ...original,
        "--B--",
        "",
      ].join("\n"),
    );
  const recipients = (raw: Buffer) =>
    recordsFromEmail(raw, "notice.eml").records.map((record) => String(record.recipient));

  it("a mailing list's post (List-Id) names the list in its To:, not the member that failed", () => {
    const text = [
      "A message that you sent could not be delivered to one or more of its recipients.",
      "",
      "One or more of the recipients are not a valid user of the system.",
    ];
    assert.deepEqual(recipients(notice(text, LIST_POST)), []);
    // Not a list's post: its To: is whom it was sent to, read when nothing else names a recipient.
    const direct = LIST_POST.filter((line) => !line.startsWith("List-Id:")).map((line) =>
      line.replace("To: list@lists.example.org", "To: kijitora@example.net"),
    );
    assert.deepEqual(recipients(notice(text, direct)), ["kijitora@example.net"]);
  });

  it("a copy of the original's header pasted into the text names no recipient (its for, Delivered-To, Cc, ids)", () => {
    const text = [
      "Your mail cannot be delivered to the following address(es):",
      "",
      ' dylan "(0), ErrMsg=mail box space not enough, account=dylan "',
      "",
      "---- Header of the source mail attached ----",
      "",
      "Received: from mx.example.net([192.0.2.253]) by mail.example.cn(JetMail 2.5.3.0)",
      "\twith SMTP id jmb3a800bb6; Tue,  6 Feb 2001 06:41:26 -0000",
      "\tfor <member@example.net>; Tue,  6 Feb 2001 06:31:27 +0800 (CST)",
      "Delivered-To: mm+list@lists.example.org",
      "Cc: <list@lists.example.org>",
      "In-Reply-To: <3A7F26CB.BE85C96F@example.com.au>",
    ];
    assert.deepEqual(recipients(notice(text, ["Subject: x", "", "x"])), []);
  });

  it("the notice's words before the recipient lines give their reason when the lines give none", () => {
    // netscape_01.txt's form: the cause, then each recipient under a line of its own.
    const records = read([
      "This Message was undeliverable due to the following reason:",
      "",
      "Your message was not delivered within 2 days.",
      "Host example.com is not responding.",
      "",
      "The following recipients did not receive your message:",
      "",
      "     <kijitora@example.com>",
      "The following recipients did not receive your message:",
      "",
      "     <neko@example.com>",
      "",
      "Please reply to Postmaster@example.com",
      "if you feel this message to be in error.",
    ]);
    assert.deepEqual(
      records.map((record) => [record.recipient, record.reason]),
      [
        ["kijitora@example.com", "expired"],
        ["neko@example.com", "expired"],
      ],
    );
  });
});
