import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { recordDiagnostic, spacedDiagnostic } from "../../src/bounce/email/diagnostic-text.ts";

/** The record's diagnostic as its own definition says it: unfolded, trimmed, at most 4,000 characters. */
const reference = (raw: string): string => {
  const unfolded = /\s\s|[^\S ]/.test(raw) ? raw.replace(/\s+/g, " ") : raw;
  return unfolded.trim().slice(0, 4000);
};

/** Text made of the characters the slicing depends on: every kind of whitespace, a longer lower case, letters. */
const tricky = fc
  .array(
    fc.constantFrom(
      " ",
      "  ",
      "\t",
      "\r\n",
      "\n",
      "\u00a0",
      "\u2028",
      "\ufeff",
      "\u0130",
      "A",
      "b",
      "É",
      "5.1.1",
    ),
    { maxLength: 40 },
  )
  .map((pieces) => pieces.join(""));

test("the record's diagnostic and its lower case are the unfolded text trimmed, from the one lower-cased copy", () => {
  fc.assert(
    fc.property(tricky, (raw) => {
      const { diagnostic, lowerDiagnostic } = recordDiagnostic(spacedDiagnostic(raw));
      const expected = reference(raw);
      assert.equal(diagnostic, expected);
      assert.equal(lowerDiagnostic, expected.toLowerCase());
    }),
    { numRuns: 2000 },
  );
});

test("a diagnostic longer than 4,000 characters is cut, with its lower case, after its leading space", () => {
  for (const raw of [` ${"A".repeat(5000)} `, `\u0130${"B ".repeat(3000)}`, `\t\t${"x".repeat(3999)}Y\n`]) {
    const { diagnostic, lowerDiagnostic } = recordDiagnostic(spacedDiagnostic(raw));
    assert.equal(diagnostic, reference(raw));
    assert.equal(lowerDiagnostic, reference(raw).toLowerCase());
  }
});

test("a diagnostic read again (a slice of another message) is unfolded and lower-cased as the first time", () => {
  const fresh = (raw: string) => {
    const spaced = /\s\s|[^\S ]/.test(raw) ? raw.replace(/\s+/g, " ") : raw;
    return { spaced, lower: spaced.toLowerCase() };
  };
  // The unfolded text as read, without the record's strings it may keep (recordDiagnostic).
  const read = (raw: string) => {
    const { spaced, lower } = spacedDiagnostic(raw);
    return { spaced, lower };
  };
  fc.assert(
    fc.property(tricky, fc.string({ maxLength: 30 }), (raw, before) => {
      // Two equal diagnostics from two messages: the second is found kept (a different string object).
      const first = `${before}${raw}`.slice(before.length);
      const again = `x${raw}y`.slice(1, 1 + raw.length);
      assert.deepEqual(read(first), fresh(raw));
      const record = recordDiagnostic(spacedDiagnostic(first));
      assert.deepEqual(read(again), fresh(raw));
      // The record's strings as the first time: the kept ones when the text was kept.
      assert.deepEqual(recordDiagnostic(spacedDiagnostic(again)), record);
      assert.equal(record.diagnostic, reference(raw));
    }),
  );
  // Past the memo's size it starts afresh; long ones are not kept: the same answers either way.
  for (let i = 0; i < 5000; i++)
    assert.deepEqual(read(`550  user ${i}\tUNKNOWN`), fresh(`550  user ${i}\tUNKNOWN`));
  const long = `${"Mailbox  FULL ".repeat(200)}İ`;
  assert.deepEqual(read(long), fresh(long));
  assert.deepEqual(read(long.slice(0)), fresh(long));
});
