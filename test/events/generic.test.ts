import assert from "node:assert/strict";
import { test } from "node:test";
import { readAll } from "../../testkit/events-read.ts";

test("generic CSV: documented columns, aliases, quoted reply, bad rows as problems", async () => {
  const csv = `time,recipient,type,campaign,sending_ip,pool,sending_domain,stream,reply,status,event_id,message_id,machine_open
2026-05-01T10:00:00Z,a@icloud.com,bounced,may,192.0.2.1,p1,send.example.com,marketing,"550 5.7.1 [CS01] Message rejected due to local policy, see https://support.apple.com/en-us/HT204137",,e1,m1,
2026-05-01 10:00:01,b@icloud.com,open,may,,,,,,,e2,m1,true
1777629602,c@example.com,delivery,may,,,,,250 ok,,e3,m2,
2026-05-01T10:00:03Z,d@example.com,teleported,may,,,,,,,e4,m3,
yesterday,e@example.com,bounced,may,,,,,550 no,,e5,m4,
`;
  const { events, problems } = await readAll(csv, "csv", { tz: "Europe/Paris" });
  assert.deepEqual(
    events.map((e) => [e.type, e.recipient, e.source.line]),
    [
      ["bounced", "a@icloud.com", 2],
      ["open", "b@icloud.com", 3],
      ["delivered", "c@example.com", 4],
    ],
  );
  const [bounce, open, delivered] = events;
  assert.equal(bounce.replyCode, 550);
  assert.equal(bounce.status, "5.7.1", "read from the reply when the column is empty");
  assert.equal(bounce.campaign, "may");
  assert.equal(bounce.sendingIp, "192.0.2.1");
  assert.equal(bounce.stream, "marketing");
  assert.equal(bounce.eventId, "e1");
  assert.equal(open.machineOpen, true);
  assert.equal(open.time, "2026-05-01T08:00:01.000Z", "zone-less time in --tz");
  assert.equal(delivered.time, "2026-05-01T10:00:02.000Z", "unix seconds");
  const dateOnly = await readAll("time,recipient,type\n2026-05-01,a@b.example,bounced\n", "csv", {
    tz: "Europe/Paris",
  });
  assert.equal(dateOnly.events[0].time, "2026-04-30T22:00:00.000Z", "a date alone is its midnight in --tz");
  assert.deepEqual(
    problems.map((p) => p.source.line),
    [5, 6],
  );
});

test("generic NDJSON: the same schema with JSON types", async () => {
  const lines = [
    {
      time: "2026-05-01T10:00:00Z",
      recipient: "a@example.com",
      type: "deferred",
      reply: "421 4.7.0 try later",
      reply_code: 421,
    },
    { timestamp: 1777629600000, email: "b@example.com", event: "complaint", feedback_type: "abuse" },
    { recipient: "c@example.com" },
  ];
  const { events, problems } = await readAll(lines.map((l) => JSON.stringify(l)).join("\n"), "ndjson");
  assert.deepEqual(
    events.map((e) => e.type),
    ["deferred", "complaint"],
  );
  assert.equal(events[0].replyCode, 421);
  assert.equal(events[1].time, "2026-05-01T10:00:00.000Z", "unix milliseconds");
  assert.equal(events[1].feedbackType, "abuse");
  assert.equal(events[1].reasonHint, "feedback");
  assert.equal(problems.length, 1);
  assert.equal(problems[0].source.line, 3);
});

test("a CSV header without a type column is one problem, not one per row", async () => {
  const { events, problems } = await readAll("recipient,when\na@example.com,now\nb@example.com,now\n", "csv");
  assert.equal(events.length, 0);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].source.line, 1);
});
