import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { oneByteSource } from "../../scripts/one-byte-source.ts";

// Characters of each width: ASCII, Latin-1 (one byte in V8 already), the BMP above U+00FF, the astral planes.
const CHARS = ["a", "b", " ", "é", "ß", "メ", "ー", "€", "😀", "😎", "𝔸"];
const char = fc.constantFrom(...CHARS);
/** A piece of a pattern: a character, one escaped (`\X`, not for /u), a class or a range of them. */
const atom = (unicode: boolean) =>
  fc.oneof(
    char,
    unicode ? char : char.map((c) => (/[a-z]/.test(c) ? c : `\\${c}`)),
    fc.array(char, { minLength: 1, maxLength: 3 }).map((cs) => `[${cs.join("")}]`),
    fc
      .tuple(char, char)
      .filter(([from, to]) => from.codePointAt(0)! <= to.codePointAt(0)!)
      .filter(([from, to]) => unicode || (from.length === 1 && to.length === 1))
      .map(([from, to]) => `[${from}-${to}]`),
  );
const inputs = fc.array(
  fc.array(char, { maxLength: 6 }).map((cs) => cs.join("")),
  { minLength: 1, maxLength: 8 },
);

test("oneByteSource: no code unit above U+00FF is left, and a pattern matches what it matched", () => {
  for (const unicode of [false, true]) {
    fc.assert(
      fc.property(fc.array(atom(unicode), { minLength: 1, maxLength: 5 }), inputs, (atoms, texts) => {
        const pattern = atoms.join("");
        const written = oneByteSource(pattern);
        assert.ok(/^[\u0000-\u00ff]*$/.test(written), written);
        const flags = unicode ? "gu" : "g";
        // As a literal in a script (how the bundle holds it) and as the pattern it is.
        const before = new Function(`return /${pattern}/${flags};`)() as RegExp;
        const after = new Function(`return /${written}/${flags};`)() as RegExp;
        for (const text of [...texts, ...CHARS, texts.join(pattern)]) {
          assert.deepEqual(text.match(after), text.match(before), `${pattern} → ${written} on ${text}`);
        }
      }),
    );
  }
});

test("oneByteSource: strings and escaped backslashes keep their value", () => {
  const piece = fc.oneof(
    char,
    fc.constant("\\\\"),
    char.map((c) => `\\${c}`),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
      const literal = `"${pieces.join("")}"`;
      const written = oneByteSource(literal);
      assert.ok(/^[\u0000-\u00ff]*$/.test(written), written);
      assert.equal(new Function(`return ${written};`)(), new Function(`return ${literal};`)());
    }),
  );
  // Latin-1 stays as it is (V8 holds it in one byte): nothing to escape.
  assert.equal(oneByteSource("/r[ée]ponse/"), "/r[ée]ponse/");
  assert.equal(oneByteSource("/メール/"), "/\\u30e1\\u30fc\\u30eb/");
});
