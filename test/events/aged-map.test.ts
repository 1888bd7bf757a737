import assert from "node:assert/strict";
import { test } from "node:test";
import { AgedMap } from "../../src/events/aged-map.ts";
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
