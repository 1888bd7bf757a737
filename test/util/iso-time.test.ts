import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isoTime } from "../../src/events/values.ts";
import { isoFromMs, isoTextMs, mailDateIso, mailDateMs, timeTextMs } from "../../src/util/dates.ts";

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

test("mailDateMs reads the plain RFC 5322 form of any year it reads (1970–9999) as Date.parse does, and no day a month lacks", () => {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const check = (day: number, month: string, year: number) => {
    const value = `${day} ${month} ${year} 23:59:58 +0130`;
    const exists = new Date(Date.UTC(year, months.indexOf(month), day)).getUTCDate() === day;
    assert.ok(Object.is(mailDateMs(value), exists ? Date.parse(value) : Number.NaN), value);
  };
  // Every year, a month and a day that move with it; every month of the years around the century rules.
  for (let year = 1970; year <= 9999; year++) check(1 + ((year * 7) % 28), months[year % 12], year);
  for (const year of [1970, 1972, 1999, 2000, 2001, 2100, 2400, 9999])
    for (const month of months) for (const day of [1, 28, 29, 30, 31, 32]) check(day, month, year);
});

test("mailDateMs reads a mail date as Date.parse reads it once its trailing comment is dropped, where that time exists", () => {
  const pick = <T>(...values: T[]) => fc.constantFrom(...values);
  const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, "0"));
  // RFC 5322 dates as MTAs write them, each piece sometimes off the plain form (so both readings are compared).
  const date = fc
    .tuple(
      pick("", "Thu, ", "Mon,", "Sun,  ", "Sat,   ", "Xyz, ", "thu, "),
      fc.oneof(fc.integer({ min: 0, max: 32 }).map(String), two, pick("", "1a", "007")),
      pick(" Jan ", " Feb ", " Dec ", " jan ", " Foo ", "  Apr ", " Apr"),
      fc.oneof(fc.integer({ min: 1960, max: 2100 }).map(String), pick("9999", "0001", "99", "21")),
      pick(" ", "  ", "T"),
      two,
      pick(":", "."),
      two,
      pick("", ":00", ":59", ":60", ":7", ":xx"),
      pick(
        " +0900",
        " -0000",
        " +2359",
        " -2400",
        " +0960",
        " UTC",
        " GMT",
        " UT",
        " Z",
        "",
        " +09",
        " +09:00",
        "+0100",
      ),
      pick("", " (JST)", " (UTC) ", "(x)", " )"),
    )
    .map((pieces) => pieces.join(""));
  fc.assert(
    fc.property(date, (value) => {
      const text = value.endsWith(")") ? value.replace(/\s*\([^)]*\)\s*$/, "") : value;
      const parsed = Date.parse(text);
      const ms = mailDateMs(value);
      // Never another time than Date.parse's; NaN only where Date.parse's time is not the one written.
      assert.ok(Object.is(ms, parsed) || Number.isNaN(ms), value);
      const written = writtenFields(text);
      if (written === null || Number.isNaN(parsed)) return;
      const local = new Date(parsed + written.offsetMinutes * 60_000);
      const asWritten =
        local.getUTCDate() === written.day &&
        local.getUTCHours() === written.hour &&
        local.getUTCMinutes() === written.minute &&
        local.getUTCSeconds() === written.second &&
        written.zoneExists &&
        local.getUTCFullYear() >= 1970 &&
        local.getUTCFullYear() <= 9999;
      assert.ok(Object.is(ms, asWritten ? parsed : Number.NaN), value);
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

/** The fields a plain `D Mon YYYY HH:MM[:SS] ±HHMM` date writes (a zone of under 24 hours exists), or null for other forms. */
function writtenFields(text: string): {
  day: number;
  hour: number;
  minute: number;
  second: number;
  offsetMinutes: number;
  zoneExists: boolean;
} | null {
  const m =
    /^(?:[A-Z][a-z]{2}, ?)?(\d{1,2}) [A-Z][a-z]{2} \d{4} (\d\d):(\d\d)(?::(\d\d))? ([+-])(\d\d)(\d\d)$/.exec(
      text,
    );
  if (m === null) return null;
  const offset = Number(m[6]) * 60 + Number(m[7]);
  return {
    day: Number(m[1]),
    hour: Number(m[2]),
    minute: Number(m[3]),
    second: Number(m[4] ?? 0),
    offsetMinutes: m[5] === "-" ? -offset : offset,
    zoneExists: Number(m[6]) <= 23 && Number(m[7]) <= 59,
  };
}

test("isoTextMs reads ISO 8601 / RFC 3339 times as Date.UTC computes them, and refuses times that do not exist", () => {
  const two = (n: number) => String(n).padStart(2, "0");
  const zones: Array<[string, number | null]> = [
    ["", 0],
    ["Z", 0],
    ["z", 0],
    [" UTC", 0],
    ["+01:00", 60],
    ["-0330", -210],
    ["+05", 300],
    [" +23:59", 1439],
    ["+24:00", null],
    ["-2400", null],
    ["+9959", null],
    ["+01:60", null],
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 1965, max: 2105 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.option(
        fc.tuple(
          fc.constantFrom("T", " ", "t"),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 60 }),
          fc.option(fc.integer({ min: 0, max: 60 })),
          fc.constantFrom("", ".5", ".123456", ",25"),
        ),
      ),
      fc.constantFrom(...zones),
      (year, month, day, time, [zone, zoneMinutes]) => {
        let text = `${year}-${two(month)}-${two(day)}`;
        let [hour, minute, second, fraction] = [0, 0, 0, 0];
        if (time !== null) {
          [hour, minute] = [time[1], time[2]];
          second = time[3] ?? 0;
          text += `${time[0]}${two(hour)}:${two(minute)}${time[3] === null ? "" : `:${two(second)}${time[4]}`}`;
          if (time[3] !== null && time[4] !== "")
            fraction = Math.floor(Number(`0.${time[4].slice(1)}`) * 1000 + 1e-9);
        }
        text += zone;
        const exists =
          year >= 1970 &&
          month >= 1 &&
          month <= 12 &&
          day >= 1 &&
          new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day &&
          hour <= 23 &&
          minute <= 59 &&
          second <= 59 &&
          zoneMinutes !== null;
        const expected = exists
          ? Date.UTC(year, month - 1, day, hour, minute, second, fraction) - (zoneMinutes ?? 0) * 60_000
          : Number.NaN;
        assert.ok(Object.is(isoTextMs(text), expected), text);
      },
    ),
    { numRuns: 20_000 },
  );
  for (const other of [
    "Sun, 06 Dec 2026 19:00:00 +0000",
    "12/31/2026",
    "-000001-01-01T00:00:00Z",
    "+010000-01-01T00:00:00Z",
    "2026-12-06T19:00:00 GMT+0100",
    "2026-12-06x",
  ])
    assert.equal(isoTextMs(other), null, other);
});

