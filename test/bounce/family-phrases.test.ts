import assert from "node:assert/strict";
import { test } from "node:test";
import { familyPhrasesIn, MTA_FAMILIES } from "../../src/bounce/dialects/families.ts";

const PHRASES = [
  ...new Set(MTA_FAMILIES.flatMap((family) => family.messages.map((m) => m.phrase.toLowerCase()))),
];

/** Every phrase looked for on its own. */
const naive = (text: string): string[] => PHRASES.filter((phrase) => text.includes(phrase)).sort();

test("the family phrases found in one pass are exactly those the text holds, overlapping ones included", () => {
  const texts = PHRASES.flatMap((phrase, index) => {
    const next = PHRASES[(index + 1) % PHRASES.length];
    return [
      phrase,
      `550 ${phrase}.`,
      `${phrase}${next}`,
      `${next.slice(0, 5)}${phrase}${phrase.slice(0, 4)}`,
      phrase.slice(1),
      phrase.slice(0, -1),
      `x${phrase.toUpperCase()}`,
    ];
  });
  texts.push("", "ab", "550 5.1.1 <a@example.org>: recipient address rejected: ユーザー unknown ā");
  let found = 0;
  for (const text of texts) {
    const got = [...(familyPhrasesIn(text) ?? [])].sort();
    assert.deepEqual(got, naive(text), JSON.stringify(text));
    if (got.length > 0) found++;
  }
  assert.equal(familyPhrasesIn("nothing of the kind here: 250 2.0.0 ok"), null);
  assert.ok(found > PHRASES.length * 4, `${found} texts hold a phrase`);
});
