import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { parseDeliveryStatus } from "../../src/bounce/email/dsn.ts";
import {
  asciiInBytes,
  blockInBytes,
  loadHeaderBytes,
  quotedPrintableInBytes,
  unloadHeaderBytes,
} from "../../src/bounce/email/header-bytes.ts";
import { type HeaderBlock, parseHeaderBlock, parseHeaderText } from "../../src/bounce/email/headers.ts";
import { decodeQuotedPrintable, partIsAsIs, partText } from "../../src/bounce/email/mime.ts";
import { scanEmail } from "../../src/bounce/email/scan.ts";

/** The block read in WebAssembly (asserted: the text is loaded) and in JavaScript: the same offsets. */
function assertSameBlock(text: string, start: number, end: number): void {
  loadHeaderBytes(text, Buffer.from(text, "latin1"));
  assert.ok(blockInBytes(text, start, end) >= 0, "read in WebAssembly");
  const inBytes = parseHeaderBlock(text, start, end);
  const inText = parseHeaderText(text, start, end);
  assert.deepEqual(inBytes, inText, JSON.stringify({ text, start, end }));
  assert.deepEqual(view(inBytes), view(inText));
}

function view(block: HeaderBlock): unknown {
  return { ...block, fields: block.fields.map((field) => [field.name, field.value]) };
}

/** The fixtures' messages and mboxes. */
function fixtureFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (/\.(eml|mbox|txt)$/.test(entry.name)) files.push(join(dir, entry.name));
    }
  };
  walk(join(import.meta.dirname, "../fixtures"));
  return files;
}

/** Pieces that meet each rule of parseHeaderBlock at its edges. */
const PIECES = [
  "From ",
  "From",
  "Subject",
  "diagnostic-code",
  "Diagnostic-Code",
  "DIAGNOSTIC-CODE",
  "diagnostic-codes",
  "X-Y",
  "a",
  "Z",
  ":",
  " ",
  "\t",
  "\r",
  "\n",
  "\r\n",
  "\n\n",
  ";",
  "=",
  "boundary",
  "charset",
  "550-",
  "550 ",
  "450 5",
  "199 ",
  "5x0 ",
  "@",
  "[",
  "`",
  "{",
  "~",
  "!",
  "\x7f",
  "\x80",
  "\xe9",
  "\xff",
  "\0",
  "0",
  "9",
  "650 ",
  "150 ",
  "x".repeat(38),
  "x".repeat(78),
  // A name of 79 and of 80 characters (the longest and one too long), a parameter name of 39 and of 40
  // (likewise), on lines of their own.
  `\n${"n".repeat(79)}: v`,
  `\n${"n".repeat(80)}: v`,
  `;\n${"p".repeat(39)}=v`,
  `;\n${"p".repeat(40)}=v`,
  // Unfolded SMTP reply lines after a Diagnostic-Code (or a name one letter off), and lines that are none.
  "\nDiagnostic-Code: smtp; 550-5.1.1 first",
  "\nDiagnostic-Codx: 550-",
  "\n550 5.1.1 last",
  "\n550-",
  "\n550 ",
  "\n650 x",
  "\n55 xx",
];

/** A text of `pieces` (at most `most` of them) and a range of it, [start, end). */
function textInRange(pieces: readonly string[], most: number) {
  return fc
    .tuple(fc.array(fc.constantFrom(...pieces), { maxLength: most }), fc.nat(), fc.nat())
    .map(([chosen, a, b]) => {
      const text = chosen.join("");
      const start = a % (text.length + 1);
      return { text, start, end: start + (b % (text.length - start + 1)) };
    });
}

test("a header block reads the same in WebAssembly as in JavaScript (generated blocks, any range)", () => {
  fc.assert(
    fc.property(textInRange(PIECES, 80), ({ text, start, end }) => {
      assertSameBlock(text, start, end);
      assertSameBlock(text, start, text.length);
    }),
    { numRuns: 3000 },
  );
  unloadHeaderBytes();
});