test("a time that does not exist is no time in any spelling (review R94): no rolled-over day, no 24-hour zone", () => {
  const refused = [
    "2026-02-31T00:00:00Z",
    "2026-02-30",
    "2026-12-06T24:00:00Z",
    "2026-12-06 19:00:00 +2400",
    "2026-12-06T19:00:00+24:00",
    "2026-12-06 19:00:00 +9959",
    "-000001-01-01T00:00:00Z",
    "+010000-01-01T00:00:00Z",
    "Sun, 31 Feb 2026 10:00:00 +0000",
    "Sun, 06 Dec 2026 19:00:00 +2400",
    "Sun, 06 Dec 2026 19:00:00 -9999",
    "Sun, 06 Dec 2026 24:00:00 +0000",
    "Feb 30 2026 10:00:00",
    "2/29/2027",
  ];
  for (const text of refused) {
    assert.ok(Number.isNaN(timeTextMs(text)), text);
    assert.equal(isoTime(text), null, text);
  }
  // The same instants written as they exist are read, in every spelling.
  const readable: Array<[string, string]> = [
    ["2026-03-03T00:00:00Z", "2026-03-03T00:00:00.000Z"],
    ["2026-12-06 19:00:00 +2300", "2026-12-05T20:00:00.000Z"],
    ["Sun, 06 Dec 2026 19:00:00 -0000", "2026-12-06T19:00:00.000Z"],
    ["2/29/2028", "2028-02-29T00:00:00.000Z"],
    ["Dec 6, 2026 7:00 PM", "2026-12-06T19:00:00.000Z"],
    [" 2026-12-06T19:00:00.123456+01:00 ", "2026-12-06T18:00:00.123Z"],
  ];
  for (const [text, iso] of readable) assert.equal(isoTime(text), iso, text);
});
