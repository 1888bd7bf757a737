import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { chunkBuffer, chunkMemory } from "../../src/bounce/line-bytes.ts";
import { lineReader } from "../../src/events/read.ts";
import { HEAD_INTS } from "../../src/events/source.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";
import { POSTFIX_EDGE_LINES } from "../../testkit/postfix-edge-log.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

/** A chunk memory of 64 KiB, as a Buffer (a line there is read by line-bytes.wat's `head`). */
const memory = Buffer.from(chunkBuffer(chunkMemory(65536)));

/** The Postfix parser's head of `line` (null: no queue id), its bytes at `at` in `bytes`. */
function headIn(bytes: Buffer, at: number, line: string): number[] | null {
  const headOf = lineReader("postfix", "x.log", { shard: { index: 0, count: 2 } }).headOf();
  assert.ok(headOf !== null);
  const length = bytes.write(line, at, "latin1");
  const into = new Int32Array(HEAD_INTS + 2).fill(7);
  return headOf(bytes, at, at + length, into, 1) ? [...into] : null;
}

/** The head read in a chunk memory (WebAssembly) and in a buffer of its own (JavaScript), at other offsets. */
function bothWays(line: string): [number[] | null, number[] | null] {
  return [headIn(memory, 3, line), headIn(Buffer.alloc(line.length + 16), 3, line)];
}

const sampleLines = (chunks: Iterable<string>, most: number) =>
  [...chunks]
    .join("")
    .split("\n")
    .filter((line) => line.length > 0)
    .slice(0, most);

test("a line's head is the same read in WebAssembly as in JavaScript: real lines", () => {
  const lines = [
    ...POSTFIX_EDGE_LINES,
    ...sampleLines(postfixGrepLogChunks(400, 3), 400),
    ...sampleLines(postfixLogChunks(300, 5), 600),
    "2026-06-14 18:08:39 mx postfix/smtp[12]: 4F2A1B3C9D: to=<a@b.example>, status=sent (250 ok)",
    "2026-06-14T18:08:39.123456+00:00 mx postfix/smtp[12]: 4F2A1B3C9D: to=<a@b.example>, status=expired",
    "Jan  5 08:00:00 mx postfix/qmgr[9]: 4F2A1B3C9D: removed",
    "Jan  5 08:00:00 mx postfix/smtp[9]: 4F2A1B3C9D: to=<a@b.example>, status=bouncedx (x)",
    // `, status=` at the very end (no word), and cut one byte short.
    "Jan  5 08:00:00 mx postfix/smtp[9]: 4F2A1B3C9D: to=<a@b.example>, relay=none, status=",
    "Jan  5 08:00:00 mx postfix/smtp[9]: 4F2A1B3C9D: to=<a@b.example>, relay=none, status",
  ];
  let read = 0;
  for (const line of lines) {
    const [wasm, js] = bothWays(line);
    assert.deepEqual(wasm, js, line);
    if (wasm !== null) read++;
  }
  // Most are recipient lines, with a queue id.
  assert.ok(read > lines.length / 2, `${read} of ${lines.length}`);
});

test("a line's head is the same read in WebAssembly as in JavaScript (property)", () => {
  // A line as stamp, host, tag, queue id and rest, each part often a near-miss (no `/`, an id too short
  // or too long or with a space, `, status` cut, another word), so that every check decides some lines.
  const stamp = fc.constantFrom(
    "Jan  5 08:00:00",
    "Jan  5 08:00:0",
    "2026-06-14 18:08:39",
    "2026-06-14T18:08:39Z",
    "",
  );
  const host = fc.constantFrom(" mx ", " mx", "  ", " ");
  const tag = fc.constantFrom("postfix/smtp[1]", "postfix[1]", "postfix/smtp[1]:", "a:/b", "");
  const id = fc.stringMatching(/^[0-9A-Za-z :]{0,23}$/);
  const part = fc.constantFrom(
    ": ",
    ":",
    "to=<",
    "to=",
    "a@b.example",
    ">",
    ", relay=x[1.2.3.4]:25",
    ", status=",
    ", status",
    "sent",
    "deferred",
    "bounced",
    "expired",
    "expire",
    " (250 ok)",
    " ",
    "é",
  );
  fc.assert(
    fc.property(stamp, host, tag, id, fc.array(part, { maxLength: 8 }), (s, h, t, q, rest) => {
      const line = `${s}${h}${t}: ${q}${rest.join("")}`;
      const [wasm, js] = bothWays(line);
      assert.deepEqual(wasm, js, line);
    }),
    { numRuns: 4000 },
  );
});