test("a header block reads the same in WebAssembly as in JavaScript (each rule's edges)", () => {
  for (const text of [
    "Diagnostic-Code: smtp; 550-5.1.1 first\n550 5.1.1 last\n650 x\n\nbody",
    "Diagnostic-Code: smtp; 550-5.1.1 first\n650 x\n550 y\n",
    "Diagnostic-Code: smtp; 450-first\r\n199 x\r\n",
    "diagnostic-CODE: x\n550 \n550 y\n",
    "From a@b Mon\nSubject : x\n\tfolded\nContent-Type: multipart/mixed;\nboundary=x\n\nbody",
    "Content-Type: text/plain; \n=x\nA: b\n",
    `A: b\n${"n".repeat(79)}: c\n${"n".repeat(80)}: d\n`,
  ])
    assertSameBlock(text, 0, text.length);
});

test("a header block reads the same in WebAssembly as in JavaScript (a line break at each place of a 16-byte compare)", () => {
  // The line-end seek compares sixteen bytes at once while sixteen lie before the block's end: each line
  // length, each start and each end of the range put the break, and the range's end, at each place.
  for (let length = 0; length <= 32; length++) {
    const line = `X-${"a".repeat(length)}: v`;
    const text = `${line}\n${line}\r\n folded${"b".repeat(length)}\n\nbody ${"c".repeat(length)}\n`;
    for (let start = 0; start <= 16; start++)
      for (let end = Math.max(start, text.length - 16); end <= text.length; end++)
        assertSameBlock(text, start, end);
  }
});

test("a header block reads the same in WebAssembly as in JavaScript (every fixture, from each line)", () => {
  const files = fixtureFiles();
  assert.ok(files.length > 400);
  for (const file of files) {
    const bytes = readFileSync(file);
    const text = bytes.toString("latin1");
    loadHeaderBytes(text, bytes);
    // Every line start of the first 400 lines (parts, groups and copies start at one), to the end and to
    // the middle of the rest.
    for (let at = 0, lines = 0; at >= 0 && lines < 400; lines++) {
      assert.ok(blockInBytes(text, at, text.length) >= 0);
      assert.deepEqual(parseHeaderBlock(text, at, text.length), parseHeaderText(text, at, text.length), file);
      const middle = at + ((text.length - at) >> 1);
      assert.deepEqual(parseHeaderBlock(text, at, middle), parseHeaderText(text, at, middle), file);
      const nl = text.indexOf("\n", at);
      at = nl < 0 ? -1 : nl + 1;
    }
  }
  unloadHeaderBytes();
});

test("a block of more fields than WebAssembly answers for is read in JavaScript, the same", () => {
  const text = `${"X-Many: value\r\n".repeat(5000)}\r\nbody`;
  loadHeaderBytes(text, Buffer.from(text, "latin1"));
  assert.equal(blockInBytes(text, 0, text.length), -1);
  const block = parseHeaderBlock(text, 0, text.length);
  assert.equal(block.fields.length, 5000);
  assert.deepEqual(block, parseHeaderText(text, 0, text.length));
  unloadHeaderBytes();
});

test("a text whose bytes are not loaded is read in JavaScript", () => {
  const text = "Subject: hi\n\nbody";
  loadHeaderBytes(text, Buffer.from(text, "latin1"));
  const other = "Subject: ho\n\nbody";
  assert.equal(blockInBytes(other, 0, other.length), -1);
  assert.equal(parseHeaderBlock(other, 0, other.length).fields[0].value, "ho");
  unloadHeaderBytes();
  assert.equal(blockInBytes(text, 0, text.length), -1);
});

