import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  asciiBytes,
  BytePattern,
  ByteTexts,
  lastIndexOfByte,
  lastIndexOfBytes,
} from "../../src/events/byte-scan.ts";

/** The first occurrence by comparing at every position: what BytePattern must find. */
function naive(bytes: Uint8Array, needle: string, from: number, to: number): number {
  const n = Buffer.from(needle, "latin1");
  for (let i = from; i + n.length <= to; i++) {
    if (n.every((byte, j) => bytes[i + j] === byte)) return i;
  }
  return -1;
}

/** A haystack's bytes and a range in them from two random ends. */
function ranged(haystack: string, a: number, b: number): { bytes: Buffer; from: number; to: number } {
  const bytes = Buffer.from(haystack, "latin1");
  return { bytes, from: Math.min(a, b, bytes.length), to: Math.min(Math.max(a, b), bytes.length) };
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
        const { bytes, from, to } = ranged(haystack, a, b);
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

test("lastIndexOfBytes / lastIndexOfByte find the last occurrence lying wholly in a range, as lastIndexOf does (property)", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom("a", "b", " ", "("), maxLength: 40 }),
      fc.string({ unit: fc.constantFrom("a", "b", " ", "("), minLength: 1, maxLength: 4 }),
      fc.nat(45),
      fc.nat(45),
      (haystack, needle, a, b) => {
        const { bytes, from, to } = ranged(haystack, a, b);
        const part = haystack.slice(from, to);
        const last = part.lastIndexOf(needle);
        assert.equal(lastIndexOfBytes(bytes, asciiBytes(needle), from, to), last < 0 ? -1 : from + last);
        const byte = part.lastIndexOf(needle[0]);
        assert.equal(lastIndexOfByte(bytes, needle.charCodeAt(0), from, to), byte < 0 ? -1 : from + byte);
      },
    ),
    { numRuns: 2000 },
  );
});

test("ByteTexts gives the text of any byte run, the same string again for a run seen last in its slot (property)", () => {
  const texts = new ByteTexts();
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: fc.constantFrom("a", "b", "4", "."), maxLength: 6 }), { maxLength: 600 }),
      (runs) => {
        const bytes = Buffer.from(runs.join(""), "latin1");
        let at = 0;
        for (const run of runs) {
          const text = texts.of(bytes, at, at + run.length);
          assert.equal(text, run);
          assert.equal(texts.of(bytes, at, at + run.length), text);
          at += run.length;
        }
      },
    ),
  );
});
