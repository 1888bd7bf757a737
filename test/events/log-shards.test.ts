import assert from "node:assert/strict";
import { test } from "node:test";
import { FAILURE_TYPES } from "../../src/bounce/classify-event.ts";
import type { DeliveryEvent, EventType } from "../../src/events/event.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";
import { type ReadResult, readAll } from "../../testkit/events-read.ts";
import { eximLog } from "../../testkit/exim-log.ts";
import { POSTFIX_EDGE_LINES } from "../../testkit/postfix-edge-log.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

const modified = new Date("2026-03-01T00:00:00Z");
const FAILURES = new Set(FAILURE_TYPES) as ReadonlySet<EventType>;

const INPUTS: [string, string][] = [
  ["hand-written edge lines", `${POSTFIX_EDGE_LINES.join("\n")}\n`],
  ["grep'd log", [...postfixGrepLogChunks(6000, 7)].join("")],
  ["full log", [...postfixLogChunks(4000, 3)].join("")],
];

/** Events with their line, in input order: what classify sees. */
const key = (events: DeliveryEvent[]) => events.map((e) => JSON.stringify(e));

/** Both shards' reads of `input`, each with more than `least` events, and their events merged by line. */
async function inShards(
  input: string,
  format: "postfix" | "exim",
  options: Parameters<typeof readAll>[2],
  least: number,
): Promise<{ shards: ReadResult[]; merged: DeliveryEvent[] }> {
  const shards = await Promise.all(
    [0, 1].map((index) => readAll(input, format, { ...options, shard: { index, count: 2 } })),
  );
  assert.ok(
    shards.every((shard) => shard.events.length > least),
    "each shard takes some messages",
  );
  const merged = [...shards[0].events, ...shards[1].events].sort(
    (a, b) => (a.source.line ?? 0) - (b.source.line ?? 0),
  );
  return { shards, merged };
}

for (const [name, input] of INPUTS) {
  for (const types of [null, FAILURES]) {
    const label = `${name}, ${types ? "failures only" : "every outcome"}`;
    test(`Postfix shards: two readers of ${label} give together what one reader gives, in the same lines`, async () => {
      for (const chunkSize of [65536, 997]) {
        const whole = await readAll(input, "postfix", { modified, types, chunkSize });
        assert.ok(whole.events.length > (name.startsWith("hand") ? 5 : 50), "the input has events");
        const { shards, merged } = await inShards(input, "postfix", { modified, types, chunkSize }, 0);
        assert.deepEqual(key(merged), key(whole.events));
        assert.deepEqual(shards[0].problems, whole.problems, "the first shard reports the input's problems");
        assert.deepEqual(shards[1].problems, []);
      }
    });
  }
}

for (const [name, input] of INPUTS) {
  test(`Postfix: reading only failures of ${name} (deliveries skipped undecoded) gives the failures of a full read`, async () => {
    for (const chunkSize of [65536, 997]) {
      const every = await readAll(input, "postfix", { modified, chunkSize });
      const failures = await readAll(input, "postfix", { modified, chunkSize, types: FAILURES });
      assert.ok(failures.events.length > 5);
      assert.deepEqual(key(failures.events), key(every.events.filter((e) => FAILURES.has(e.type))));
      assert.deepEqual(failures.problems, every.problems);
    }
  });
}

test("Postfix: a delivery line skipped undecoded (classify without --all) still settles a deferred recipient", async () => {
  // The deferral keeps a state; the later delivery of that recipient must reach the parser (not be skipped),
  // or the qmgr expiry would bounce a recipient that was delivered.
  const lines = [
    POSTFIX_EDGE_LINES[9],
    POSTFIX_EDGE_LINES[10],
    "Feb  7 13:00:00 h postfix/qmgr[2]: BBBBBB0002: from=<s@example.com>, status=expired, returned to sender",
  ];
  const { events } = await readAll(`${lines.join("\n")}\n`, "postfix", { modified, types: FAILURES });
  assert.deepEqual(
    events.map((e) => [e.type, e.source.line]),
    [["deferred", 1]],
  );
});

test("Exim shards: two readers of a main log give together what one reader gives, in the same lines", async () => {
  const input = eximLog(3000, 5);
  const whole = await readAll(input, "exim", { chunkSize: 4093 });
  assert.ok(whole.events.length > 3000);
  assert.ok(
    whole.events.some((e) => e.sender !== null && e.messageId !== null),
    "arrivals are joined",
  );
  const { merged } = await inShards(input, "exim", { chunkSize: 4093 }, 1000);
  assert.deepEqual(key(merged), key(whole.events));
});

test("Postfix shards: queue ids at the length limits, with a colon, and lines that only look like status lines are read as one reader reads them", async () => {
  // LineParser.skip decides on bytes where line decides on text: a queue id of 5 or 20 characters is one,
  // of 4 or 21 none; a colon not followed by a space belongs to the id; a tag needs its `/`.
  const status =
    "to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command))";
  const ids = [
    "ABCDE",
    "ABCD",
    "ABCDEFGHIJKLMNOPQRST",
    "ABCDEFGHIJKLMNOPQRSTU",
    "AB:CDEF12",
    "AB CDEF12",
    "9F8E7D6C5B",
    "1A2B3C4D5E6F",
  ];
  const lines = ids.flatMap((id, i) => [
    `Feb  7 12:00:0${i} h postfix/smtp[1]: ${id}: ${status}`,
    `Feb  7 12:00:0${i} h postfix[1]: ${id}: ${status}`,
    `Feb  7 12:00:0${i} h postfix/smtp[1]: ${id}:${status}`,
    `2026-02-07T12:00:0${i}Z h postfix/smtp[1]: ${id}: ${status}`,
  ]);
  const input = `${lines.join("\n")}\n`;
  for (const types of [null, FAILURES]) {
    const whole = await readAll(input, "postfix", { modified, types });
    assert.equal(
      whole.events.length,
      2 * 5,
      "the ids of 5 and 20 characters and with a colon are ids, both stamps",
    );
    const { merged } = await inShards(input, "postfix", { modified, types }, 0);
    assert.deepEqual(key(merged), key(whole.events));
  }
});
