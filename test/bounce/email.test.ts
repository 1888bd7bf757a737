import assert from "node:assert/strict";
import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeCharset, headerValue, parseHeaderBlock } from "../../src/bounce/email/headers.ts";
import { recordsFromEmail, splitMbox } from "../../src/bounce/email/index.ts";
import { decodeQuotedPrintable, parseContentType } from "../../src/bounce/email/mime.ts";
import { scanEmail, withoutTrailingBlanks } from "../../src/bounce/email/scan.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bounce-email/${name}`, import.meta.url));
const read = (name: string) => recordsFromEmail(fixture(name), name);

describe("recordsFromEmail: RFC 3464 reports", () => {
  for (const name of ["dsn-two-recipients.eml", "dsn-two-recipients-crlf.eml"]) {
    it(`${name}: one record per recipient, in report order, with the DSN fields`, () => {
      const { records, problems } = read(name);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        records.map((record) => [record.recipient, record.status, record.replyCode, record.remoteMta]),
        [
          ["first@icloud.com", "5.7.1", 554, "mx01.mail.icloud.com"],
          ["second@example.org", "5.1.1", 550, "mx.example.org"],
        ],
      );
      assert.equal(records[1].reason, "userunknown");
      assert.equal(records[0].providerCode, "CS01");
      assert.equal(records[0].time, "2026-03-03T10:00:00.000Z");
      for (const record of records) {
        assert.equal(record.format, "email");
        assert.deepEqual(record.source, { file: name, line: null });
      }
    });
  }

  it("unfolds a folded Diagnostic-Code into one line", () => {
    const [first] = read("dsn-two-recipients.eml").records;
    assert.match(first.diagnostic, /local policy\. Please visit https:\/\/support\.apple\.com/);
    assert.doesNotMatch(first.diagnostic, /[\r\n]/);
  });

  it("reads a truncated report (no closing boundary) and keeps its recipient", () => {
    const { records } = read("truncated.eml");
    assert.deepEqual(
      records.map((record) => [record.recipient, record.status, record.reason]),
      [["cut@example.org", "5.1.1", "userunknown"]],
    );
  });
});

