import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BytePattern } from "../../src/events/byte-scan.ts";

/** The first occurrence by comparing at every position: what BytePattern must find. */
function naive(bytes: Uint8Array, needle: string, from: number, to: number): number {
  const n = Buffer.from(needle, "latin1");
  for (let i = from; i + n.length <= to; i++) {
    if (n.every((byte, j) => bytes[i + j] === byte)) return i;
  }
  return -1;
}

test("BytePattern finds the first occurrence in a range, as comparing at every position does (property)", () => {
  // A small alphabet makes near-misses and repeats (`, status=` inside `, statuses=`) common.
  const alphabet = fc.constantFrom(..."s, tau=:x".split(""));
  const text = fc.array(alphabet, { maxLength: 80 }).map((chars) => chars.join(""));
  fc.assert(
    fc.property(
      text,
      fc.oneof(
        fc.constant(", status="),
        text.filter((t) => t.length > 0 && t.length < 12),
      ),
      fc.nat(90),
      fc.nat(90),
      (haystack, needle, a, b) => {
        const bytes = Buffer.from(haystack, "latin1");
        const from = Math.min(a, b, bytes.length);
        const to = Math.min(Math.max(a, b), bytes.length);
        assert.equal(new BytePattern(needle).indexIn(bytes, from, to), naive(bytes, needle, from, to));
      },
    ),
    { numRuns: 2000 },
  );
});

test("BytePattern: a match must end inside the range; a needle longer than the range is not found", () => {
  const bytes = Buffer.from("to=<a@b>, status=sent (250 ok), status=bounced");
  const status = new BytePattern(", status=");
  assert.equal(status.indexIn(bytes, 0, bytes.length), 8);
  assert.equal(status.indexIn(bytes, 9, bytes.length), 30);
  assert.equal(status.indexIn(bytes, 0, 16), -1, "cut one byte short of the match");
  assert.equal(status.indexIn(bytes, 0, 17), 8);
  assert.equal(status.indexIn(bytes, 5, 8), -1);
  assert.throws(() => new BytePattern(""));
});
