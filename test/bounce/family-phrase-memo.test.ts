import assert from "node:assert/strict";
import { test } from "node:test";
import { familyReason, MTA_FAMILIES } from "../../src/bounce/dialects/families.ts";

// familyReason keeps which family phrases a lower-cased diagnostic holds (a repeated diagnostic is not scanned
// again): what it keeps must not stand in for what each call decides — the families that count, and the
// phrase as written (case included).
const family = MTA_FAMILIES.find((each) => each.messages.some((m) => m.phrase !== m.phrase.toUpperCase()));
const message = family?.messages.find((m) => m.phrase !== m.phrase.toUpperCase());

test("a diagnostic seen again is decided afresh: which families count, and the phrase's case", () => {
  assert.ok(family && message, "a family with a phrase that has letters");
  const text = `550 … ${message.phrase} …`;
  const expected = familyReason([family], text)?.reason;
  assert.ok(expected, `${family.id}: '${message.phrase}' found`);
  assert.equal(familyReason([family], text)?.reason, expected, "the same text again");
  assert.equal(familyReason([], text), null, "the same text, no family counting");
  assert.equal(
    familyReason(() => false, text),
    null,
    "the same text, no family marked",
  );
  const shouted = `550 … ${message.phrase.toUpperCase()} …`;
  assert.equal(familyReason([family], shouted), null, "the same lower-cased text, the phrase not as written");
  assert.equal(familyReason([family], text)?.reason, expected, "and as written once more");
});
