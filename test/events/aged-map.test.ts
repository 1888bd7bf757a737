import assert from "node:assert/strict";
import { test } from "node:test";
import { AgedMap, AgedTable, NONE } from "../../src/events/aged-map.ts";
import { newCounters } from "../../src/events/source.ts";
import { syslogStamp } from "../../testkit/events-postfix-log.ts";
import { readAll } from "../../testkit/events-read.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test("AgedMap keeps an entry at least maxAge after its last write, then forgets it (counted)", () => {
  const map = new AgedMap<number>(5 * DAY, 1000);
  map.set("kept", 1, 0);
  for (let h = 1; h < 5 * 24; h++) map.set(`k${h}`, h, h * HOUR);
  assert.equal(map.get("kept"), 1, "still there just under 5 days later");
  map.touch("kept", 5 * DAY - HOUR);
  for (let h = 5 * 24; h < 9 * 24; h++) map.set(`k${h}`, h, h * HOUR);
  assert.equal(map.get("kept"), 1, "its age started again when touched");
  for (let h = 9 * 24; h < 12 * 24; h++) map.set(`k${h}`, h, h * HOUR);
  assert.equal(map.get("kept"), undefined, "forgotten once older than 5 days");
  assert.equal(map.get("k1"), undefined);
  assert.ok(map.evictedByAge > 100, `${map.evictedByAge} evicted by age`);
  assert.equal(map.evictedByCount, 0);
});

test("AgedMap stays within its count, oldest first, in linear time", () => {
  const evicted: number[] = [];
  const map = new AgedMap<number>(5 * DAY, 10_000, (value) => evicted.push(value));
  for (let i = 0; i < 200_000; i++) map.set(`q${i}`, i, 1000);
  assert.ok(map.size <= 10_000, `size ${map.size}`);
  assert.equal(map.evictedByCount, 200_000 - map.size);
  assert.equal(evicted.length, map.evictedByCount);
  assert.equal(evicted[0], 0, "oldest first");
  assert.equal(map.get("q199999"), 199_999);
});

const stamp = syslogStamp;

test("grep'd Postfix log: a deferral still expires 4.9 days and 30,000 queue ids later; older state is forgotten and counted", async () => {
  const start = Date.UTC(2026, 0, 5, 8, 0, 0);
  const deferral = (ms: number, qid: string, rcpt: string) =>
    `${stamp(ms)} mta1 postfix/smtp[1]: ${qid}: to=<${rcpt}>, relay=mx.example.org[192.0.2.7]:25, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.7]:25: Connection timed out)`;
  const lines = [deferral(start, "AAAA000001", "first@example.org")];
  const others = 30_000;
  const span = 4.9 * DAY;
  for (let i = 0; i < others; i++) {
    const ms = start + Math.floor((span * i) / others);
    lines.push(deferral(ms, `B${i.toString(16).padStart(9, "0").toUpperCase()}`, `u${i}@example.org`));
  }
  lines.push(
    `${stamp(start + span)} mta1 postfix/qmgr[2]: AAAA000001: from=<s@example.net>, status=expired, returned to sender`,
  );
  // Six days after the first deferrals, the early ones can no longer expire: forgotten by age.
  lines.push(
    `${stamp(start + 6 * DAY)} mta1 postfix/qmgr[2]: B000000001: from=<s@example.net>, status=expired, returned to sender`,
  );
  const counters = newCounters();
  const { events, problems } = await readAll(`${lines.join("\n")}\n`, "postfix", { year: 2026, counters });
  assert.deepEqual(problems, []);
  const bounced = events.filter((event) => event.type === "bounced");
  assert.deepEqual(
    bounced.map((event) => [event.recipient, event.reasonHint]),
    [["first@example.org", "expired"]],
  );
  assert.ok(counters.evicted > 1000, `${counters.evicted} queue ids forgotten`);
  assert.equal(counters.evictedEarly, 0, "none forgotten before the queue lifetime");
});