test("delivery-status fields read in the message (in WebAssembly) are those of the part's own copy", () => {
  const group = fc
    .array(
      fc.constantFrom(
        "Final-Recipient: rfc822; a@b.example\n",
        "Original-Recipient: rfc822;c@d.example\r\n",
        "Action: failed\n",
        "Status: 5.1.1 (no such user)\n",
        "Diagnostic-Code: smtp; 550-5.1.1 first\n",
        "550 5.1.1 last\n",
        "Reporting-MTA: dns; mx.example\n",
        " folded\n",
        "\n",
        "\r\n",
        "From x\n",
        "Fro",
        "text\n",
      ),
      { maxLength: 30 },
    )
    .map((pieces) => pieces.join(""));
  fc.assert(
    fc.property(group, fc.nat(), fc.nat(), (text, a, b) => {
      const start = text.length === 0 ? 0 : a % (text.length + 1);
      const end = start + (b % (text.length - start + 1));
      loadHeaderBytes(text, Buffer.from(text, "latin1"));
      assert.deepEqual(parseDeliveryStatus(text, start, end), parseDeliveryStatus(text.slice(start, end)));
    }),
    { numRuns: 2000 },
  );
  // Every fixture's delivery-status parts that are as they are in the message.
  let read = 0;
  for (const file of fixtureFiles()) {
    const bytes = readFileSync(file);
    const text = bytes.toString("latin1");
    loadHeaderBytes(text, bytes);
    const mail = scanEmail(text);
    for (const part of mail.parts) {
      if (!/delivery-status/.test(part.type.type) || !partIsAsIs(text, part)) continue;
      assert.ok(blockInBytes(text, part.bodyStart, part.bodyEnd) >= 0);
      assert.deepEqual(
        parseDeliveryStatus(text, part.bodyStart, part.bodyEnd),
        parseDeliveryStatus(partText(text, part)),
        file,
      );
      read++;
    }
  }
  assert.ok(read > 200, `${read} parts`);
  unloadHeaderBytes();
});

test("a part is as it is in the message exactly when partText is its body unchanged", () => {
  const bodies = [
    "Action: failed\n",
    "Diagnostic-Code: smtp; 550 caf\xc3\xa9\n",
    "Status: =35.1.1\n",
    "\x1b$B\n",
  ];
  const headers = [
    "",
    "Content-Transfer-Encoding: base64\n",
    "Content-Transfer-Encoding: Quoted-Printable\n",
    "Content-Transfer-Encoding: 8bit\n",
  ];
  const charsets = ["", "; charset=utf-8", "; charset=ISO-2022-JP", "; charset=us-ascii"];
  let asIs = 0;
  for (const body of bodies)
    for (const header of headers)
      for (const charset of charsets) {
        const encoded = header.includes("base64")
          ? `${Buffer.from(body, "latin1").toString("base64")}\n`
          : body;
        const text = `Content-Type: multipart/report; boundary=b\n\n--b\nContent-Type: message/delivery-status${charset}\n${header}\n${encoded}--b--\n`;
        const part = scanEmail(text).parts[0];
        const same = partText(text, part) === text.slice(part.bodyStart, part.bodyEnd);
        if (partIsAsIs(text, part)) {
          assert.ok(same, text);
          asIs++;
        }
      }
  assert.ok(asIs > 5);
});

/** Pieces of quoted-printable text at each rule's edge: soft line breaks, hex digits of either case, non-hex. */
const QP_PIECES = [
  "=",
  "=\n",
  "=\r\n",
  "= \t\n",
  "=\t\r\n",
  "= x\n",
  "=\r",
  "=3D",
  "=3d",
  "=e9",
  "=Fa",
  "=G1",
  "=@0",
  "=`0",
  "=0",
  "0",
  "9",
  "A",
  "f",
  "g",
  " ",
  "\t",
  "\r",
  "\n",
  "\u00e9",
  "\u00ff",
];

