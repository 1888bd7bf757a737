import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isoFromMs, mailDateIso, mailDateMs } from "../../src/util/dates.ts";

test("isoFromMs gives exactly what Date.prototype.toISOString gives, for any time value", () => {
  const edges = [
    0, 1, 999, 86_399_999, 951_782_400_000, 951_868_800_000, 4_107_542_400_000, 253_402_300_799_999,
  ];
  for (const ms of [...edges, 253_402_300_800_000, -1, -62_198_755_200_000, 8.64e15, -8.64e15, 1.5]) {
    assert.equal(isoFromMs(ms), new Date(ms).toISOString(), String(ms));
  }
  fc.assert(
    fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
      assert.equal(isoFromMs(ms), new Date(ms).toISOString());
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
      assert.equal(isoFromMs(ms), new Date(ms).toISOString());
    }),
    { numRuns: 10_000 },
  );
  assert.throws(() => isoFromMs(Number.NaN), RangeError);
});

test("mailDateIso reads a mail date into ISO 8601 UTC, null when there is none", () => {
  assert.equal(mailDateIso("Thu, 29 Apr 2010 23:34:45 +0900"), "2010-04-29T14:34:45.000Z");
  assert.equal(mailDateIso("Mon, 1 Mar 2100 00:00 -0130 (XYZ)"), "2100-03-01T01:30:00.000Z");
  assert.equal(mailDateIso("29 Feb 2000 12:00:00 GMT"), "2000-02-29T12:00:00.000Z");
  assert.equal(mailDateIso("not a date"), null);
  assert.equal(mailDateIso(""), null);
  assert.equal(mailDateIso(null), null);
});

test("mailDateMs reads the plain RFC 5322 form of any year it reads (1970–9999) as Date.parse does", () => {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const check = (day: number, month: string, year: number) => {
    const value = `${day} ${month} ${year} 23:59:58 +0130`;
    assert.equal(mailDateMs(value), Date.parse(value), value);
  };
  // Every year, a month and a day that move with it; every month of the years around the century rules.
  for (let year = 1970; year <= 9999; year++) check(1 + ((year * 7) % 28), months[year % 12], year);
  for (const year of [1970, 1972, 1999, 2000, 2001, 2100, 2400, 9999])
    for (const month of months) for (const day of [1, 28, 29, 30, 31, 32]) check(day, month, year);
});

test("mailDateMs reads a mail date as Date.parse reads it once its trailing comment is dropped", () => {
  const pick = <T>(...values: T[]) => fc.constantFrom(...values);
  const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, "0"));
  // RFC 5322 dates as MTAs write them, each piece sometimes off the plain form (so both readings are compared).
  const date = fc
    .tuple(
      pick("", "Thu, ", "Mon,", "Sun,  ", "Xyz, ", "thu, "),
      fc.oneof(fc.integer({ min: 0, max: 32 }).map(String), two, pick("", "1a", "007")),
      pick(" Jan ", " Feb ", " Dec ", " jan ", " Foo ", "  Apr ", " Apr"),
      fc.oneof(fc.integer({ min: 1960, max: 2100 }).map(String), pick("9999", "0001", "99", "21")),
      pick(" ", "  ", "T"),
      two,
      pick(":", "."),
      two,
      pick("", ":00", ":59", ":60", ":7", ":xx"),
      pick(" +0900", " -0000", " +2359", " -2400", " +0960", " UTC", " GMT", "", " +09", " +09:00", "+0100"),
      pick("", " (JST)", " (UTC) ", "(x)", " )"),
    )
    .map((pieces) => pieces.join(""));
  fc.assert(
    fc.property(date, (value) => {
      const text = value.endsWith(")") ? value.replace(/\s*\([^)]*\)\s*$/, "") : value;
      assert.ok(Object.is(mailDateMs(value), Date.parse(text)), value);
    }),
    { numRuns: 20_000 },
  );
});

test("a zone written as a word Date.parse does not read is its offset, an unknown one -0000 (RFC 5322 §4.3)", () => {
  // Sisimai's corpus arf-11/12: "Date: Thu, 9 Apr 2006 23:34:45 JST" (Perl Sisimai: 2006-04-09T14:34:45Z).
  assert.equal(mailDateIso("Thu, 9 Apr 2006 23:34:45 JST"), "2006-04-09T14:34:45.000Z");
  assert.equal(mailDateIso("Tue, 3 Mar 2026 10:00:00 CEST"), "2026-03-03T08:00:00.000Z");
  assert.equal(mailDateIso("Tue, 3 Mar 2026 10:00 hst"), "2026-03-03T20:00:00.000Z");
  assert.equal(mailDateIso("Tue, 3 Mar 2026 10:00:00 XYZ"), "2026-03-03T10:00:00.000Z");
  assert.equal(mailDateIso("Tue, 3 Mar 2026 10:00:00 IST (India)"), "2026-03-03T10:00:00.000Z");
  // What Date.parse reads stays its reading; a word after no time is no zone.
  assert.equal(mailDateIso("Tue, 3 Mar 2026 10:00:00 PDT"), "2026-03-03T17:00:00.000Z");
  assert.equal(mailDateIso("Tue, 3 Mar 2026 noon"), null);
  assert.equal(mailDateIso("not a date"), null);
});
