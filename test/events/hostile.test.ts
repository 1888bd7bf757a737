import assert from "node:assert/strict";
import { test } from "node:test";
import { EVENT_TYPES } from "../../src/events/event.ts";
import type { FormatName } from "../../src/events/formats.ts";
import { readAll } from "../../testkit/events-read.ts";

/**
 * Hostile inputs by name, each with why it is dangerous. Object.prototype names must never be taken for
 * table entries (a lookup `TYPES["constructor"]` returns a function).
 */
const PROTO_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty"];

const TABLE: [FormatName, string, (name: string) => string][] = [
  ["sendgrid", "event name", (n) => JSON.stringify({ event: n, email: "a@b.example", ip: "192.0.2.1" })],
  ["mailgun", "event name", (n) => JSON.stringify({ "event-data": { event: n, recipient: "a@b.example" } })],
  ["ses", "eventType", (n) => JSON.stringify({ eventType: n, mail: { destination: ["a@b.example"] } })],
  [
    "postmark",
    "bounce Type and stream",
    (n) => JSON.stringify({ RecordType: "Bounce", Type: n, MessageStream: n, Email: "a@b.example" }),
  ],
  [
    "sparkpost",
    "event type",
    (n) => JSON.stringify({ msys: { message_event: { type: n, rcpt_to: "a@b.example" } } }),
  ],
  ["kumomta", "record type", (n) => JSON.stringify({ type: n, recipient: "a@b.example" })],
  ["ndjson", "type and field names", (n) => JSON.stringify({ type: n, [n]: "x", recipient: "a@b.example" })],
  ["csv", "type column", (n) => `type,recipient,${n}\n${n},a@b.example,x`],
  [
    "pmta",
    "record type and dsnAction",
    (n) =>
      `type,timeLogged,rcpt,dsnAction\n${n},2026-01-01 00:00:00,a@b.example,${n}\nrs,2026-01-01 00:00:00,a@b.example,${n}`,
  ],
];

test("Object.prototype names in type fields never become event types", async () => {
  for (const [format, what, make] of TABLE) {
    for (const name of PROTO_NAMES) {
      const { events } = await readAll(`${make(name)}\n`, format);
      for (const event of events) {
        assert.ok(Object.hasOwn(EVENT_TYPES, event.type), `${format} ${what} ${name}: ${String(event.type)}`);
        assert.ok(event.stream === null || typeof event.stream === "string", `${format} stream`);
      }
    }
  }
});

/** A bounce in each JSON format with its recipient field given `value`. */
const RECIPIENT_AT: [FormatName, (value: unknown) => unknown][] = [
  ["sendgrid", (v) => ({ event: "bounce", email: v, timestamp: 1767261600, reason: "550 5.1.1 unknown" })],
  [
    "mailgun",
    (v) => ({
      "event-data": { event: "failed", severity: "permanent", recipient: v, timestamp: 1767261600 },
    }),
  ],
  [
    "ses",
    (v) => ({
      eventType: "Bounce",
      mail: { timestamp: "2026-01-01T00:00:00Z" },
      bounce: {
        bounceType: "Permanent",
        timestamp: "2026-01-01T00:00:00Z",
        bouncedRecipients: [{ emailAddress: v }],
      },
    }),
  ],
  [
    "postmark",
    (v) => ({ RecordType: "Bounce", Type: "HardBounce", Email: v, BouncedAt: "2026-01-01T00:00:00Z" }),
  ],
  [
    "sparkpost",
    (v) => ({ msys: { message_event: { type: "bounce", rcpt_to: v, timestamp: "1767261600" } } }),
  ],
  ["kumomta", (v) => ({ type: "Bounce", recipient: [v], timestamp: 1767261600 })],
  ["ndjson", (v) => ({ type: "bounced", recipient: v, time: "2026-01-01T00:00:00Z" })],
];

test("a recipient that is a JSON object, list or boolean is a problem, never an event of no one (R147)", async () => {
  for (const [format, make] of RECIPIENT_AT) {
    for (const value of [{ x: 1 }, ["a@b.example"], true]) {
      const { events, problems } = await readAll(`${JSON.stringify(make(value))}\n`, format);
      assert.deepEqual(events, [], `${format} ${JSON.stringify(value)}`);
      assert.match(
        problems[0]?.message ?? "",
        /recipient is not an address/,
        `${format} ${JSON.stringify(value)}`,
      );
    }
    const { events } = await readAll(`${JSON.stringify(make("a@b.example"))}\n`, format);
    assert.equal(events[0]?.recipient, "a@b.example", format);
  }
});

test("a recipient holding a control character is a problem in every JSON format; whitespace at its ends is trimmed (R152)", async () => {
  const controls = ["x\u001b[31m@b.example", "a\u0000@b.example", "a\tb@b.example", "a\u007f@b.example"];
  for (const [format, make] of RECIPIENT_AT) {
    for (const value of controls) {
      const { events, problems } = await readAll(`${JSON.stringify(make(value))}\n`, format);
      const shown = `${format} ${JSON.stringify(value)}`;
      assert.deepEqual(events, [], shown);
      assert.match(
        problems[0]?.message ?? "",
        /recipient is not an address \(it holds a control character\)/,
        shown,
      );
    }
    const { events, problems } = await readAll(`${JSON.stringify(make("\ta@b.example\r\n"))}\n`, format);
    assert.deepEqual([events.length, problems.length], [1, 0], format);
  }
});
