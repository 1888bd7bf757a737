import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { DeliveryEvent, EventType } from "../../src/events/event.ts";
import { eventSource } from "../../src/events/registry.ts";
import type { Out } from "../../src/events/source.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";
import { readAll } from "../../testkit/events-read.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

/**
 * The Postfix reader looks at each line's bytes first and never decodes a line it has nothing to say
 * about (PostfixParser.skip: a delivery nobody asked for, of a queue id without state). These tests hold
 * the fast path to the reference path: every line decoded and given to `line`.
 */

/** What classify asks for without --all: no deliveries. */
const NO_DELIVERIES: ReadonlySet<EventType> = new Set(["bounced", "deferred", "dropped", "complaint"]);
const modified = new Date("2026-03-01T00:00:00Z");

/** The reference: each line decoded and parsed (no byte-level skipping). */
function reference(text: string, types: ReadonlySet<EventType> | null): DeliveryEvent[] {
  const parser = eventSource("postfix")!.create({ file: "test", year: null, modified, tz: "UTC", types });
  const out: Out = [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const [i, line] of lines.entries()) parser.line(line, i + 1, out);
  parser.end(out);
  return out.filter((item): item is DeliveryEvent => "type" in item);
}

async function fast(text: string, types: ReadonlySet<EventType> | null, chunkSize?: number) {
  const { events, problems } = await readAll(text, "postfix", { modified, types, chunkSize });
  assert.deepEqual(problems, []);
  return events;
}

test("Postfix fast path: a grep'd log gives the same events as decoding every line", async () => {
  const log = [...postfixGrepLogChunks(6000, 7)].join("");
  const expected = reference(log, NO_DELIVERIES);
  assert.ok(expected.some((e) => e.type === "deferred") && expected.some((e) => e.type === "bounced"));
  assert.deepEqual(await fast(log, NO_DELIVERIES), expected);
  assert.deepEqual(await fast(log, NO_DELIVERIES, 4096), expected, "lines across chunk boundaries");
  // With deliveries wanted nothing is skipped: the same as the reference too.
  assert.deepEqual(await fast(log, null), reference(log, null));
});

test("Postfix fast path: a full log (from=, message-id=, removed) gives the same events", async () => {
  const log = [...postfixLogChunks(5000, 3)].join("");
  assert.deepEqual(await fast(log, NO_DELIVERIES), reference(log, NO_DELIVERIES));
});

test("Postfix fast path: a delivery that settles a deferred recipient is not skipped", async () => {
  const line = (stamp: string, rcpt: string, status: string, dsn: string) =>
    `Mar  1 ${stamp} h postfix/smtp[2]: Q1AAAA: to=<${rcpt}>, relay=mx.example.net[198.51.100.7]:25, delay=1, delays=0/0/1/0, dsn=${dsn}, status=${status} (250 ok)`;
  const log = `${[
    line("10:00:01", "a@example.net", "deferred", "4.4.1"),
    line("11:00:01", "a@example.net", "sent", "2.0.0"),
    "Mar  6 10:00:03 h postfix/qmgr[1]: Q1AAAA: from=<s@example.org>, status=expired, returned to sender",
  ].join("\n")}\n`;
  const events = await fast(log, NO_DELIVERIES);
  assert.deepEqual(
    events.map((e) => [e.type, e.recipient]),
    [["deferred", "a@example.net"]],
    "a was delivered after its deferral: the expiry does not bounce it",
  );
  assert.deepEqual(events, reference(log, NO_DELIVERIES));
});

/** Pieces of Postfix-like lines, hostile ones included (non-ASCII, cut lines, odd stamps and ids). */
const stamp = fc.constantFrom(
  "Mar  1 10:00:00",
  "Mar  6 10:00:00",
  "2026-03-01T10:00:00Z",
  "2026-03-01 10:00:00",
  "2026-03-0110:00:00",
  "Mär  1 10:00:00",
  "Mar 1 10:00:00",
  "",
);
const qid = fc.constantFrom(
  "Q1AAAA",
  "Q2BBBB",
  "4F1A2B3C4D",
  "Q1AAÄ",
  "QÄ1AAAA",
  "abc",
  "A B CDEF",
  "Q1AAAAQ1AAAAQ1AAAAQ1AAAA",
);
const tag = fc.constantFrom(
  "postfix/smtp[2]",
  "postfix-out/smtp[3]",
  "postfix[1]",
  "pöstfix/smtp[2]",
  "dovecot[1]",
);
const status = fc.constantFrom("sent", "deferred", "bounced", "expired", "sentx", "", "sent (x)");
const rcpt = fc.constantFrom("a@example.net", "b@example.net", "ä@example.net", "");
const body = fc.oneof(
  fc
    .tuple(rcpt, status, fc.boolean())
    .map(
      ([r, s, close]) =>
        `to=<${r}${close ? ">" : ""}, relay=mx.example.net[198.51.100.7]:25, dsn=4.0.0, status=${s} (451 try later)`,
    ),
  fc.constantFrom(
    "from=<s@example.org>, size=1, nrcpt=2 (queue active)",
    "from=<s@example.org>, status=expired, returned to sender",
    "message-id=<m@example.org>",
    "removed",
    "to=<a@example.net>",
  ),
);
const line = fc
  .tuple(stamp, fc.constantFrom("h", "hö"), tag, qid, body)
  .map(([s, host, t, q, b]) => `${s} ${host} ${t}: ${q}: ${b}`);

test("Postfix fast path: random lines give the same events as the reference path (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(line, { maxLength: 30 }),
      fc.integer({ min: 1, max: 200 }),
      async (lines, size) => {
        const log = `${lines.join("\n")}\n`;
        assert.deepEqual(await fast(log, NO_DELIVERIES, size), reference(log, NO_DELIVERIES));
      },
    ),
    { numRuns: 300 },
  );
});
