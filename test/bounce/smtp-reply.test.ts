import assert from "node:assert/strict";
import { test } from "node:test";
import { parseReply } from "../../src/bounce/smtp-reply.ts";
import { cpuMs } from "../../testkit/cpu-time.ts";

const CASES: Array<[string, { text: string; replyCode: number | null; status: string | null }]> = [
  [
    "550 5.7.1 [CS01] Message rejected due to local policy",
    { text: "550 5.7.1 [CS01] Message rejected due to local policy", replyCode: 550, status: "5.7.1" },
  ],
  [
    "550-5.7.1 first line\r\n550-5.7.1 second line\r\n550 5.7.1 last line",
    { text: "550 5.7.1 first line second line last line", replyCode: 550, status: "5.7.1" },
  ],
  [
    "smtp; 550-5.7.26 The MAIL FROM domain has\n    an SPF record with a 550-5.7.26 hard fail policy",
    {
      text: "550 5.7.26 The MAIL FROM domain has an SPF record with a hard fail policy",
      replyCode: 550,
      status: "5.7.26",
    },
  ],
  [
    "421-Too many\r\n421 sessions opened",
    { text: "421 Too many sessions opened", replyCode: 421, status: null },
  ],
  [
    "550-5.7.1 first\r\n550-second without status\r\n550 5.7.1 last",
    { text: "550 5.7.1 first second without status last", replyCode: 550, status: "5.7.1" },
  ],
  [
    "host mx01.mail.icloud.com[17.57.155.25] said: 554 5.7.1 [CS01] Message rejected (in reply to end of DATA command)",
    {
      text: "host mx01.mail.icloud.com[17.57.155.25] said: 554 5.7.1 [CS01] Message rejected (in reply to end of DATA command)",
      replyCode: 554,
      status: "5.7.1",
    },
  ],
  [
    "Recipient address rejected #5.1.1",
    { text: "Recipient address rejected #5.1.1", replyCode: null, status: "5.1.1" },
  ],
  // An IP address or version number is not an enhanced status.
  [
    "connect to 17.57.155.25 failed",
    { text: "connect to 17.57.155.25 failed", replyCode: null, status: null },
  ],
  // A status's subject is one digit of 0–7 (the IANA registry's subjects; sisimai go smtp/status/find.go reads
  // no other): Exim's "4.94.2" or a product's "5.10.2" is a version, not a status.
  [
    "Mail rejected by mx.example.org (Exim 4.94.2): message looks like spam",
    {
      text: "Mail rejected by mx.example.org (Exim 4.94.2): message looks like spam",
      replyCode: null,
      status: null,
    },
  ],
  [
    "550 Requested action not taken: mailbox unavailable (MDaemon 5.10.2)",
    {
      text: "550 Requested action not taken: mailbox unavailable (MDaemon 5.10.2)",
      replyCode: 550,
      status: null,
    },
  ],
  [
    "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
    {
      text: "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
      replyCode: 550,
      status: "5.7.708",
    },
  ],
  ["", { text: "", replyCode: null, status: null }],
  // Exim writes a reply without a status after its own words (corpus lhost-exim-47): the lines still join.
  [
    "host mx.example.net [192.0.2.1] SMTP error from remote mail server after initial connection:\n    550-192.0.2.222 blocked by\n    550 ldap:ou=nekochan Error - Blocked for abuse",
    {
      text: "host mx.example.net [192.0.2.1] SMTP error from remote mail server after initial connection: 550 192.0.2.222 blocked by ldap:ou=nekochan Error - Blocked for abuse",
      replyCode: 550,
      status: null,
    },
  ],
  // A number with a dash that no later line repeats is no reply code.
  ["Please call 555-0100 for help", { text: "Please call 555-0100 for help", replyCode: null, status: null }],
  // Nor one after a word, even when the number comes back (review s21 R5).
  ...[
    "Please call 412-555-0100 or 412 555 0101 for help",
    "Error 450-ABC happened; retry 450 times",
    "Ticket 512-A opened, see 512 B",
  ].map((text): [string, { text: string; replyCode: number | null; status: string | null }] => [
    text,
    { text, replyCode: null, status: null },
  ]),
  // An EHLO answer in a transcript is no refusal: it never becomes the reply code.
  [
    ">>> EHLO x.example.net\n<<< 250-mx.example.jp Hello\n<<< 250 HELP\n>>> RCPT To:<a@example.jp>\n<<< 550 user unknown",
    {
      text: ">>> EHLO x.example.net <<< 250-mx.example.jp Hello <<< 250 HELP >>> RCPT To:<a@example.jp> <<< 550 user unknown",
      replyCode: null,
      status: null,
    },
  ],
  // Sendmail's transcript marks each line of the server's reply with "<<< ".
  [
    ">>> RCPT To:<a@example.jp>\n<<< 550-5.7.1 fails to pass\n<<< 550 5.7.1 authentication checks",
    {
      text: ">>> RCPT To:<a@example.jp> <<< 550 5.7.1 fails to pass authentication checks",
      replyCode: 550,
      status: "5.7.1",
    },
  ],
  // …with no status on its lines too, and Sendmail's own line after it: the server's lines read as one reply,
  // so a phrase split over two of them ("does" / "550-not exist") is whole.
  [
    ">>> RCPT To:<a@example.jp>\n<<< 550-The email account that you tried to reach does\n<<< 550-not exist. Please check\n<<< 550 the address.\n550 5.0.0 <a@example.jp>... Service unavailable",
    {
      text: ">>> RCPT To:<a@example.jp> <<< 550 The email account that you tried to reach does not exist. Please check the address. 550 5.0.0 <a@example.jp>... Service unavailable",
      replyCode: 550,
      status: "5.0.0",
    },
  ],
  [
    ">>> DATA\n<<< 554-mx.example.jp\n<<< 554 Your access to this mail system has been rejected\n554 5.0.0 Service unavailable",
    {
      text: ">>> DATA <<< 554 mx.example.jp Your access to this mail system has been rejected 554 5.0.0 Service unavailable",
      replyCode: 554,
      status: "5.0.0",
    },
  ],
  // The lines carry the bare code (a status only in the text, qmail's "(#5.1.1)", is not the head's).
  [
    "550-user over\n550 quota. (#5.1.1)",
    // …yet it is the reply's status (sisimai go smtp/status/find.go reads it anywhere in the text).
    { text: "550 user over quota. (#5.1.1)", replyCode: 550, status: "5.1.1" },
  ],
  // A vague lead (X.0.0, 4.4.7) gives way to a later status of the reply's class; never to another class's,
  // an IP address's digits or a version number.
  [
    "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>",
    {
      text: "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>",
      replyCode: 554,
      status: "4.4.7",
    },
  ],
  [
    "421 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>",
    {
      text: "421 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>",
      replyCode: 421,
      status: "4.4.2",
    },
  ],
  [
    "550 5.0.0 <kijitora@example.jp>... User unknown (#5.1.1) from 192.5.2.2 agent v5.2.2",
    {
      text: "550 5.0.0 <kijitora@example.jp>... User unknown (#5.1.1) from 192.5.2.2 agent v5.2.2",
      replyCode: 550,
      status: "5.1.1",
    },
  ],
  [
    // OpenSMTPD's report joins a multi-line reply's lines without "550-" or a space, keeping each line's status.
    "550-5.7.708 Access denied, traffic not accepted from5.7.708 this IP. Or DKIM.5.7.708 relay 10.5.7.708",
    {
      text: "550 5.7.708 Access denied, traffic not accepted from this IP. Or DKIM. relay 10.5.7.708",
      replyCode: 550,
      status: "5.7.708",
    },
  ],
  [
    "550 5.0.0 Mailbox unavailable at 192.5.2.2 (agent v5.2.2)",
    { text: "550 5.0.0 Mailbox unavailable at 192.5.2.2 (agent v5.2.2)", replyCode: 550, status: "5.0.0" },
  ],
];