describe("recordsFromEmail: other report kinds", () => {
  it("plain-text (Exim) report: recipient line and the error lines after it", () => {
    const { records } = read("exim-plain.eml");
    assert.deepEqual(
      records.map((record) => [record.recipient, record.status, record.replyCode, record.reason]),
      [["gone@example.org", "5.2.2", 550, "mailboxfull"]],
    );
  });

  it("ARF complaint → feedback with its feedback type", () => {
    const { records } = read("arf-complaint.eml");
    assert.deepEqual(
      records.map((record) => [record.recipient, record.reason, record.feedbackType, record.category]),
      [["complainer@example.com", "feedback", "abuse", "complaint"]],
    );
  });

  it("auto-reply → vacation for the person who is away", () => {
    const { records } = read("auto-reply.eml");
    assert.deepEqual(
      records.map((record) => [record.recipient, record.reason]),
      [["away@example.org", "vacation"]],
    );
  });

  it("a message no bounce reader takes, marked Auto-Submitted: auto-generated → vacation, whether it answers a message or not, unless a daemon or root wrote it (Sisimai RFC3834.pm; RFC 3834 §5)", () => {
    const message = (from: string, subject: string, body: string, answers = "In-Reply-To: <m1@example.jp>") =>
      Buffer.from(
        [
          `From: ${from}`,
          "To: shironeko@example.jp",
          `Subject: ${subject}`,
          "Auto-Submitted: auto-generated",
          answers,
          "",
          body,
        ].join("\n"),
      );
    const reasons = (raw: Buffer) =>
      recordsFromEmail(raw, "auto.eml").records.map((record) => [record.recipient, record.reason]);
    for (const answers of ["In-Reply-To: <m1@example.jp>", "References: <m0@example.jp> <m1@example.jp>"])
      assert.deepEqual(
        reasons(message("Kijitora <kijitora@example.org>", "Nyaan", "I am away until Monday.", answers)),
        [["kijitora@example.org", "vacation"]],
      );
    for (const subject of ["Re: Nyaan", "AW: Nyaan", "Auto: Nyaan"])
      assert.deepEqual(
        reasons(
          message("Kijitora <kijitora@example.org>", subject, "I am away until Monday.", "X-Note: none"),
        ),
        [["kijitora@example.org", "vacation"]],
        subject,
      );
    // A notice sent of the program's own accord names no message it answers; Sisimai reads it as vacation too
    // (review R64's cPanel quota warning: a vacation record, no failure).
    assert.deepEqual(
      reasons(
        message(
          '"cPanel on example.org" <cpanel@example.org>',
          'The mailbox "shironeko@example.jp" is almost full.',
          "The mailbox shironeko@example.jp is using 92% of its quota.",
          "X-Note: none",
        ),
      ),
      [["cpanel@example.org", "vacation"]],
    );
    assert.deepEqual(
      reasons(message("root@example.org", "Security information for host", "sudo: incident")),
      [],
    );
    // A bounce the plain-text reader reads stays a bounce.
    assert.deepEqual(
      reasons(
        message(
          "Mail Delivery System <mds@example.org>",
          "Undelivered Mail",
          "<gone@example.net>: 550 5.1.1 User unknown",
        ),
      ),
      [["gone@example.net", "userunknown"]],
    );
  });

  it("a message that is not a report yields a problem with file and line, not a record", () => {
    const { records, problems } = read("not-a-bounce.eml");
    assert.equal(records.length, 0);
    assert.equal(problems.length, 1);
    assert.deepEqual(problems[0].source, { file: "not-a-bounce.eml", line: 1 });
  });

  it("a delivery notification → delivered", () => {
    const raw = Buffer.from(
      [
        "From: MAILER-DAEMON@mta.example.net",
        "Subject: Successful Mail Delivery Report",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="D"',
        "",
        "--D",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mta.example.net",
        "",
        "Final-Recipient: rfc822; ok@example.org",
        "Action: delivered",
        "Status: 2.0.0",
        "Diagnostic-Code: smtp; 250 2.0.0 Ok: queued",
        "--D--",
      ].join("\n"),
    );
    const { records } = recordsFromEmail(raw, "delivered.eml");
    assert.deepEqual(
      records.map((record) => [record.recipient, record.reason]),
      [["ok@example.org", "delivered"]],
    );
  });
});

describe("splitMbox", () => {
  it("splits on From lines after a blank line and reports each message's first line", () => {
    const messages = splitMbox(fixture("two.mbox"));
    assert.deepEqual(
      messages.map((message) => message.line),
      [1, 28],
    );
    assert.ok(messages[1].raw.toString("latin1").startsWith("From MAILER-DAEMON"));
  });

  it("records of an mbox carry the line where their message starts", () => {
    const lines = splitMbox(fixture("two.mbox")).flatMap(
      (message) => recordsFromEmail(message.raw, "two.mbox", message.line).records,
    );
    assert.deepEqual(
      lines.map((record) => [record.recipient, record.source.line]),
      [
        ["gone@example.org", 1],
        ["first@icloud.com", 28],
        ["second@example.org", 28],
      ],
    );
  });

  it("a file that does not start with From is one message", () => {
    const raw = fixture("exim-plain.eml");
    assert.deepEqual(splitMbox(raw), [{ raw, line: 1 }]);
  });

  it("does not split on a From line inside a paragraph", () => {
    const raw = Buffer.from("From a@b Tue Mar  3 10:00:00 2026\nSubject: x\n\nbody\nFrom here on\n");
    assert.equal(splitMbox(raw).length, 1);
  });
});

