import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { expandInputs, inByteOrder } from "../../src/util/walk.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-walk-order-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The order the walker promises: UTF-8 bytes compared. */
function byBytes(paths: string[]): string[] {
  return [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

test("inByteOrder is UTF-8 byte order, whatever the characters (its fast path is JavaScript's string order)", () => {
  // U+1F600 is a surrogate pair in UTF-16 (before U+E000 there) but after U+E000 in UTF-8.
  const tricky = ["a\u{1F600}", "a\uE000", "a\uFFFD", "ab", "aB", "a", "a/b", "a-b", "é", "z"];
  assert.deepEqual(inByteOrder([...tricky]), byBytes(tricky));
  assert.deepEqual(inByteOrder(["b", "a/c", "a.b"]), ["a.b", "a/c", "b"]);
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }))),
      (paths) => {
        assert.deepEqual(inByteOrder([...paths]), byBytes(paths));
      },
    ),
  );
});

test("a walked tree comes out in byte order of path, names beyond U+FFFF included", () => {
  const names = ["b.eml", "a\u{1F600}.eml", "a\uE000.eml", "A.eml", "a.eml"];
  mkdirSync(join(dir, "tree", "sub"), { recursive: true });
  for (const name of names) {
    writeFileSync(join(dir, "tree", name), "x");
    writeFileSync(join(dir, "tree", "sub", name), "x");
  }
  const { files, problems } = expandInputs([join(dir, "tree")]);
  assert.deepEqual(problems, []);
  assert.equal(files.length, names.length * 2);
  assert.deepEqual(files, byBytes(files));
});
