import assert from "node:assert/strict";
import { test } from "node:test";
import { detectFormat } from "../../src/events/detect.ts";
import { chooseFormat } from "../../src/pipeline/classify-source.ts";

const HEADERS = "Return-Path: <>\nReceived: from mx.example.net\nFrom: MAILER-DAEMON\nSubject: failure\n";

test("chooseFormat reads a message from its ASCII first kilobyte, whatever follows it", () => {
  // Past the first kilobyte: bytes that are not UTF-8 (a Latin-1 body), then a NUL.
  const head = Buffer.concat([
    Buffer.from(HEADERS.repeat(20), "latin1"),
    Buffer.from([0xe9, 0xa0, 0xff, 0x00]),
  ]);
  assert.ok(head.subarray(0, 1024).every((byte) => byte < 0x80));
  assert.equal(chooseFormat(head, "x"), "email");
});

test("chooseFormat gives detectFormat's answer on the UTF-8 text when the first kilobyte is not ASCII", () => {
  // Latin-1 would read 0xA0 as a no-break space (trimmed away: a message); UTF-8 reads it as U+FFFD.
  const cases: [string, Buffer][] = [
    ["a byte 0xA0 before the header", Buffer.concat([Buffer.from([0xa0]), Buffer.from(HEADERS)])],
    ["a no-break space (UTF-8) before the header", Buffer.from(`\u00a0${HEADERS}`, "utf8")],
    ["a UTF-8 subject", Buffer.from(`Subject: échec\n${HEADERS}`, "utf8")],
  ];
  for (const [what, head] of cases) {
    const text = head.toString("utf8");
    const expected = detectFormat(text, "x");
    if (expected !== null) assert.equal(chooseFormat(head, "x"), expected, what);
    else assert.notEqual(chooseFormat(head, "x"), "email", what);
  }
});

test("chooseFormat: an ASCII log is not read as a message", () => {
  const line =
    "Feb  2 12:34:56 mail postfix/smtp[12345]: ABC123DEF: to=<u@example.com>, status=bounced (x)\n";
  assert.equal(chooseFormat(Buffer.from(line.repeat(30)), "x"), "postfix");
});
