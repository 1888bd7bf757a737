import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MemoryWords, WordLiteral } from "../../src/bounce/word-literal.ts";

/** What WordLiteral.at must answer: the bytes compared one by one. */
function sameBytes(bytes: Uint8Array, at: number, literal: Uint8Array): boolean {
  for (let i = 0; i < literal.length; i++) if (bytes[at + i] !== literal[i]) return false;
  return true;
}

test("a literal compared by aligned words is found exactly where its bytes are, at every alignment, near the memory's end and the end of the bytes (property)", () => {
  const alphabet = fc.constantFrom(0, 1, 32, 64, 65, 97, 127, 128, 255);
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 40 }),
      fc.array(alphabet, { minLength: 1, maxLength: 80 }),
      fc.nat(7),
      fc.nat(3),
      fc.nat(100),
      (literalBytes, around, offset, tailBytes, seed) => {
        const literal = Uint8Array.from(literalBytes);
        // The memory: `offset` bytes before the view, the bytes, up to 3 bytes after (not a whole word); shared
        // memory too (a big log's chunks).
        const length = around.length + literal.length;
        const size = offset + length + tailBytes;
        const memory = seed % 2 === 0 ? new ArrayBuffer(size) : new SharedArrayBuffer(size);
        const bytes = new Uint8Array(memory, offset, length);
        bytes.set(around);
        // The literal itself, or a copy with one byte changed, at some place.
        const at = seed % (length - literal.length + 1);
        bytes.set(literal, at);
        if (seed % 3 === 0 && literal.length > 0) bytes[at + (seed % literal.length)] ^= 1 << (seed % 8);
        const words = new MemoryWords().of(bytes);
        const word = new WordLiteral(literal);
        for (let i = 0; i + literal.length <= length; i++) {
          assert.equal(word.at(words, bytes, i), sameBytes(bytes, i, literal), `at ${i}`);
        }
      },
    ),
    { numRuns: 400 },
  );
});

test("the words follow the bytes asked for: another array over other memory is read as its own", () => {
  const word = new WordLiteral(Buffer.from("relay=mx"));
  const memory = new MemoryWords();
  const a = Buffer.from("xx relay=mx yy");
  const b = Buffer.from("xx relay=MX yy");
  assert.equal(word.at(memory.of(a), a, 3), true);
  assert.equal(word.at(memory.of(b), b, 3), false);
  assert.equal(word.at(memory.of(a), a, 3), true);
});

test("a literal at the very end of the bytes is found whatever memory lies after them", () => {
  const word = new WordLiteral(Buffer.from("gsmtp"));
  const memory = new Uint8Array(64).fill(0x78);
  memory.set(Buffer.from("- gsmtp"), 10);
  // The view ends inside a word; the memory's bytes after it are not the view's.
  const bytes = memory.subarray(2, 17);
  assert.equal(word.at(new MemoryWords().of(bytes), bytes, 10), true);
  memory[16] = 0x71;
  assert.equal(word.at(new MemoryWords().of(bytes), bytes, 10), false);
});
