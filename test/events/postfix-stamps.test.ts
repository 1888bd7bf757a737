import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { chunkBuffer, chunkMemory } from "../../src/bounce/line-bytes.ts";
import { detectFormat } from "../../src/events/detect.ts";
import type { DeliveryEvent } from "../../src/events/event.ts";
import { lineReader } from "../../src/events/read.ts";
import { HEAD_INTS } from "../../src/events/source.ts";
import { readAll } from "../../testkit/events-read.ts";

// Postfix lines as journalctl and raw network syslog write them (review R21): the classic stamp with a
// fraction (`-o short-precise`), weekday, date, time and zone (`-o short-full`), and a PRI part first
// (RFC 3164 §4.1.1). Each is read as the classic stamp's line is, at its own time.

const CLASSIC = readFileSync(new URL("../fixtures/events/postfix-01.log", import.meta.url), "latin1");
const modified = new Date("2026-03-01T00:00:00Z");
const SECONDS = ["50", "50", "56", "57", "58"];

/** postfix-01.log with each line's classic stamp (`Feb  2 12:34:SS`) written by `stamp`. */
function restamped(stamp: (seconds: string) => string): string {
  return CLASSIC.replace(/^Feb {2}2 12:34:(\d\d) /gm, (_, seconds: string) => `${stamp(seconds)} `);
}

/** What a record says, times aside. */
const record = (e: DeliveryEvent) => ({ ...e, time: null });

const STAMPS: [string, (seconds: string) => string, (seconds: string) => string][] = [
  ["short-precise", (s) => `Feb 02 12:34:${s}.123456`, (s) => `2026-02-02T12:34:${s}.123Z`],
  ["short-precise, a tenth", (s) => `Feb  2 12:34:${s}.5`, (s) => `2026-02-02T12:34:${s}.500Z`],
  ["short-full, UTC", (s) => `Mon 2026-02-02 12:34:${s} UTC`, (s) => `2026-02-02T12:34:${s}.000Z`],
  ["short-full, numeric zone", (s) => `Mon 2026-02-02 13:34:${s} +0100`, (s) => `2026-02-02T12:34:${s}.000Z`],
  ["PRI", (s) => `<22>Feb  2 12:34:${s}`, (s) => `2026-02-02T12:34:${s}.000Z`],
  ["PRI, short-precise", (s) => `<191>Feb  2 12:34:${s}.25`, (s) => `2026-02-02T12:34:${s}.250Z`],
  ["PRI, RFC 3339", (s) => `<22>2026-02-02T13:34:${s}.5+01:00`, (s) => `2026-02-02T12:34:${s}.500Z`],
  ["PRI, date and time", (s) => `<22>2026-02-02 12:34:${s}`, (s) => `2026-02-02T12:34:${s}.000Z`],
];

test("Postfix lines with journalctl's and raw syslog's stamps give the classic stamp's records", async () => {
  const classic = await readAll(CLASSIC, "postfix", { modified });
  assert.equal(classic.events.length, 2);
  for (const [what, stamp, iso] of STAMPS) {
    const log = restamped(stamp);
    assert.equal(detectFormat(log, "x.log"), "postfix", what);
    const { events, problems } = await readAll(log, "postfix", { modified });
    assert.deepEqual(problems, [], what);
    assert.deepEqual(events.map(record), classic.events.map(record), what);
    assert.deepEqual(
      events.map((e) => e.time),
      [iso(SECONDS[2]), iso(SECONDS[3])],
      what,
    );
  }
});

test("short-full's zone name other than UTC is read as a wall time of --tz", async () => {
  const log = restamped((s) => `Mon 2026-02-02 13:34:${s} CET`);
  const { events } = await readAll(log, "postfix", { modified, tz: "Europe/Berlin" });
  assert.deepEqual(
    events.map((e) => e.time),
    ["2026-02-02T12:34:56.000Z", "2026-02-02T12:34:57.000Z"],
  );
});