test("parseReply unfolds, joins multi-line replies and extracts code and status", () => {
  for (const [raw, expected] of CASES) {
    const got = parseReply(raw);
    assert.deepEqual({ text: got.text, replyCode: got.replyCode, status: got.status }, expected, raw);
  }
});

test("parseReply reads the remote host from a log line", () => {
  assert.equal(
    parseReply("host MX01.mail.icloud.com[17.57.155.25] said: 550 x").remoteMta,
    "mx01.mail.icloud.com",
  );
  assert.equal(parseReply("550 x").remoteMta, null);
});

test("parseReply stays fast on hostile input", () => {
  const hostile = [
    `550-${"5.7.1 ".repeat(200_000)}`,
    "5".repeat(1_000_000),
    `host ${"a.".repeat(300_000)}`,
    `x ${"550-a 550x ".repeat(100_000)}`,
    `550-5.7.1 ${"x5.7.1 ".repeat(200_000)}`,
  ];
  for (const raw of hostile) {
    const ms = cpuMs(() => parseReply(raw));
    assert.ok(ms < 500, `slow on ${raw.slice(0, 20)}…: ${ms.toFixed(0)} ms of CPU`);
  }
});

test("parseReply makes every kind of whitespace one space, and leaves single spaces alone", () => {
  const words = ["550", "5.1.1", "<a@example.com>:", "user", "unknown"];
  for (const gap of [" ", "  ", "\t", "\r\n ", "\u00a0", "\u0085", "\u2028", "\u2029", " \u3000", "\f"]) {
    const parsed = parseReply(`smtp;${words.join(gap)}`);
    assert.equal(parsed.text, words.join(" "), JSON.stringify(gap));
    assert.equal(parsed.replyCode, 550);
    assert.equal(parsed.status, "5.1.1");
  }
});

test("parseReply never reads a status out of an address's local part (the reply key masks it whole)", () => {
  // Found by test/events/reply-key-verdict.test.ts at FAST_CHECK_SEED=1021: `Delivery b4.7.4@gmail.com timeout`
  // was securityerror and `Delivery b@gmail.com timeout` undefined under one key; `john5.1.1@…` a false userunknown.
  for (const text of [
    "Delivery to john5.1.1@example.com failed",
    "Delivery b4.7.4@gmail.com timeout",
    "Delivery x4.7.4-y@gmail.com timeout",
    "550 Delivery to <5.1.1@example.com> failed",
  ])
    assert.equal(parseReply(text).status, null, text);
  // A status standing beside an address is still the reply's.
  assert.equal(parseReply("550 Delivery to john@example.com failed (#5.1.1)").status, "5.1.1");
  assert.equal(parseReply("Delivery to john@example.com failed: 5.1.1").status, "5.1.1");
});