test("quoted-printable decoded in WebAssembly is decodeQuotedPrintable's, for any range of any text", () => {
  fc.assert(
    fc.property(textInRange(QP_PIECES, 40), ({ text, start, end }) => {
      loadHeaderBytes(text, Buffer.from(text, "latin1"));
      const inBytes = quotedPrintableInBytes(text, start, end);
      assert.equal(
        inBytes,
        decodeQuotedPrintable(text.slice(start, end)),
        JSON.stringify({ text, start, end }),
      );
    }),
    { numRuns: 3000 },
  );
  // Not the loaded text: null (the caller decodes it in JavaScript).
  loadHeaderBytes("a=3Db", Buffer.from("a=3Db", "latin1"));
  assert.equal(quotedPrintableInBytes("a=3Dc", 0, 5), null);
  assert.equal(quotedPrintableInBytes("a=3Db", 0, 5), "a=b");
  unloadHeaderBytes();
  assert.equal(quotedPrintableInBytes("a=3Db", 0, 5), null);
});

test('quoted-printable decoded in WebAssembly is decodeQuotedPrintable\'s with an "=" at each place of a 16-byte copy', () => {
  // Sixteen bytes are copied at once while no "=" is among them and sixteen lie before the range's end.
  for (let at = 0; at <= 40; at++) {
    for (const encoded of ["=3D", "=\n", "= \r\n", "=G", "="]) {
      const text = `${"a".repeat(at)}${encoded}${"b".repeat(40 - at)}=41${"c".repeat(at)}`;
      loadHeaderBytes(text, Buffer.from(text, "latin1"));
      for (let start = 0; start <= 17; start++)
        for (let end = Math.max(start, text.length - 20); end <= text.length; end++)
          assert.equal(
            quotedPrintableInBytes(text, start, end),
            decodeQuotedPrintable(text.slice(start, end)),
            JSON.stringify({ text, start, end }),
          );
    }
  }
  unloadHeaderBytes();
});

test("every quoted-printable part of the fixtures decodes the same in WebAssembly", () => {
  let parts = 0;
  for (const file of fixtureFiles()) {
    const bytes = readFileSync(file);
    const text = bytes.toString("latin1");
    loadHeaderBytes(text, bytes);
    for (const part of scanEmail(text).parts) {
      const encoding = part.headers.fields.find((field) => field.name === "content-transfer-encoding");
      if (encoding?.value.toLowerCase() !== "quoted-printable") continue;
      parts++;
      loadHeaderBytes(text, bytes);
      assert.equal(
        quotedPrintableInBytes(text, part.bodyStart, part.bodyEnd),
        decodeQuotedPrintable(text.slice(part.bodyStart, part.bodyEnd)),
        file,
      );
    }
  }
  assert.ok(parts > 20, `${parts} quoted-printable parts`);
  unloadHeaderBytes();
});

test("a range of the loaded message is ASCII in its bytes exactly when its characters are; null for another text", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const text = Buffer.from(bytes).toString("latin1");
      loadHeaderBytes(text, Buffer.from(bytes));
      const start = text.length === 0 ? 0 : a % (text.length + 1);
      const end = start + (text.length === 0 ? 0 : b % (text.length - start + 1));
      assert.equal(asciiInBytes(text, start, end), !/[\u0080-\u00ff]/.test(text.slice(start, end)));
      assert.equal(asciiInBytes(`${text}x`, 0, 1), null);
    }),
  );
  unloadHeaderBytes();
});

test("the first message loaded detaches an ArrayBuffer, even one its memory holds without growing", () => {
  // A thread's first detach invalidates V8's ArrayBufferDetaching protector, and every optimized function that
  // reads a typed array with it: it must come with the first message, not with the first large one mid-run.
  // (A child process: this one's module was loaded by the tests above; ArrayBuffer.prototype.transfer counted.)
  const module = new URL("../../src/bounce/email/header-bytes.ts", import.meta.url).href;
  const script = `let detached = 0;
const transfer = ArrayBuffer.prototype.transfer;
ArrayBuffer.prototype.transfer = function (...args) { detached++; return transfer.apply(this, args); };
const { loadHeaderBytes } = await import(${JSON.stringify(module)});
loadHeaderBytes("Subject: a", Buffer.from("Subject: a", "latin1"));
const after = detached;
loadHeaderBytes("Subject: b", Buffer.from("Subject: b", "latin1"));
process.stdout.write(JSON.stringify([after, detached]));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "--eval", script], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), [1, 1]);
});
