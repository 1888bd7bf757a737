import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { trigramModuleSource } from "../../scripts/build-wasm.ts";
import type { AnchorVisitor, IndexedAnchor, TrigramSlots } from "../../src/bounce/rules/trigram-index.ts";
import * as trigram from "../../src/bounce/rules/trigram-index.ts";

const { MAX_PLACED_TABLES, trigramSlots, visitAnchors, visitAnchorsInJs } = trigram;

test("the committed module is the assembly of trigram.wat", async () => {
  const committed = readFileSync(join(import.meta.dirname, "../../src/bounce/rules/trigram-wasm.ts"), "utf8");
  assert.equal(committed, await trigramModuleSource());
});

/** Every visit of a pass: the anchors given (by their texts) and the position. */
class Recorder implements AnchorVisitor<IndexedAnchor> {
  readonly visits: string[] = [];
  visit(anchors: readonly IndexedAnchor[], at: number): void {
    this.visits.push(`${at}:${anchors.map((entry) => entry.anchor).join("|")}`);
  }
}

function visitsOf(pass: typeof visitAnchors, slots: TrigramSlots<IndexedAnchor>, text: string): string[] {
  const recorder = new Recorder();
  pass(slots, text, recorder);
  return recorder.visits;
}

/**
 * Characters a key collides on (9 bits each: "a" and U+0161, U+0361 share them), surrogates alone and in pairs,
 * and the anchors' own letters.
 */
const CHARACTERS = "abcems -\u0161\u0361\ud83d\ude00é\u2028".split("");
const character = fc.constantFrom(...CHARACTERS);
const anchorText = fc.array(character, { minLength: 3, maxLength: 6 }).map((chars) => chars.join(""));

/** Three tables of generated anchors (a thread places MAX_PLACED_TABLES in the module: each run cannot make its own). */
const TABLES = fc
  .sample(fc.uniqueArray(anchorText, { minLength: 1, maxLength: 40 }), 3)
  .map((anchors) => trigramSlots(anchors.map((anchor) => ({ anchor, offset: 0 }))));

test("the WebAssembly pass visits what the JavaScript pass visits, in the same order", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: TABLES.length - 1 }),
      fc.array(fc.oneof(character, anchorText), { maxLength: 200 }),
      (table, pieces) => {
        const slots = TABLES[table];
        const text = pieces.join("");
        assert.deepEqual(visitsOf(visitAnchors, slots, text), visitsOf(visitAnchorsInJs, slots, text));
      },
    ),
    { numRuns: 500 },
  );
  // Each table was read in WebAssembly (placed in the module's memory), not by the JavaScript pass again.
  for (const slots of TABLES) assert.ok(slots.placedAt >= 0);
});

test("a text longer than a call of the module reads is read whole, its pieces' seams included", () => {
  const anchors = ["abc", "bca", "cab", "se-", "\u0161\u0361a"];
  const slots = trigramSlots(anchors.map((anchor) => ({ anchor, offset: 0 })));
  for (const length of [32_766, 32_767, 32_768, 32_769, 65_534, 65_535, 65_536, 100_003]) {
    const text = "abc\u0161\u0361ase-".repeat(Math.ceil(length / 10)).slice(0, length);
    const visits = visitsOf(visitAnchors, slots, text);
    assert.deepEqual(visits, visitsOf(visitAnchorsInJs, slots, text), `length ${length}`);
    assert.ok(visits.length > length / 4);
  }
  assert.ok(slots.placedAt >= 0);
});

test("short texts and texts with no indexed key", () => {
  const slots = trigramSlots(["abc", "xyz"].map((anchor) => ({ anchor, offset: 0 })));
  for (const text of ["", "a", "ab", "abc", "xab", "bc", "qqqqqqqq", "ab\u0161"]) {
    assert.deepEqual(visitsOf(visitAnchors, slots, text), visitsOf(visitAnchorsInJs, slots, text), text);
  }
  assert.deepEqual(visitsOf(visitAnchors, slots, "xabcxyz"), ["1:abc", "4:xyz"]);
});

test("a pass started inside a visit, and tables past the module's room, read as in JavaScript", () => {
  const inner = trigramSlots(["def"].map((anchor) => ({ anchor, offset: 0 })));
  const outer = trigramSlots(["abc"].map((anchor) => ({ anchor, offset: 0 })));
  const seen: string[] = [];
  const visitor: AnchorVisitor<IndexedAnchor> = {
    visit(_anchors, at) {
      seen.push(`outer ${at}`);
      visitAnchors(inner, "xdefdef", {
        visit(_inner, innerAt) {
          seen.push(`inner ${innerAt}`);
        },
      });
    },
  };
  visitAnchors(outer, "abc abc", visitor);
  assert.deepEqual(seen, ["outer 0", "inner 1", "inner 4", "outer 4", "inner 1", "inner 4"]);
  // More tables than the module holds: each still visits what JavaScript does.
  for (let n = 0; n < MAX_PLACED_TABLES + 3; n++) {
    const slots = trigramSlots([`ab${n}`, "mes"].map((anchor) => ({ anchor, offset: 0 })));
    const text = `x ab${n} mes ab${n + 1}`;
    assert.deepEqual(visitsOf(visitAnchors, slots, text), visitsOf(visitAnchorsInJs, slots, text));
    assert.ok(visitsOf(visitAnchors, slots, text).length >= 2);
  }
});
