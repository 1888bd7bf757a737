import assert from "node:assert/strict";
import { test } from "node:test";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";

/** Trustwave MailMarshal notices (sisimai go lhost/via-mailmarshalsmtp.go), synthetic (example.*, 192.0.2.x). */
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
  const records = recordsFromEmail(notice("Hello", "550 5.7.1 Rejected", many), "many.eml").records;
  assert.equal(records.length, 1000);
  const blanks = notice(`Hello${" ".repeat(200_000)}x`, "550 5.1.1 User unknown", ["bob@example.org"]);
  assert.deepEqual(
    recordsFromEmail(blanks, "blanks.eml").records.map((record) => record.reason),
    ["userunknown"],
  );
});
