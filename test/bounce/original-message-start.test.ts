import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import {
  COPY_HEADER_FIELD,
  COPY_MARKERS,
  MARKER_PHRASES,
  originalMessageStart,
  SCOPED_COPY_BOUNDARIES,
  scopedCopyStart,
} from "../../src/bounce/email/text.ts";
import { cpuMs } from "../../testkit/cpu-time.ts";

/**
 * Where the copy of the original message starts, as one multiline regexp says it (the definition
 * originalMessageStart keeps; the regexp itself backtracks quadratically over a long line of dashes, so it
 * serves only as the reference on short texts here).
 */
const REFERENCE = new RegExp(
  String.raw`^[ \t>]*\|?(?:[-=*_]{2,}[ \t]*)?(?:${MARKER_PHRASES}|-{20,}[ \t]*\n(?:[ \t]*\n)?(?=${COPY_HEADER_FIELD}))`,
  "im",
);
const reference = (text: string): number => REFERENCE.exec(text)?.index ?? pastedReference(text);

/** A field line of a header block: its name. */
const FIELD = /^([A-Za-z][A-Za-z0-9-]{0,40}):[ \t]/;
/** Fields a notice's summary of the original leaves out (RFC 5322 §3.6). */
const ORIGINATOR = ["date", "received", "mime-version"];

/**
 * Where none of the above is found, review R62's rule, read line by line: after a blank line (spaces, tabs
 * and CRs only), a block of field lines and their folded continuations holding three fields or more, From:
 * among them and Date:, Received: or MIME-Version:, starts the copy; a block that does not is passed whole.
 */
function pastedReference(text: string): number {
  const lines = text.split("\n");
  let at = 0;
  for (let i = 0; i < lines.length; ) {
    if (i === 0 || !/^[ \t\r]*$/.test(lines[i - 1]) || !FIELD.test(lines[i])) {
      at += lines[i].length + 1;
      i++;
      continue;
    }
    const start = at;
    const names: string[] = [];
    for (; i < lines.length; i++) {
      const field = FIELD.exec(lines[i]);
      if (field) names.push(field[1].toLowerCase());
      else if (!/^[ \t]/.test(lines[i])) break;
      at += lines[i].length + 1;
    }
    if (names.length >= 3 && names.includes("from") && ORIGINATOR.some((name) => names.includes(name)))
      return start;
  }
  return text.length;
}

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