test("a fraction or a PRI part keeps the classic stamp's year rule", async () => {
  // No year in the stamp: a December line in a file last written in March is of the year before.
  const log = restamped((s) => `<22>Dec 30 12:34:${s}.5`);
  const { events } = await readAll(log, "postfix", { modified });
  assert.deepEqual(
    events.map((e) => e.time),
    ["2025-12-30T12:34:56.500Z", "2025-12-30T12:34:57.500Z"],
  );
});

test("a line's head with another stamp is read in WebAssembly's chunk memory as in JavaScript", () => {
  const memory = Buffer.from(chunkBuffer(chunkMemory(65536)));
  const headOf = lineReader("postfix", "x.log", { shard: { index: 0, count: 2 } }).headOf();
  assert.ok(headOf !== null);
  const head = (bytes: Buffer, line: string) => {
    const length = bytes.write(line, 3, "latin1");
    const into = new Int32Array(HEAD_INTS + 2).fill(7);
    return headOf(bytes, 3, 3 + length, into, 1) ? [...into] : null;
  };
  const rest = "mx postfix/smtp[9]: 4F2A1B3C9D: to=<a@b.example>, relay=none, status=bounced (x)";
  const classic: number[] | null = head(memory, `Jan  5 08:00:00 ${rest}`);
  assert.ok(classic !== null);
  const stamps = [
    "Jan 05 08:00:00.123456",
    "Mon 2026-01-05 08:00:00 UTC",
    "<22>Jan  5 08:00:00",
    "<22>2026-01-05T08:00:00+00:00",
  ];
  for (const stamp of stamps) {
    const line = `${stamp} ${rest}`;
    const wasm = head(memory, line);
    assert.deepEqual(wasm, head(Buffer.alloc(line.length + 16), line), stamp);
    // The same head (hash first, then positions, then the status word), its positions moved by the
    // stamp's extra length.
    const shift = stamp.length - "Jan  5 08:00:00".length;
    const positions = (i: number) => i > 1 && i < HEAD_INTS;
    const moved: number[] = classic.map((v: number, i: number) => (positions(i) ? v + shift : v));
    assert.deepEqual(wasm, moved, stamp);
  }
  // Not a stamp: a PRI part of four digits, a fraction without digits, short-full without its zone.
  for (const stamp of ["<1234>Jan  5 08:00:00", "Jan  5 08:00:00.", "Mon 2026-01-05 08:00:00"])
    assert.equal(head(memory, `${stamp} ${rest}`), null, stamp);
});

test("a status line whose stamp is none the reader reads is a problem, not nothing; another unstamped line stays unread (review R154)", async () => {
  const status = CLASSIC.split("\n").filter((line) => line.includes("status="));
  const unstamped = (line: string) => line.replace(/^Feb {2}2 12:34:\d\d /, "- ");
  const text = [
    unstamped(status[0]),
    "- mail postfix/qmgr[1]: 3F2A1B9C: removed",
    status[1],
    unstamped(status[1]).replace(/^- /, "host.example "),
  ].join("\n");
  const { events, problems } = await readAll(`${text}\n`, "postfix", { modified });
  const why = "a Postfix status line whose time cannot be read (no syslog or ISO stamp)";
  assert.deepEqual(
    problems.map((p) => [p.source.line, p.message]),
    [
      [1, why],
      [4, why],
    ],
  );
  assert.equal(events.length, 1);
});

test("an unstamped status line is one problem on two threads, and a tag of many slashes is read once (review R154's rest)", async () => {
  const line =
    "- mail postfix/smtp[77]: 3F2A1B9D: to=<bob@example.com>, relay=mx[192.0.2.1]:25, status=bounced (550 5.1.1 inconnu é)";
  const shards = [null, { index: 0, count: 2 }, { index: 1, count: 2 }];
  const counts = [];
  for (const shard of shards)
    counts.push((await readAll(`${line}\n`, "postfix", { modified, shard })).problems.length);
  assert.deepEqual(counts, [1, 1, 0]);
  // Quadratic before: the regexp tried every split of the slashes (a line of 1M: hours, past the test bound).
  const slashes = `- x ${"/".repeat(1_000_000)}: 3F2A1B9D: status=sent\n`;
  assert.equal((await readAll(slashes, "postfix", { modified })).problems.length, 1);
});
