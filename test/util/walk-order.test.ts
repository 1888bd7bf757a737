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

test("firstFile is told one regular file, once, before the walk goes on: a file argument, else one found in a directory", () => {
  const root = join(dir, "first");
  mkdirSync(join(root, "a", "deep"), { recursive: true });
  mkdirSync(join(root, "b"), { recursive: true });
  writeFileSync(join(root, "a", "deep", "one.eml"), "x");
  writeFileSync(join(root, "b", "two.eml"), "x");
  writeFileSync(join(root, "b", "three.eml"), "x");
  const told: string[] = [];
  let foundWhenTold = -1;
  let found = 0;
  const { files } = expandInputs(
    [root, join(root, "b", "two.eml")],
    (count) => {
      found = count;
    },
    (path) => {
      told.push(path);
      foundWhenTold = found;
    },
  );
  assert.equal(told.length, 1, "told once");
  assert.ok(files.includes(told[0]), `${told[0]} is one of the files walked`);
  assert.ok(foundWhenTold < files.length - 1, "told before the walk went on to the other directory");

  const argument: string[] = [];
  expandInputs(["-", join(root, "b", "two.eml"), root], undefined, (path) => argument.push(path));
  assert.deepEqual(argument, [join(root, "b", "two.eml")], "a file argument, not stdin, and only the first");
});
