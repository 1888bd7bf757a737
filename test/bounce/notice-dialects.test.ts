import assert from "node:assert/strict";
import { test } from "node:test";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";

/**
 * Notices that quote the original's Subject before their error (synthetic: example.*, 192.0.2.x): the subject
 * must not be read as the error. Trustwave MailMarshal (sisimai go lhost/via-mailmarshalsmtp.go) first.
 */
function notice(subject: string, reply: string, recipients: string[]): Buffer {
  return Buffer.from(
    [
      "From: postmaster@relay.example.com",
      "To: sender@example.com",
      'Subject: Undeliverable Mail: "Hello"',
      "",
      "Your message:",
      "    From:    sender@example.com",
      `    Subject: ${subject}`,
      "",
      "Could not be delivered because of",
      "",
      reply,
      "",
      "The following recipients were affected:",
      ...recipients.map((recipient) => `    ${recipient}`),
      "",
      "Additional Information",
      "======================",
      "Original Sender:    <sender@example.com>",
      "Remote-MTA:         <192.0.2.1>",
      "",
    ].join("\n"),
  );
}

test("MailMarshal: the reply decides, not the quoted subject of the original", () => {
  const records = recordsFromEmail(
    notice("Your mailbox is full - upgrade now", "550 5.1.1 User unknown", [
      "bob@example.org",
      "carol@example.org",
    ]),
    "mailmarshal.eml",
  ).records;
  assert.deepEqual(
    records.map((record) => [record.recipient, record.reason, record.diagnostic]),
    [
      ["bob@example.org", "userunknown", "Could not be delivered because of 550 5.1.1 User unknown"],
      ["carol@example.org", "userunknown", "Could not be delivered because of 550 5.1.1 User unknown"],
    ],
  );
});

test("MailMarshal: a long recipient list is read to a bound, a run of blanks costs no time", () => {
  const many = Array.from({ length: 3000 }, (_, i) => `u${i}@example.org`);
  const { records, problems } = recordsFromEmail(notice("Hello", "550 5.7.1 Rejected", many), "many.eml");
  assert.equal(records.length, 1000);
  // The rest are not lost silently: the message says the limit was reached.
  assert.match(problems.map((p) => p.message).join("\n"), /limit of 1,000 recipients per bounce report/);
  const blanks = notice(`Hello${" ".repeat(200_000)}x`, "550 5.1.1 User unknown", ["bob@example.org"]);
  assert.deepEqual(
    recordsFromEmail(blanks, "blanks.eml").records.map((record) => record.reason),
    ["userunknown"],
  );
});

/** An "X6" notice (sisimai go lhost/via-x6.go), one line per recipient. */
function x6(subject: string, lines: string[]): Buffer {
  return Buffer.from(
    [
      "From: postmaster@relay.example.com",
      "To: sender@example.com",
      "Subject: There was an error sending your mail",
      "",
      "We had trouble delivering your message. Full details follow:",
      "",
      `Subject: '${subject}'`,
      "Date: 'Thu, 29 Apr 2012 23:34:45 +0000'",
      "",
      `${lines.length} error(s):`,
      "",
      ...lines,
      "",
      "The attachment contains the original mail headers.",
      "",
    ].join("\n"),
  );
}

test("X6: each recipient's own line is its error, not the quoted subject", () => {
  const records = recordsFromEmail(
    x6("Your mailbox is full", [
      "SMTP Server <mx.example.org> rejected recipient <bob@example.org> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown]",
      "The following recipients returned permanent errors: carol@example.net. Reason: SMTP Server <192.0.2.1> refused to accept your message (DATA), with the following error message: [554 5.4.6 Hop count exceeded - possible mail loop]",
    ]),
    "x6.eml",
  ).records;
  assert.deepEqual(
    records.map((record) => [record.recipient, record.reason]),
    [
      ["bob@example.org", "userunknown"],
      ["carol@example.net", "networkerror"],
    ],
  );
});

test("X6: a long recipient list is read to the limit, and the message says the rest were not", () => {
  const lines = Array.from(
    { length: 1500 },
    (_, i) =>
      `SMTP Server <mx.example.org> rejected recipient <u${i}@example.org> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown]`,
  );
  const { records, problems } = recordsFromEmail(x6("Hello", lines), "x6-many.eml");
  assert.equal(records.length, 1000);
  assert.match(problems.map((p) => p.message).join("\n"), /limit of 1,000 recipients per bounce report/);
});

test("a notice longer than the report-text limit: the recipients before it are read, the message says the rest were not", () => {
  const line = (i: number) =>
    `SMTP Server <mx.example.org> rejected recipient <u${i}@example.org> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown] ${"x".repeat(200)}`;
  const lines = Array.from({ length: 900 }, (_, i) => line(i));
  const { records, problems } = recordsFromEmail(x6("Hello", lines), "x6-long.eml");
  assert.ok(records.length > 0 && records.length < 900, `${records.length} records`);
  assert.match(
    problems.map((p) => p.message).join("\n"),
    /limit of 256 KiB of human-readable text per bounce notice.*recipients listed past it were not read/,
  );
});
