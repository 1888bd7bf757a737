import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { classifyReply } from "../../src/bounce/classify.ts";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import type { BounceRecord } from "../../src/bounce/record.ts";
import { refusesSender, SENDER_REFUSALS } from "../../src/bounce/rules/sender-refusals.ts";
import { classifyEventStream } from "../../src/pipeline/classify-events.ts";
import { dsnEmail } from "../../testkit/bounce-dsn.ts";

/**
 * A refusal of the envelope sender is not about the recipient: one misconfigured sending domain must not
 * suppress every address it mails. Postfix's reject_unlisted_sender writes "Sender address rejected: User
 * unknown in local recipient table" with 5.1.0 (5.1.1 is its code for a recipient), at MAIL FROM; Sisimai
 * (reason/why-userunknown.go yields to why-rejected.go's "address rejected"; why-rejected.go at MAIL) says
 * rejected.
 */
const REPLY =
  "550 5.1.0 <news@send.example.net>: Sender address rejected: User unknown in local recipient table";

const verdict = (record: Pick<BounceRecord, "reason" | "category" | "suppressRecipient"> | undefined) =>
  `${record?.reason} ${record?.category} ${record?.suppressRecipient}`;

function dsn(said: string, status: string, diagnostic: string): string {
  return dsnEmail(
    `<alice@example.com>: host mx.example.com[192.0.2.4] said: ${said}`,
    [
      "Final-Recipient: rfc822; alice@example.com",
      "Action: failed",
      `Status: ${status}`,
      "Remote-MTA: dns; mx.example.com",
      `Diagnostic-Code: smtp; ${diagnostic}`,
    ].join("\n"),
  );
}

const fromEmail = (said: string, status: string, diagnostic = said) =>
  recordsFromEmail(Buffer.from(dsn(said, status, diagnostic)), "t.eml").records[0];

async function fromLog(reply: string, dsnCode: string): Promise<BounceRecord | undefined> {
  const line = `Dec  3 05:00:01 mail postfix/smtp[1234]: 4F1AB2C3D4: to=<alice@example.com>, relay=mx.example.com[192.0.2.4]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=${dsnCode}, status=bounced (host mx.example.com[192.0.2.4] said: ${reply} (in reply to MAIL FROM command))`;
  const batches = classifyEventStream(Readable.from([Buffer.from(`${line}\n`)]), "postfix", "maillog", {
    year: 2026,
  });
  for await (const batch of batches) for (const item of batch) if ("reason" in item) return item;
  return undefined;
}

describe("a sender refused at MAIL FROM does not suppress the recipient", () => {
  it("Postfix's unlisted sender with 5.1.0 is rejected in a reply, a DSN and a log line", async () => {
    assert.equal(verdict(classifyReply({ text: REPLY, status: "5.1.0" })), "rejected infrastructure false");
    assert.equal(verdict(classifyReply({ text: REPLY })), "rejected infrastructure false");
    assert.equal(
      verdict(fromEmail(`${REPLY} (in reply to MAIL FROM command)`, "5.1.0", REPLY)),
      "rejected infrastructure false",
    );
    assert.equal(verdict(await fromLog(REPLY, "5.1.0")), "rejected infrastructure false");
  });
  it("a recipient's X.1.1 still names the recipient", () => {
    const recipient =
      "550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown in local recipient table";
    assert.equal(verdict(classifyReply({ text: recipient, status: "5.1.1" })), "userunknown recipient true");
  });
  it("at MAIL FROM X.1.0 names no address: an unknown user there is on hold, not suppressed", () => {
    for (const status of ["5.1.0", "5.0.0"]) {
      const said = `550 ${status} User unknown (in reply to MAIL FROM command)`;
      assert.equal(
        verdict(fromEmail(said, status, `550 ${status} User unknown`)),
        "onhold unknown false",
        status,
      );
    }
    // X.1.1 names the destination mailbox (RFC 3463 §3.2): the recipient, whatever the phase.
    const said = "550 5.1.1 User unknown (in reply to MAIL FROM command)";
    assert.equal(verdict(fromEmail(said, "5.1.1", "550 5.1.1 User unknown")), "userunknown recipient true");
  });
});

describe("why-rejected.go's exclusions: a recipient refused with 5.1.0 'Recipient address rejected' is not a sender rejection", () => {
  // sisimai go reason/why-rejected.go `isnot`: "5.1.0 address rejected", "recipient address rejected",
  // "sender ip address rejected" are not Rejected's "address rejected"; the 5.1.0 status then reads userunknown.
  for (const text of [
    "554 5.1.0 <u@example.com>: Recipient address rejected: Please see http://example.com/why",
    "550 5.1.0 Address rejected u@example.com",
  ]) {
    it(text, () => {
      assert.equal(
        verdict(classifyReply({ text, status: "5.1.0", recipient: "u@example.com" })),
        "userunknown recipient true",
      );
    });
  }
  it("the sender's refusal stays rejected", () => {
    assert.equal(
      verdict(classifyReply({ text: REPLY, status: "5.1.0", recipient: "u@example.com" })),
      "rejected infrastructure false",
    );
  });
});

describe("a reply that refuses the sender never suppresses the recipient, whatever status it carries", () => {
  // Exim's sender callout quotes the sender's own server after "Response:" (here Postfix's reply for the sender's
  // unknown mailbox, with 5.1.1); the reply's status is read from it, as sisimai go smtp/status/find.go reads it.
  const callout = [
    "550-Verification failed for <news@send.example.net>",
    "550-Called:   192.0.2.9",
    "550-Sent:     RCPT TO:<news@send.example.net>",
    "550-Response: 550 5.1.1 <news@send.example.net>: Recipient address rejected: User unknown in virtual mailbox table",
    "550 Sender verify failed",
  ].join("\n");
  const senderWith511 = "550 5.1.1 <news@send.example.net>: Sender address rejected: User unknown";
  it("the label stays Sisimai's (5.1.1: userunknown), the recipient is kept, category infrastructure", async () => {
    for (const text of [callout, senderWith511]) {
      const record = classifyReply({ text, recipient: "alice@example.com" });
      assert.equal(verdict(record), "userunknown infrastructure false", text);
      assert.equal(record.retryable, false, text);
      // In a DSN, the reply's later lines are the Diagnostic-Code's folded lines.
      const folded = text.replaceAll("\n", "\n    ");
      assert.equal(verdict(fromEmail(folded, "5.1.1", folded)), "userunknown infrastructure false", text);
    }
    assert.equal(verdict(await fromLog(senderWith511, "5.1.1")), "userunknown infrastructure false");
  });
  it("the same server's refusal of the recipient is still a dead address", () => {
    const recipient =
      "550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown in virtual mailbox table";
    assert.equal(
      verdict(classifyReply({ text: recipient, recipient: "alice@example.com" })),
      "userunknown recipient true",
    );
  });
});

describe("rules/sender-refusals.ts: each entry", () => {
  for (const refusal of SENDER_REFUSALS) {
    it(`${refusal.id}: its example (or phrase) refuses the sender and keeps the recipient`, () => {
      const text = refusal.example ?? `550 5.1.1 ${refusal.phrase}: user unknown`;
      assert.ok(text.toLowerCase().includes(refusal.phrase), "the example holds the phrase");
      assert.equal(refusesSender(text.toLowerCase()), true);
      assert.equal(classifyReply({ text, recipient: "alice@example.com" }).suppressRecipient, false);
      assert.match(refusal.source, /https:\/\//, "cites the MTA's public documentation");
    });
  }
});