test("AgedTable finds keys by hash on bytes and on text; keys of one hash stay apart, and found after removals", () => {
  const table = new AgedTable<number>([{ maxAgeMs: 5 * DAY, maxEntries: 100_000 }]);
  // One hash for all: every key probes the same run of slots (and the index grows past its first size).
  const keys = Array.from({ length: 3000 }, (_, i) => `Q${i.toString(16).toUpperCase().padStart(9, "0")}`);
  const entries = keys.map((key, i) => table.add(7, key, i, 0, 1000));
  for (let i = 0; i < keys.length; i += 3) table.remove(entries[i]);
  const line = Buffer.from(`x ${keys.join(" ")} y`, "latin1");
  let at = 2;
  for (let i = 0; i < keys.length; i++) {
    const end = at + keys[i].length;
    const onBytes = table.findBytes(7, line, at, end);
    const onText = table.findText(7, line.toString("latin1"), at, end);
    if (i % 3 === 0) assert.equal(onBytes, NONE, `${keys[i]} removed`);
    else assert.equal(table.value(onBytes), i, keys[i]);
    assert.equal(onText, onBytes);
    assert.equal(table.findBytes(8, line, at, end), NONE, "another hash");
    at = end + 1;
  }
  assert.equal(table.findText(7, "Q00000000", 0, 9), NONE, "a prefix of a key");
  assert.equal(table.size(0), 2000);
});

test("AgedTable's filter never hides a key that is there, and forgets most removed ones", () => {
  // Two lists with small bounds (evictions by count and age), adds, moves and removals in a random order.
  const table = new AgedTable<number>([
    { maxAgeMs: 10 * DAY, maxEntries: 3000 },
    { maxAgeMs: DAY, maxEntries: 1000 },
  ]);
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const hashOf = (i: number) => Math.imul(i + 1, 0x2545f491) | 0;
  const live = new Map<number, number>(); // key number → entry
  for (let step = 0; step < 40_000; step++) {
    const time = 1000 + step * 10_000;
    const i = Math.floor(random() * 6000);
    const key = `K${i}`;
    const entry = table.findText(hashOf(i), key, 0, key.length);
    if (entry === NONE) live.set(i, table.add(hashOf(i), key, i, random() < 0.5 ? 0 : 1, time));
    else if (random() < 0.4) {
      table.remove(entry);
      live.delete(i);
    } else live.set(i, table.move(entry, 1 - table.list(entry), time));
    table.advance(time);
    if (step % 5000 !== 4999) continue;
    for (const [k, at] of live) {
      if (table.key(at) !== `K${k}`) continue; // evicted since (the table forgot it, and told no one here)
      const bytes = Buffer.from(`K${k}`, "latin1");
      assert.ok(table.mayHold(hashOf(k)), `K${k} filtered out at step ${step}`);
      assert.equal(table.findBytes(hashOf(k), bytes, 0, bytes.length), at);
    }
  }
  // Every key removed once more: the filter is made anew from the slots, and answers for most hashes.
  for (let i = 0; i < 6000; i++) {
    const entry = table.findText(hashOf(i), `K${i}`, 0, `K${i}`.length);
    if (entry !== NONE) table.remove(entry);
  }
  const maybe = Array.from({ length: 6000 }, (_, i) => table.mayHold(hashOf(i))).filter(Boolean).length;
  assert.ok(maybe < 600, `hashes the empty table may hold: ${maybe}`);
});

test("AgedTable: each list keeps its own count; a moved entry is kept by its new list's rules", () => {
  const evicted: string[] = [];
  const table = new AgedTable<string>(
    [
      { maxAgeMs: DAY, maxEntries: 100 },
      { maxAgeMs: 5 * DAY, maxEntries: 10_000 },
    ],
    (value, list, byCount) => evicted.push(`${value} ${list} ${byCount}`),
  );
  const moved = table.add(1, "moved", "moved", 0, 0);
  table.add(2, "waiting", "waiting", 1, 0);
  const after = table.move(moved, 1, 0);
  assert.equal(table.list(after), 1);
  for (let i = 0; i < 1000; i++) table.add(100 + i, `a${i}`, `a${i}`, 0, 1000);
  assert.ok(table.size(0) <= 100, `list 0 holds ${table.size(0)}`);
  assert.equal(table.size(1), 2, "list 1 untouched by list 0's count");
  assert.equal(table.value(table.findText(1, "moved", 0, 5)), "moved");
  assert.ok(
    evicted.every((line) => line.endsWith(" 0 true")),
    "only list 0's, by count",
  );
  table.advance(2 * DAY);
  table.add(3, "late", "late", 0, 2 * DAY);
  assert.ok(table.size(0) < 100, "list 0's day-old entries aged out");
  assert.equal(table.size(1), 2, "list 1 keeps its entries 5 days");
  table.advance(7 * DAY);
  table.add(4, "later", "later", 1, 7 * DAY);
  assert.equal(table.findText(1, "moved", 0, 5), NONE, "moved aged out of list 1 after 5 days");
  assert.ok(evicted.includes("moved 1 false"));
});