describe("MIME decoding helpers", () => {
  it("quoted-printable: soft breaks (LF and CRLF) removed, =XX decoded, a stray = kept", () => {
    assert.equal(decodeQuotedPrintable("a=3Db soft=\nbreak crlf=\r\nend"), "a=b softbreak crlfend");
    assert.equal(decodeQuotedPrintable("=E3=81=82"), "\u00e3\u0081\u0082");
    assert.equal(decodeQuotedPrintable("bad=ZZ and=4"), "bad=ZZ and=4");
    assert.equal(
      decodeQuotedPrintable("=E3=81=82=e3=81=84%u0041=3d=\n=41=4"),
      "\u00e3\u0081\u0082\u00e3\u0081\u0084%u0041=A=4",
    );
  });

  it("quoted-printable: runs of encoded bytes decode as each byte would alone (RFC 2045 §6.7)", () => {
    // The rules, one match at a time: a soft line break (blanks allowed before it) first, then =XX.
    const reference = (raw: string) =>
      raw.replace(/=[ \t]*\r?\n|=([0-9A-Fa-f]{2})/g, (_all, hex?: string) =>
        hex === undefined ? "" : String.fromCharCode(Number.parseInt(hex, 16)),
      );
    const piece = fc.oneof(
      fc.constantFrom("=", "=\n", "= \r\n", "%", "%u", "u", "\r", "\n", " ", "a", "=Z", "=4"),
      fc.integer({ min: 0, max: 255 }).map((byte) => `=${byte.toString(16).padStart(2, "0")}`),
      fc.integer({ min: 0, max: 255 }).map((byte) => `=${byte.toString(16).padStart(2, "0").toUpperCase()}`),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const raw = pieces.join("");
        assert.equal(decodeQuotedPrintable(raw), reference(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it("Content-Type: lower-cased type, quoted and unquoted parameters, text/plain by default", () => {
    const type = parseContentType('Multipart/Report; report-type=delivery-status;\tBOUNDARY="a b;c"');
    assert.equal(type.type, "multipart/report");
    assert.equal(type.params.get("boundary"), "a b;c");
    assert.equal(type.params.get("report-type"), "delivery-status");
    assert.equal(parseContentType(null).type, "text/plain");
    assert.equal(parseContentType("garbage").type, "text/plain");
  });

  it("Content-Type: the type is the value's first part trimmed and lower-cased, whatever its characters", () => {
    const piece = fc.constantFrom(
      "text",
      "/",
      "PLAIN",
      "Multipart",
      "-",
      " ",
      "\t",
      "\u00c9",
      "\u00e9",
      "\u0130",
      "\u212a",
      "x",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.constantFrom("", "; charset=x"), (pieces, rest) => {
        const written = pieces.join("");
        const lower = written.trim().toLowerCase();
        const expected = lower.includes("/") ? lower : "text/plain";
        assert.equal(
          parseContentType(`${written}${rest}`).type,
          written === "" && rest === "" ? "text/plain" : expected,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("Content-Type: a quoted parameter's backslash escapes are undone, a value without any kept as written", () => {
    const type = parseContentType('text/plain; name="a\\"b\\\\c"; charset="utf-8"; x="\\d"');
    assert.equal(type.params.get("name"), 'a"b\\c');
    assert.equal(type.params.get("charset"), "utf-8");
    assert.equal(type.params.get("x"), "d");
  });

  it("report text: the blanks ending each line are dropped (LF and CRLF lines), nothing else", () => {
    const reference = (text: string) => text.replace(/[ \t]+(?=\r?\n)/g, "");
    assert.equal(withoutTrailingBlanks("a \nb\t\r\nc \r \n d "), "a\nb\r\nc \r\n d ");
    const piece = fc.constantFrom(" ", "\t", "\r", "\n", "\r\n", "a", " \r\n", "\t\n");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join("");
        assert.equal(withoutTrailingBlanks(text), reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("scanEmail's result", () => {
  it("has one shape for every message: the lazy report text is a getter of a shared prototype, not one per message", () => {
    // A getter in an object literal gives each message its own hidden class, which the old generation keeps
    // (with the whole message text) until a full GC: a 14,000-file run promoted ~80 MB and spent its GC time there.
    const dsn = scanEmail(fixture("dsn-two-recipients.eml").toString("latin1"));
    const plain = scanEmail(
      "From: MAILER-DAEMON@example.org\nSubject: failure\n\n<a@example.com>: 550 unknown user\n",
    );
    assert.equal(Object.getOwnPropertyDescriptor(dsn, "reportText"), undefined);
    assert.equal(Object.getPrototypeOf(dsn), Object.getPrototypeOf(plain));
    assert.deepEqual(Object.keys(dsn), Object.keys(plain));
    assert.match(plain.reportText, /550 unknown user/);
    assert.equal(plain.originalHeaders(), null);
  });

  it("is not decoded for a report whose recipients failed: only a delayed recipient's MTA check reads it (review R88)", () => {
    const proto = Object.getPrototypeOf(scanEmail("From: a@example.org\n\nx\n"));
    const getter = Object.getOwnPropertyDescriptor(proto, "reportText");
    assert.ok(getter?.get);
    let decoded = 0;
    Object.defineProperty(proto, "reportText", {
      ...getter,
      get() {
        decoded++;
        return getter.get?.call(this);
      },
    });
    try {
      const { records } = read("dsn-two-recipients.eml");
      assert.equal(records.length, 2);
      assert.equal(decoded, 0);
    } finally {
      Object.defineProperty(proto, "reportText", getter);
    }
  });
});

describe("decodeCharset", () => {
  it("reuses a decoder per charset without carrying state from one text to the next", () => {
    const esc = "\u001b";
    const japanese = Buffer.from(`${esc}$B%F%9%H${esc}(B`, "latin1"); // ISO-2022-JP "テスト"
    const cut = Buffer.from(`${esc}$B%F`, "latin1"); // ends still in the two-byte mode
    assert.equal(decodeCharset(japanese, "ISO-2022-JP"), "テスト");
    decodeCharset(cut, "iso-2022-jp");
    assert.equal(decodeCharset(Buffer.from("abc"), "iso-2022-jp"), "abc");
    assert.equal(decodeCharset(japanese, '"iso-2022-jp"'), "テスト");
    assert.equal(decodeCharset(Buffer.from("abc"), "no-such-charset"), null);
    assert.equal(decodeCharset(Buffer.from("abc"), "no-such-charset"), null);
  });
});

describe("an 8-bit part labelled ISO-2022-JP", () => {
  it("is read as UTF-8 exactly when a fatal UTF-8 decoder reads its bytes (node:buffer's isUtf8 decides)", () => {
    const fatal = new TextDecoder("utf-8", { fatal: true });
    const decodes = (bytes: Uint8Array) => {
      try {
        fatal.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // Bytes at UTF-8's edges: lead and continuation bytes, overlong forms, surrogates, beyond U+10FFFF, a BOM.
    const edges = [
      0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f,
      0xbb,
    ];
    const bytes = fc.array(fc.oneof(fc.constantFrom(...edges), fc.integer({ min: 0, max: 255 })), {
      maxLength: 24,
    });
    fc.assert(
      fc.property(bytes, (list) => {
        const buffer = Buffer.from(list);
        assert.equal(isUtf8(buffer), decodes(buffer), JSON.stringify(list));
      }),
      { numRuns: 5000 },
    );
    // Through the reader: EUC-JP under an ISO-2022-JP label is decoded as EUC-JP, UTF-8 as UTF-8.
    const part = (body: Buffer) =>
      Buffer.concat([
        Buffer.from("From: MAILER-DAEMON@example.org\nContent-Type: text/plain; charset=iso-2022-jp\n\n"),
        body,
      ]);
    assert.equal(
      scanEmail(part(Buffer.from([0xa5, 0xc6, 0xa5, 0xb9, 0xa5, 0xc8])).toString("latin1")).reportText,
      "テスト",
    );
    assert.equal(scanEmail(part(Buffer.from("テスト")).toString("latin1")).reportText, "テスト");
  });
});

describe("header field names", () => {
  it("are found whatever their case, a blank before the colon, and among names of the same length", () => {
    const text =
      "From MAILER-DAEMON Thu Jul  2 12:05:05 2020\nDATE: Thu, 2 Jul 2020\nFROM : a@example.org\nX-Spam\t: no\nfrom2: b\nDiagnostic-Code: smtp; 550-5.1.1 first\n550 5.1.1 second\n\nbody";
    const block = parseHeaderBlock(text, 0, text.length);
    assert.deepEqual(
      block.fields.map((field) => [field.name, field.nameLength, field.value]),
      [
        ["date", 4, "Thu, 2 Jul 2020"],
        ["from", 4, "a@example.org"],
        ["x-spam", 6, "no"],
        ["from2", 5, "b"],
        ["diagnostic-code", 15, "smtp; 550-5.1.1 first 550 5.1.1 second"],
      ],
    );
    assert.equal(headerValue(block, "from"), "a@example.org");
    assert.equal(headerValue(block, "x-spam"), "no");
    assert.equal(headerValue(block, "subject"), null);
    assert.equal(block.bodyStart, text.indexOf("body"));
  });
});
