import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as lib from "../../src/index.ts";

/** The library entry: one typed function per input kind, plus streaming iterators. */
const email = fileURLToPath(new URL("../fixtures/sisimai/eml/rhost-apple-02.eml", import.meta.url));
const CS01 = "550 5.7.1 [CS01] Message rejected due to local policy";

test("classifyText: bare replies, with optional context", () => {
  const [record] = lib.classifyText(CS01, { recipient: "a@icloud.com", file: "replies.txt" });
  assert.equal(record.providerCode, "CS01");
  assert.equal(record.recipient, "a@icloud.com");
  assert.deepEqual(record.source, { file: "replies.txt", line: 1 });
  assert.equal(lib.classifyText(`${CS01}\n\n550 5.1.1 user unknown`).length, 2);
});

test("classifyEmail: a bounce message as a Buffer or a string", () => {
  const raw = readFileSync(email);
  for (const input of [raw, raw.toString("latin1")]) {
    const { records, problems } = lib.classifyEmail(input, "apple.eml");
    assert.equal(problems.length, 0);
    assert.equal(records[0].reason, "authfailure");
    assert.equal(records[0].source.file, "apple.eml");
  }
});

test("classifyFile and classifyStream: any format, records in input order", async () => {
  const fromFile = [];
  for await (const item of lib.classifyFile(email)) fromFile.push(item);
  assert.equal(fromFile.length, 1);
  assert.ok(!lib.isProblem(fromFile[0]) && fromFile[0].provider === "apple");

  const log = [
    "Nov 28 04:00:00 mx postfix/smtp[1]: 4F1A2B3C4D: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 554 5.7.1 [HM08] Message rejected due to local policy (in reply to end of DATA command))",
    "Nov 28 04:00:01 mx postfix/smtp[2]: 5F1A2B3C4D: to=<b@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <b@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command))",
  ].join("\n");
  const streamed = [];
  for await (const item of lib.classifyStream(Readable.from([Buffer.from(log)]), { file: "maillog" })) {
    streamed.push(item);
  }
  assert.deepEqual(
    streamed.map((item) =>
      lib.isProblem(item) ? item.message : [item.recipient, item.reason, item.source.line],
    ),
    [
      ["a@icloud.com", "policyviolation", 1],
      ["b@example.org", "userunknown", 2],
    ],
  );
});

test("the vocabularies and rule tables are exported for tools built on deliverlens", () => {
  assert.ok(lib.PROVIDER_RULES.length > 40);
  assert.ok(Object.hasOwn(lib.CATEGORIES, "reputation"));
  assert.ok(Object.hasOwn(lib.FORMATS, "postfix"));
  assert.equal(lib.detectProvider({ recipient: "x@me.com" }), "apple");
  assert.equal(lib.classifyReply({ text: CS01 }).category, "reputation");
});
