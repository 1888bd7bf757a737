import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SyslogClock, zonedIso } from "../../src/events/syslog-time.ts";
import { isoTime } from "../../src/events/values.ts";
import { readAll } from "../../testkit/events-read.ts";

const line = (stamp: string, rcpt: string) =>
  `${stamp} h postfix/smtp[1]: AAAAAA1: to=<${rcpt}>, relay=none, delay=1, delays=0/0/0/0, dsn=5.0.0, status=bounced (x)\n`;

test("New Year: a file modified in January rolls December lines back to the previous year", async () => {
  const log = line("Dec 31 23:59:58", "a@x.example") + line("Jan  1 00:00:02", "b@x.example");
  const { events } = await readAll(log, "postfix", { modified: new Date("2027-01-01T08:00:00Z") });
  assert.deepEqual(
    events.map((e) => e.time),
    ["2026-12-31T23:59:58.000Z", "2027-01-01T00:00:02.000Z"],
  );
});

test("an explicit year counts forward across a Dec→Jan wrap", async () => {
  const log = line("Dec 31 23:59:58", "a@x.example") + line("Jan  1 00:00:02", "b@x.example");
  const { events } = await readAll(log, "postfix", { year: 2025 });
  assert.deepEqual(
    events.map((e) => e.time),
    ["2025-12-31T23:59:58.000Z", "2026-01-01T00:00:02.000Z"],
  );
});

test("tz: zone-less times are read in the IANA zone, DST included", async () => {
  const log =
    line("Jan 15 12:00:00", "a@x.example") +
    line("Jul 15 12:00:00", "b@x.example") +
    line("Jul 15 12:00:59", "c@x.example") +
    line("Jul 15 12:01:00", "d@x.example");
  const { events } = await readAll(log, "postfix", { year: 2026, tz: "America/New_York" });
  assert.deepEqual(
    events.map((e) => e.time),
    [
      "2026-01-15T17:00:00.000Z",
      "2026-07-15T16:00:00.000Z",
      "2026-07-15T16:00:59.000Z",
      "2026-07-15T16:01:00.000Z",
    ],
  );
});

test("an unknown zone is refused up front", async () => {
  await assert.rejects(
    readAll(line("Jan 15 12:00:00", "a@x"), "postfix", { tz: "Mars/Olympus" }),
    RangeError,
  );
});

test("zonedIso: offsets, Z, fractions, zone-less in tz, and malformed input", () => {
  const table: [string, string, string | null][] = [
    ["2026-09-21 12:00:07+0000", "UTC", "2026-09-21T12:00:07.000Z"],
    ["2026-09-21 12:00:07 +0200", "UTC", "2026-09-21T10:00:07.000Z"],
    ["2026-06-14T18:08:39.620674-03:00", "UTC", "2026-06-14T21:08:39.620Z"],
    ["2026-06-14T18:08:39Z", "Europe/Paris", "2026-06-14T18:08:39.000Z"],
    ["2026-06-14 18:08:39", "Europe/Paris", "2026-06-14T16:08:39.000Z"],
    ["2026-13-14 18:08:39", "UTC", null],
    ["2026-02-30 18:08:39", "UTC", null],
    ["2026-06-14T18:08:39.620674+99:59", "UTC", null],
    ["2026-06-14 18:08:39 +2400", "UTC", null],
    ["2026-06-14 18:08:39 +2359", "UTC", "2026-06-13T18:09:39.000Z"],
    ["yesterday", "UTC", null],
  ];
  for (const [stamp, tz, expected] of table) assert.equal(zonedIso(stamp, tz), expected, stamp);
});

test("SyslogClock rejects impossible dates instead of inventing one", () => {
  const clock = new SyslogClock({ year: 2026, modified: null, tz: "UTC" });
  assert.equal(clock.convert("Foo 12 10:00:00"), null);
  assert.equal(clock.convert("Feb 30 25:00:00"), null);
  // A day the month lacks is no day (Date.UTC would roll it into March), in every year the clock picks.
  assert.equal(clock.convert("Feb 30 10:00:00"), null);
  assert.equal(clock.convert("Apr 31 10:00:00"), null);
  assert.equal(clock.convert("Feb 29 10:00:00"), null);
  const leap = new SyslogClock({ year: 2028, modified: null, tz: "UTC" });
  assert.equal(leap.convert("Feb 29 10:00:00"), "2028-02-29T10:00:00.000Z");
  const fromModified = new SyslogClock({ year: null, modified: new Date("2027-06-01T00:00:00Z"), tz: "UTC" });
  assert.equal(fromModified.convert("Feb 30 10:00:00"), null);
  assert.equal(fromModified.convert("Feb 29 10:00:00"), null);
});

test("SyslogClock.lastMs is Date.parse of what convert gave, within a minute and across minutes, zones and years", () => {
  const months = ["Jan", "Mar", "Oct", "Dec", "Feb"];
  const stamp = fc
    .tuple(
      fc.constantFrom(...months),
      fc.integer({ min: 1, max: 31 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 61 }),
    )
    .map(([m, d, h, min, s]) => `${m} ${String(d).padStart(2, " ")} ${pad(h)}:${pad(min)}:${pad(s)}`);
  // Runs of stamps in one minute (only the seconds change) between jumps elsewhere.
  const run = fc.tuple(stamp, fc.array(fc.integer({ min: 0, max: 69 }), { maxLength: 6 }));
  const cases: [number | null, Date | null, string][] = [
    [2026, null, "UTC"],
    [null, new Date("2027-01-01T08:00:00Z"), "Europe/Paris"],
    [null, new Date("2026-03-29T01:30:00Z"), "America/New_York"],
    [275760, null, "UTC"],
    [-5, null, "Asia/Kolkata"],
  ];
  for (const [year, modified, tz] of cases) {
    fc.assert(
      fc.property(fc.array(run, { maxLength: 20 }), (runs) => {
        const clock = new SyslogClock({ year, modified, tz });
        for (const [first, seconds] of runs) {
          for (const line of [first, ...seconds.map((s) => `${first.slice(0, 13)}${pad(s)}`)]) {
            const iso = clock.convert(line);
            assert.equal(clock.lastMs, iso === null ? Number.NaN : Date.parse(iso), `${line} ${tz} ${year}`);
          }
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  }
});

const pad = (n: number) => String(n).padStart(2, "0");

test("isoTime: unix seconds (whole and fractional), milliseconds and ISO strings agree with Date", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (seconds) => {
      assert.equal(isoTime(seconds), new Date(seconds * 1000).toISOString());
      // Numbers above 1e11 are milliseconds (1e11 seconds is the year 5138).
      if (seconds * 1000 > 1e11)
        assert.equal(isoTime(seconds * 1000 + 7), new Date(seconds * 1000 + 7).toISOString());
    }),
    { numRuns: 2000, seed: 7 },
  );
  assert.equal(isoTime(1534110422.389832), "2018-08-12T21:47:02.389Z");
  assert.equal(isoTime("1464824548"), "2016-06-01T23:42:28.000Z");
  assert.equal(isoTime("2024-01-15T10:30:00Z"), "2024-01-15T10:30:00.000Z");
  assert.equal(isoTime("soon"), null);
  assert.equal(isoTime(Number.NaN), null);
  // Blank is no time, not the epoch Number(" ") would make of it (the SQL reader's cast gives NULL too).
  for (const blank of [" ", "\t\r\n", "\u00a0"]) assert.equal(isoTime(blank), null, JSON.stringify(blank));
});