test("originalMessageStart finds what the one-regexp definition and the pasted block's rule find (generated texts)", () => {
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

const ZOHO_NOTICE = (original: string) =>
  [
    "From: mailer-daemon@mail.zoho.com",
    "To: sender@example.org",
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Tue, 03 Mar 2026 10:00:00 +0000",
    "X-ZohoMail: Si CHF_MF_NL SS_1 UW48 UB48",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This message was created automatically by mail delivery software.",
    "A message that you sent could not be delivered to one or more of its recipients.",
    "",
    "[Status: Error, Address: <bob@example.co.jp>, ResponseCode 550, , Message rejected.]",
    "",
    "",
    original,
    "From: sender@example.org",
    "To: bob@example.co.jp",
    "Subject: Nyaan",
    "",
    "Your mailbox is full, please upgrade your storage now",
    "",
  ].join("\n");

test("each scoped boundary's example, after a blank line, starts the copy only in its MTA's notices", () => {
  for (const boundary of SCOPED_COPY_BOUNDARIES) {
    assert.ok(boundary.example.startsWith(boundary.line), boundary.example);
    const text = `Delivery failed: 550 user unknown\n\n${boundary.example}\nSubject: x\n`;
    const at = text.indexOf(boundary.example);
    assert.equal(
      scopedCopyStart(text, (name) => name === boundary.header),
      at,
    );
    // Blanks on the blank line, CRLF line ends.
    const crlf = `Delivery failed\r\n \t\r\n${boundary.example}\r\n`;
    assert.equal(
      scopedCopyStart(crlf, (name) => name === boundary.header),
      crlf.indexOf(boundary.example),
    );
    // Another MTA's notice, or the line with no blank line before it: no copy.
    assert.equal(
      scopedCopyStart(text, () => false),
      text.length,
    );
    const inside = `Delivery failed\n${boundary.example}\n`;
    assert.equal(
      scopedCopyStart(inside, (name) => name === boundary.header),
      inside.length,
    );
    // Not one of the markers every notice is read with.
    assert.equal(originalMessageStart(text), text.length);
  }
});

test("Zoho's pasted original, 'Received: from' or 'Received:from', is no part of the error (review R1)", () => {
  for (const received of [
    "Received: from mail.example.org by mx.zohomail.com",
    "Received:from mail.example.org",
  ]) {
    const { records } = recordsFromEmail(Buffer.from(ZOHO_NOTICE(received)), "zoho.eml");
    assert.equal(records.length, 1, received);
    assert.equal(records[0].recipient, "bob@example.co.jp");
    // The original's body says "mailbox is full": the notice does not.
    assert.notEqual(records[0].reason, "mailboxfull", received);
    assert.doesNotMatch(records[0].diagnostic ?? "", /Received|mailbox is full/, received);
  }
});

test("a Received: line after a blank line in another MTA's notice is no copy boundary", () => {
  // Without Zoho's header the line is text like any other (a quoted body, a transcript): nothing is cut there
  // unless the whole header block of a message follows (From: and a Date:, Received: or MIME-Version:).
  const notice = ZOHO_NOTICE("Received: from mail.example.org").replace(
    "X-ZohoMail: Si CHF_MF_NL SS_1 UW48 UB48\n",
    "",
  );
  const text = notice.slice(notice.indexOf("\n\n") + 2).replace("From: sender@example.org\n", "");
  assert.equal(originalMessageStart(text), text.length);
  const block = notice.slice(notice.indexOf("\n\n") + 2);
  assert.equal(originalMessageStart(block), block.indexOf("Received:"));
  // A DSN field of the report itself is no copy either.
  const field = "Reporting-MTA: dns; mx.example.org\nReceived-From-MTA: dns; relay.example.org\n";
  assert.equal(originalMessageStart(field), field.length);
});

/** A marker line as originalMessageStart reads it: at a line start, perhaps after a separator run. */
const markerAtStart = (phrase: string) =>
  new RegExp(String.raw`^[ \t>]*(?:[-=*_]{2,}[ \t]*)?(?:${phrase})`, "i");

test("every copy marker's example starts the copy, and no other marker reads that line", () => {
  for (const marker of COPY_MARKERS) {
    assert.doesNotMatch(marker.phrase.replace(/\\[A-Za-z]/g, ""), /[A-Z]/, marker.phrase);
    assert.match(marker.source, /sisimai (?:go |lib\/)|https:\/\//, marker.phrase);
    const text = `Delivery to bob@example.org failed: 550 user unknown\n${marker.example}\nFrom: a@example.org\n`;
    assert.equal(originalMessageStart(text), text.indexOf(marker.example), marker.example);
    // Shadowing: a marker whose example another reads is not shown to be needed.
    for (const other of COPY_MARKERS)
      if (other !== marker)
        assert.doesNotMatch(
          marker.example,
          markerAtStart(other.phrase),
          `${other.phrase} reads ${marker.example}`,
        );
  }
});

test("a marker's words inside a sentence are no marker (only at a line start)", () => {
  const text = "Delivery failed: see the original message for details\nbob@example.org: 550 user unknown\n";
  assert.equal(originalMessageStart(text), text.length);
  // Sendmail's date line of the notice itself.
  const sendmail = "The original message was received at Thu, 9 Apr 2026 10:00:00 +0900\n";
  assert.equal(originalMessageStart(sendmail), sendmail.length);
});

/** A list's post pasted whole after a notice, with no marker: its header block, then a body naming addresses. */
const PASTED_POST = [
  "From: Example List <list@lists.example.org>",
  "To: Example List <list@lists.example.org>",
  "Subject: [example] Weekly digest",
  "Date: Mon, 30 Nov 2026 09:14:01 +0000",
  "",
  "Regards,",
  "-- sales@example.com",
  "boss@example.com ... see you monday",
  "",
].join("\n");

test("Smail's barred separator starts the copy: lines of the returned mail name no recipient (review R62)", () => {
  const notice = [
    "From: <MAILER-DAEMON@mail3.example.net>",
    "To: list-bounces@lists.example.org",
    "Subject: mail failed, returning to sender",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "|------------------------- Message log follows: -------------------------|",
    " no valid recipients were found for this message",
    "|------------------------- Failed addresses follow: ---------------------|",
    " member@gone-host.example ... unknown host",
    "|------------------------- Message text follows: ------------------------|",
    PASTED_POST,
  ].join("\n");
  const records = recordsFromEmail(Buffer.from(notice), "smail.eml").records;
  assert.deepEqual(
    records.map((record) => record.recipient),
    ["member@gone-host.example"],
  );
  const text = notice.slice(notice.indexOf("|---"));
  assert.equal(originalMessageStart(text), text.indexOf("|------------------------- Message text"));
});

test("a pasted header block with no marker starts the copy; a notice's summary of the original does not (review R62)", () => {
  const notice =
    "A message that you sent could not be delivered.\n\n  member@example.net: 550 user unknown\n\n";
  assert.equal(originalMessageStart(notice + PASTED_POST), notice.length);
  // Folded fields, CRLF lines, a blank line with blanks on it.
  const crlf = `${notice.replace(/\n\n$/, "\r\n \t\r\n")}Received: from a\r\n\tby b\r\nFrom: a@b\r\nMIME-Version: 1.0\r\n\r\nbody\r\n`;
  assert.equal(originalMessageStart(crlf), crlf.indexOf("Received:"));
  for (const summary of [
    "To: member@example.net\nSubject: hello\nSent: Mon, 30 Nov 2026\n\nDid not reach the following recipient(s):\n",
    'Return-Path: <a@b>\nFrom: a@b\nMessage-ID: <m@b>\nSubject: Nyaan\n\nDuplicate header field: "From"\n',
    "From: a@b\nDate: Mon, 30 Nov 2026\n\nbody\n", // two fields
  ]) {
    const text = notice + summary;
    assert.equal(originalMessageStart(text), text.length, summary);
  }
  // Not after a blank line: a line of the notice.
  const inline = `Delivery failed\nFrom: a@b\nTo: c@d\nDate: x\n`;
  assert.equal(originalMessageStart(inline), inline.length);
});

test("a returned body after a pasted header block names no recipient", () => {
  const header =
    "From: Mail Delivery System <Mailer-Daemon@mx1.example.net>\nTo: list-bounces@lists.example.org\nSubject: Mail delivery failed\n\n";
  const report =
    "A message that you sent could not be delivered to one or more of its recipients.\n\n  member@mx1.example.net\n    550 5.1.1 user unknown\n\n";
  const raw = Buffer.from(header + report + PASTED_POST);
  const { records } = recordsFromEmail(raw, "pasted.eml");
  assert.deepEqual(
    records.map((record) => [record.recipient, record.reason]),
    [["member@mx1.example.net", "userunknown"]],
  );
});
