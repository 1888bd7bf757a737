import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { COPY_HEADER_FIELD, MARKER_PHRASES, originalMessageStart } from "../../src/bounce/email/text.ts";
import { cpuMs } from "../../testkit/cpu-time.ts";

/**
 * Where the copy of the original message starts, as one multiline regexp says it (the definition
 * originalMessageStart keeps; the regexp itself backtracks quadratically over a long line of dashes, so it
 * serves only as the reference on short texts here).
 */
const REFERENCE = new RegExp(
  String.raw`^[ \t>]*(?:[-=*_]{2,}[ \t]*)?(?:${MARKER_PHRASES}|-{20,}[ \t]*\n(?:[ \t]*\n)?(?=${COPY_HEADER_FIELD}))`,
  "im",
);
const reference = (text: string): number => REFERENCE.exec(text)?.index ?? text.length;

const DASHES = (n: number) => "-".repeat(n);

test("a line of dashes before a header field starts the copy; the same line before text does not", () => {
  const text = `Delivery failed.\n${DASHES(40)}\nReceived: from x\n`;
  assert.equal(originalMessageStart(text), text.indexOf("-"));
  const noCopy = `Delivery failed.\n${DASHES(40)}\nno header here\n`;
  assert.equal(originalMessageStart(noCopy), noCopy.length);
});

test("separator runs and dashes split as the reference splits them", () => {
  const cases = [
    `==${DASHES(20)}\n\nFrom: a@b\n`, // a run of two, then 20 dashes: the copy
    `=${DASHES(20)}\nFrom: a@b\n`, // one character before 20 dashes: not a separator
    `=${DASHES(21)}\nFrom: a@b\n`, // "=-" then 20 dashes
    `** \t${DASHES(25)}  \nSubject: x\n`,
    `> ${DASHES(19)}\nFrom: a@b\n`,
    `${DASHES(30)}\r\nFrom: a@b\n`, // a CRLF line: the dashes are not followed by the newline itself
    `x\r${DASHES(30)}\nFrom: a@b\n`, // a line start after a lone CR
    `x\u2028${DASHES(30)}\nX-Mailer: y\n`,
    `----- Original message -----\n${DASHES(30)}\nFrom: a@b\n`,
    `text ${DASHES(30)}\nFrom: a@b\n`,
  ];
  for (const text of cases) assert.equal(originalMessageStart(text), reference(text), JSON.stringify(text));
});

test("originalMessageStart finds what the one-regexp definition finds (generated texts)", () => {
  const piece = fc.constantFrom(
    "-",
    "=",
    "*",
    "_",
    " ",
    "\t",
    ">",
    DASHES(19),
    DASHES(20),
    DASHES(21),
    "original message",
    "Copy of the message",
    "en-têtes de message d'origine",
    "x",
    "\r",
    "\u2028",
  );
  const after = fc.constantFrom(
    "Received: x\n",
    "\nFrom: a\n",
    " \nSubject: s\n",
    "X-A-B: 1\n",
    "text\n",
    "",
    "Date :x\n",
  );
  const line = fc
    .tuple(fc.array(piece, { minLength: 1, maxLength: 6 }), after)
    .map(([parts, next]) => `${parts.join("")}\n${next}`);
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), (lines) => {
      const text = lines.join("");
      assert.equal(originalMessageStart(text), reference(text));
    }),
    { numRuns: 3000 },
  );
});

test("a long line of dashes is read in linear time (the one regexp took seconds at 10,000)", () => {
  const long = DASHES(200_000);
  const texts = [`a\n${long}\nno header\n=${long}\nFrom: a@b\n`, `a\n${long}\nFrom: a@b\n`, `==${long}`];
  const ms = cpuMs(() => {
    for (const text of texts) originalMessageStart(text);
  });
  assert.equal(originalMessageStart(texts[1]), 2);
  assert.ok(ms < 5_000, `took ${Math.round(ms)} ms of CPU`);
});

test("Zoho's pasted header ('Received:from …', no blank after the colon) starts the copy", () => {
  const text =
    "This message was created automatically by mail delivery software.\n\nbob@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <bob@example.org>... User Unknown\n\n\nReceived:from mail.zoho.com by mx.zohomail.com\nSubject:Your mailbox is full\n";
  assert.equal(originalMessageStart(text), text.indexOf("Received:from"));
  // A DSN field of the report itself is no copy.
  const field = "Reporting-MTA: dns; mx.example.org\nReceived-From-MTA: dns; relay.example.org\n";
  assert.equal(originalMessageStart(field), field.length);
});

test("the lines Sisimai's MTA-independent reader stops at start the copy (sisimai lib/Sisimai/RFC3464.pm)", () => {
  for (const marker of [
    "Here is a copy of the first part of the message, including all the headers.",
    "The non-delivered message is attached to this message.",
    "A copy of the original message below this line:",
    "Attachment is a copy of the message.",
    "Message text follows: ",
    "Unsent message below:",
    "Your message reads (in part):",
  ]) {
    const text = `Delivery to gone@example.org failed: 550 5.1.1 User unknown\n\n${marker}\n\nTo: other@example.org\n`;
    assert.equal(originalMessageStart(text), text.indexOf(marker), marker);
  }
});
