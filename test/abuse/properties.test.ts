import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { escapeLine } from "../../src/report/terminal.ts";
import { isCalendarDay } from "../../src/util/dates.ts";

/** Properties of the small hostile-input helpers, over any input. */

test("escapeLine: any string comes out as one line with no control or bidi character", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
      const shown = escapeLine(text);
      assert.doesNotMatch(
        shown,
        /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
      );
      // Nothing is lost: every character is kept or written as its \\uXXXX escape.
      assert.ok(shown.length >= text.length);
    }),
    { numRuns: 2000 },
  );
});

test("isCalendarDay agrees with a UTC date round trip for any YYYY-MM-DD", () => {
  const two = (n: number) => String(n).padStart(2, "0");
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      (y, m, d) => {
        const text = `${String(y).padStart(4, "0")}-${two(m)}-${two(d)}`;
        const date = new Date(Date.UTC(y, m - 1, d));
        date.setUTCFullYear(y);
        const exists = m >= 1 && m <= 12 && d >= 1 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
        assert.equal(isCalendarDay(text), exists, text);
      },
    ),
    { numRuns: 3000 },
  );
});
