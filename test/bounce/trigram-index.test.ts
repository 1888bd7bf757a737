import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { familyReason, MTA_FAMILIES, type MtaFamily } from "../../src/bounce/dialects/families.ts";
import { TrigramIndex } from "../../src/bounce/rules/trigram-index.ts";

/** Every anchor the index finds in `text` (compared where its bucket says), as a set. */
function foundBy(index: TrigramIndex<{ anchor: string; offset: number }>, text: string): Set<string> {
  const found = new Set<string>();
  for (let i = 0; i + 2 < text.length; i++)
    for (const { anchor, offset } of index.bucketAt(text, i))
      if (i >= offset && text.startsWith(anchor, i - offset)) found.add(anchor);
  return found;
}

test("the trigram index finds exactly the anchors a text holds, wherever they are", () => {
  // A small alphabet so anchors share trigrams and texts hold them often; characters beyond 511 collide.
  const char = fc.constantFrom("a", "b", "c", " ", ".", "\u0161", "\u2161", "\u{1f600}");
  const word = fc.array(char, { minLength: 3, maxLength: 8 }).map((chars) => chars.join(""));
  fc.assert(
    fc.property(
      fc.uniqueArray(word, { minLength: 1, maxLength: 30 }),
      fc.array(char, { maxLength: 60 }),
      (anchors, chars) => {
        const index = new TrigramIndex(anchors.map((anchor) => ({ anchor, offset: 0 })));
        // The text holds some anchors for sure, between random characters.
        const text = chars.join("") + anchors.filter((_, n) => n % 3 === 0).join(chars.slice(0, 2).join(""));
        const expected = new Set(anchors.filter((anchor) => text.includes(anchor)));
        assert.deepEqual(foundBy(index, text), expected);
      },
    ),
    { numRuns: 300 },
  );
});

test("an anchor shorter than three characters is refused (it has no trigram to be found by)", () => {
  assert.throws(() => new TrigramIndex([{ anchor: "ab", offset: 0 }]), /shorter than three/);
});

/** familyReason as the table reads, one family message at a time (no index): the reference. */
function familyReasonByScan(diagnostic: string): { family: MtaFamily; reason: string } | null {
  const lower = diagnostic.toLowerCase();
  const passed = new Set<MtaFamily>();
  for (const family of MTA_FAMILIES)
    for (const message of family.messages) {
      if (passed.has(family) || !lower.includes(message.phrase.toLowerCase())) continue;
      // A vague message counts only when no specific status (no part 0: "5.2.2", not "5.7.0") is given.
      const status = /\b[45]\.\d{1,3}\.\d{1,3}\b/.exec(diagnostic)?.[0];
      if (message.vagueStatusOnly && status !== undefined && !status.includes(".0")) continue;
      return { family, reason: message.reason };
    }
  return null;
}

test("familyReason finds the first family message (table order) whose phrase a diagnostic holds", () => {
  const phrases = MTA_FAMILIES.flatMap((family) => family.messages.map((message) => message.phrase));
  const piece = fc.oneof(
    fc.constantFrom(...phrases),
    fc.constantFrom(...phrases).map((phrase) => phrase.toUpperCase()),
    // A phrase cut short: must not count.
    fc.constantFrom(...phrases).map((phrase) => phrase.slice(0, -1)),
    fc.string({ maxLength: 12 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
      const diagnostic = pieces.join(" ");
      const got = familyReason(MTA_FAMILIES, diagnostic);
      const want = familyReasonByScan(diagnostic);
      assert.equal(got?.family.id ?? null, want?.family.id ?? null, diagnostic);
      assert.equal(got?.reason ?? null, want?.reason ?? null, diagnostic);
    }),
    { numRuns: 500 },
  );
});
