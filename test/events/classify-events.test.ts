import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import fc from "fast-check";
import type { BounceRecord } from "../../src/bounce/record.ts";
import { JsonBytes, jsonRecord } from "../../src/bounce/render-output.ts";
import type { DeliveryEvent, ParseProblem } from "../../src/events/event.ts";
import { readEvents } from "../../src/events/read.ts";
import { isProblem, newEvent } from "../../src/events/source.ts";
import { classifyEventStream, classifyEvents, EventClassifier } from "../../src/pipeline/classify-events.ts";

const line = (qid: string, rcpt: string, status: string, reply: string, dsn: string) =>
  `Feb  2 12:34:56 mail postfix/smtp[1]: ${qid}: to=<${rcpt}>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=${dsn}, status=${status} (host gmail-smtp-in.l.google.com[142.250.1.27] said: ${reply} (in reply to RCPT TO command))`;

const RATE =
  "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail. 421 4.7.28 To protect our users, mail has been temporarily rate limited.";

async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

async function collect(items: AsyncIterable<BounceRecord | ParseProblem>) {
  const records: BounceRecord[] = [];
  const problems: ParseProblem[] = [];
  for await (const item of items) {
    if ("reason" in item) records.push(item);
    else problems.push(item);
  }
  return { records, problems };
}

test("each distinct normalized reply is classified once; per-recipient fields are each record's own", async () => {
  const log = [
    line("AAAAAA1", "a@gmail.com", "deferred", `${RATE} a1b2c3d4e5f6g7h8si1 - gsmtp`, "4.7.28"),
    line("AAAAAA2", "b@gmail.com", "deferred", `${RATE} z9y8x7w6v5u4t3s2si2 - gsmtp`, "4.7.28"),
    line("AAAAAA3", "c@gmail.com", "deferred", `${RATE} z9y8x7w6v5u4t3s2si2 - gsmtp`, "4.7.28"),
    line("AAAAAA4", "d@gmail.com", "sent", "250 2.0.0 OK", "2.0.0"),
    "{broken",
  ].join("\n");
  const classifier = new EventClassifier();
  const batches = classifyEventStream(Readable.from([Buffer.from(log)]), "postfix", "maillog", {
    year: 2026,
    classifier,
  });
  const { records } = await collect(flatten(batches));
  assert.equal(records.length, 3, "deliveries only with `all`");
  assert.equal(classifier.misses, 1);
  assert.equal(classifier.hits, 2);
  assert.deepEqual(
    records.map((r) => [r.recipient, r.source.line, r.format]),
    [
      ["a@gmail.com", 1, "postfix"],
      ["b@gmail.com", 2, "postfix"],
      ["c@gmail.com", 3, "postfix"],
    ],
  );
  assert.match(records[0].diagnostic, /a1b2c3d4e5f6g7h8si1 - gsmtp$/);
  assert.match(records[1].diagnostic, /z9y8x7w6v5u4t3s2si2 - gsmtp$/);
  for (const record of records) {
    assert.equal(record.provider, "google");
    assert.equal(record.status, "4.7.28");
    assert.equal(record.retryable, true);
  }
});

test("the cached classification equals a fresh one for every record", async () => {
  const replies = [
    ["550 5.7.1 [CS01] Message rejected due to local policy", "5.7.1", "x@icloud.com"],
    ["550 5.7.1 [CS01] Message rejected due to local policy", "5.7.1", "y@icloud.com"],
    ["550 5.1.1 <q@privaterelay.appleid.com>: user does not exist", "5.1.1", "q@privaterelay.appleid.com"],
    ["550 5.1.1 <r@icloud.com>: user does not exist", "5.1.1", "r@icloud.com"],
    ["554 5.7.1 RL000001 Comcast block", "5.7.1", "s@comcast.net"],
    ["554 5.7.1 RL000010 Comcast block", "5.7.1", "t@comcast.net"],
    [`${RATE} a1b2c3d4e5f6g7h8si1 - gsmtp`, "4.7.28", "u@gmail.com"],
    [`${RATE}\n421 4.7.28 z9y8x7w6v5u4t3s2si2 - gsmtp`, "4.7.28", "v@gmail.com"],
    [`${RATE} zz9y8x7w6v5u4t3s2si3 - gsmtp`, "4.7.28", "w@gmail.com"],
    ["550 5.1.1 <john.doe@example.org>... User unknown (1764300000)", "5.1.1", "john.doe@example.org"],
    ["550 5.1.1 <jane@example.org>... User unknown (1764300099)", "5.1.1", "jane@example.org"],
    ["421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred", "4.7.0", "a@yahoo.com"],
    ["421 4.7.0 [TSS04] Messages from 198.51.100.77 temporarily deferred", "4.7.0", "b@yahoo.com"],
  ];
  const events: DeliveryEvent[] = replies.map(([reply, status, rcpt], i) => ({
    ...template(),
    reply,
    status,
    replyCode: Number(reply.slice(0, 3)),
    recipient: rcpt,
    source: { file: "f", line: i + 1 },
  }));
  const cached = new EventClassifier();
  for (const event of events) {
    const fresh = new EventClassifier().classify(event, "events");
    assert.deepEqual(cached.classify(event, "events"), fresh, event.reply ?? "");
  }
});

test("complaints carry the feedback type; dropped events use the suppression hint; problems pass through", async () => {
  const items: (DeliveryEvent | ParseProblem)[] = [
    {
      ...template(),
      type: "complaint",
      recipient: "a@example.com",
      feedbackType: "abuse",
      reasonHint: "feedback",
    },
    {
      ...template(),
      type: "dropped",
      recipient: "b@example.com",
      reply: "Bounced Address",
      reasonHint: "suppressed",
    },
    { source: { file: "f", line: 9 }, message: "bad line" },
    { ...template(), type: "open", recipient: "c@example.com" },
    { ...template(), type: "delivered", recipient: "d@example.com", reply: "250 ok", replyCode: 250 },
  ];
  async function* stream() {
    yield* items;
  }
  const { records, problems } = await collect(classifyEvents(stream(), { all: true, format: "sendgrid" }));
  assert.deepEqual(
    records.map((r) => [r.recipient, r.reason, r.format]),
    [
      ["a@example.com", "feedback", "sendgrid"],
      ["b@example.com", "suppressed", "sendgrid"],
      ["d@example.com", "delivered", "sendgrid"],
    ],
  );
  assert.equal(records[0].feedbackType, "abuse");
  assert.equal(problems.length, 1);
  assert.equal(isProblem(problems[0]), true);
});

function template(): DeliveryEvent {
  return newEvent("bounced", "f", 1);
}

test("without `all` deliveries are skipped early, and expiry still bounces only recipients left deferred", async () => {
  const log = `Mar  1 10:00:00 h postfix/qmgr[1]: Q1AAAA: from=<s@example.org>, size=1, nrcpt=2 (queue active)
Mar  1 10:00:01 h postfix/smtp[2]: Q1AAAA: to=<a@example.net>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.example.net[198.51.100.7]:25: Connection timed out)
Mar  1 10:00:01 h postfix/smtp[2]: Q1AAAA: to=<b@example.net>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.example.net[198.51.100.7]:25: Connection timed out)
Mar  1 11:00:02 h postfix/smtp[2]: Q1AAAA: to=<b@example.net>, relay=mx.example.net[198.51.100.7]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)
Mar  6 10:00:03 h postfix/qmgr[1]: Q1AAAA: from=<s@example.org>, status=expired, returned to sender
`;
  for (const all of [false, true]) {
    const events = readEvents(Readable.from([Buffer.from(log)]), "postfix", "maillog", { year: 2026 });
    const { records } = await collect(classifyEvents(events, { all }));
    assert.deepEqual(
      records.map((r) => [r.recipient, r.source.line]),
      [
        ["a@example.net", 2],
        ["b@example.net", 3],
        ...(all ? [["b@example.net", 4]] : []),
        ["a@example.net", 5],
      ],
      `all: ${all}`,
    );
    assert.equal(records.at(-1)?.reason, "expired");
  }
});

test("the cache key holds everything the classifier looks at: cached equals fresh for random events (property)", () => {
  // Small pools: events often share all but one field, so a key missing a field shows.
  const reply = fc.constantFrom(
    "550 5.7.1 [CS01] Message rejected due to local policy",
    "550 5.1.1 <a1@icloud.com>: user does not exist",
    "550 5.1.1 <b2@icloud.com>: user does not exist",
    `${RATE} a1b2c3d4e5f6g7h8si1 - gsmtp`,
    `${RATE}\n421 4.7.28 z9y8x7w6v5u4t3s2si2 - gsmtp`,
    "",
  );
  const event = fc
    .record({
      type: fc.constantFrom("bounced", "deferred", "delivered"),
      reply,
      status: fc.constantFrom(null, "5.7.1", "4.7.28"),
      replyCode: fc.constantFrom(null, 421),
      recipient: fc.constantFrom(
        null,
        "x@icloud.com",
        "y@gmail.com",
        "z@example.org",
        "q@privaterelay.appleid.com",
      ),
      remoteMta: fc.constantFrom(
        null,
        "mx01.mail.icloud.com",
        "gmail-smtp-in.l.google.com",
        "mx.example.org",
      ),
      reasonHint: fc.constantFrom(null, "suppressed"),
    })
    .map(
      (fields) => ({ ...newEvent(fields.type as DeliveryEvent["type"], "f", 1), ...fields }) as DeliveryEvent,
    );
  fc.assert(
    fc.property(fc.array(event, { minLength: 1, maxLength: 40 }), (events) => {
      const cached = new EventClassifier();
      for (const item of events) {
        assert.deepEqual(cached.classify(item, "events"), new EventClassifier().classify(item, "events"));
      }
    }),
    { numRuns: 200 },
  );
});

/** The spans of a recipient and a reply on a line's bytes. */
function onLine(recipient: string, reply: string) {
  const line = `to=<${recipient}>, status=x (${reply})`;
  return {
    bytes: Buffer.from(line, "latin1"),
    recipientStart: 4,
    recipientEnd: 4 + recipient.length,
    queueIdStart: 0,
    queueIdEnd: 0,
    replyStart: line.indexOf("(") + 1,
    replyEnd: line.length - 1,
    shape: null,
  };
}

test("recipients left on a line's bytes are keyed by their domain as recipient strings are, with the domain's last context: cached equals fresh (property)", () => {
  // Domains of providers (one the provider rules name), in other cases, several `@`, none, empty.
  const recipient = fc.constantFrom(
    "x@icloud.com",
    "X@ICLOUD.Com",
    "y@gmail.com",
    "a@b@gmail.com",
    "z@example.org",
    // As long as icloud.com and gmail.com, not a provider's.
    "v@abcdef.com",
    "w@abcde.com",
    "q@PrivateRelay.AppleID.com",
    "q@privaterelay.appleid.com",
    "no-at-sign",
    "trailing@",
    "",
  );
  const event = fc.record({
    type: fc.constantFrom("bounced", "delivered"),
    reply: fc.constantFrom("550 5.7.1 [CS01] Message rejected due to local policy", "550 5.1.1 user unknown"),
    recipient,
    remoteMta: fc.constantFrom(null, "mx.example.org", "mx01.mail.icloud.com"),
    status: fc.constantFrom(null, "5.7.1"),
    replyCode: fc.constantFrom(null, 550),
  });
  fc.assert(
    fc.property(fc.array(event, { minLength: 1, maxLength: 30 }), (events) => {
      const cached = new EventClassifier();
      for (const [i, fields] of events.entries()) {
        const spans = onLine(fields.recipient, fields.reply);
        const { remoteMta, status, replyCode } = fields;
        const onBytes = {
          ...newEvent(fields.type as DeliveryEvent["type"], "f", i + 1),
          remoteMta,
          status,
          replyCode,
        };
        const out = new JsonBytes(16);
        assert.ok(cached.jsonBytes(onBytes, spans, "postfix", out));
        const whole = { ...onBytes, recipient: fields.recipient || null, reply: fields.reply };
        assert.equal(
          out.buffer.toString("utf8", 0, out.length),
          new EventClassifier().json(whole, "postfix"),
        );
      }
    }),
    { numRuns: 200 },
  );
});

test("EventClassifier.json is jsonRecord of classify's record, byte for byte, hostile text included (property)", () => {
  // Attacker-controlled fields: quotes, backslashes, control characters, U+2028, lone surrogates,
  // what invalid UTF-8 decodes to, and the parts records share (one cached reply, many recipients).
  const hostile = fc.constantFrom(
    'a"b\\c',
    "tab\there\u0000\u001f\u007f",
    "line\u2028sep\u2029",
    "lone \ud800 high \udfff low",
    "bad utf-8 \ufffd\ufffd",
    "ünïcödé 邮件",
    "",
  );
  const reply = fc.oneof(
    fc.constantFrom(
      "550 5.7.1 [CS01] Message rejected due to local policy",
      "550 5.1.1 <a1@icloud.com>: user does not exist",
      `${RATE} a1b2c3d4e5f6g7h8si1 - gsmtp`,
      "250 2.0.0 OK  1767600000 a1b2c3d4e5f6si1 - gsmtp",
    ),
    hostile.map((text) => `550 5.7.1 ${text}`),
    hostile,
  );
  const event = fc
    .record({
      type: fc.constantFrom("bounced", "deferred", "delivered", "complaint", "dropped", "sent", "open"),
      reply,
      status: fc.constantFrom(null, "5.7.1", "4.7.28"),
      replyCode: fc.constantFrom(null, 421, 550),
      recipient: fc.oneof(
        fc.constantFrom(null, "x@icloud.com", "y@gmail.com"),
        hostile.map((t) => `${t}@example.org`),
      ),
      remoteMta: fc.oneof(
        fc.constantFrom(null, "", "  mx01.mail.icloud.com ", "gmail-smtp-in.l.google.com"),
        hostile,
      ),
      time: fc.constantFrom(null, "2026-02-02T12:34:56.000Z", "2026-02-02T12:34:57.000Z"),
      feedbackType: fc.constantFrom(null, "abuse", 'x"\\y'),
      reasonHint: fc.constantFrom(null, "suppressed", "expired"),
      file: fc.oneof(fc.constantFrom("maillog", "other.log"), hostile),
      line: fc.constantFrom(null, 1, 123456),
    })
    .map(({ file, line, ...fields }) => {
      const event = { ...newEvent(fields.type as DeliveryEvent["type"], file, line), ...fields };
      return event as DeliveryEvent;
    });
  fc.assert(
    fc.property(
      fc.array(event, { minLength: 1, maxLength: 40 }),
      fc.constantFrom("postfix", "exim", 'f"m'),
      (events, format) => {
        const byJson = new EventClassifier();
        const byRecord = new EventClassifier();
        for (const item of events) {
          const record = byRecord.classify(item, format);
          assert.equal(byJson.json(item, format), record === null ? null : jsonRecord(record));
        }
      },
    ),
    { numRuns: 300 },
  );
});

/** Replies of `shapes` in turn, on bytes, in one context: each record as a fresh classifier gives it. */
function shapesInTurn(shapes: ((id: string) => string)[], count: number): EventClassifier {
  const classifier = new EventClassifier();
  for (let i = 0; i < count; i++) {
    const reply = shapes[i % shapes.length](`${(0xa1b2c3d4e5f60000 + i * 7919).toString(16)}`);
    const line = `to=<user${i}@gmail.com>, status=sent (${reply})`;
    const bytes = Buffer.from(line, "latin1");
    const event = { ...newEvent("delivered", "maillog", i + 1), recipient: `user${i}@gmail.com` };
    Object.assign(event, { remoteMta: "gmail-smtp-in.l.google.com", replyCode: 250, status: "2.0.0" });
    const spans = {
      bytes,
      recipientStart: 4,
      recipientEnd: 4 + `user${i}@gmail.com`.length,
      queueIdStart: 0,
      queueIdEnd: 0,
      replyStart: line.indexOf("(") + 1,
      replyEnd: line.length - 1,
      shape: null,
    };
    const out = new JsonBytes(16);
    assert.ok(classifier.jsonBytes(event, spans, "postfix", out));
    // What a classifier of the reply alone gives.
    const fresh = new EventClassifier().json({ ...event, reply }, "postfix");
    assert.equal(out.buffer.toString("utf8", 0, out.length), fresh);
  }
  return classifier;
}

test("replies on bytes of a few shapes in one context are found by their templates, each shape classified once", () => {
  const classifier = shapesInTurn(
    [
      (id) => `250 2.0.0 OK  1767600000 ${id} 62 - gsmtp`,
      (id) => `250 2.0.0 OK  1767600000 ${id} 19 - gsmtp`,
      (id) => `250 2.0.0 OK  1767600000 ${id} 51 - gsmtp`,
    ],
    30,
  );
  assert.equal(classifier.misses, 3);
  // After its first two of a shape, every reply is found by a template (the one of its shape, by a branch).
  assert.ok(classifier.guessed >= 24, `${classifier.guessed} of 27 hits found by a template`);
});

test("replies of a context that take turns among shapes parting near their end are found at the first guess (the context's probe)", () => {
  // Gmail's `… <id>.NN - gsmtp` with the NN set apart (joined to the id, it is masked with it): each NN is its
  // own masked reply. The context's last entry is a shape
  // behind (two matches a reply); the bytes where its replies part pick the entry to try first.
  const classifier = shapesInTurn(
    [62, 19, 51, 7, 88].map((nn) => (id: string) => `250 2.0.0 OK  1767600000 ${id} ${nn} - gsmtp`),
    60,
  );
  assert.equal(classifier.misses, 5);
  assert.ok(
    classifier.tried <= classifier.hits + 6,
    `${classifier.tried} templates tried for ${classifier.hits} hits`,
  );
});

test("replies of a context that take turns among a hundred shapes parting near their end are each found at the first guess", () => {
  // Gmail's `<id>.NN - gsmtp` with every NN set apart: a hundred keys at the probe, none taking another's place.
  const nns = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  const classifier = shapesInTurn(
    nns.map((nn) => (id: string) => `250 2.0.0 OK  1767600000 ${id} ${nn} - gsmtp`),
    300,
  );
  assert.equal(classifier.misses, 100);
  // One template tried a reply at most: its shape's, by the bytes at the probe (a hash of a few of their
  // bits shared by two shapes had each of the pair try the other's first).
  assert.ok(
    classifier.tried <= classifier.hits + classifier.misses,
    `${classifier.tried} templates tried for ${classifier.hits} hits and ${classifier.misses} misses`,
  );
});

test("the probe tells replies apart whose number where they part has one digit or two, whichever taught it", () => {
  // Orange's `<id>.N mail accepted…` with the N set apart: the one-digit reply parts first (its distance from the end is one
  // less); two-digit numbers ending in the same digit must not share the probe's slot.
  const classifier = shapesInTurn(
    [62, 7, 12, 52, 82, 32].map((n) => (id: string) => `250 2.0.0 ${id} ${n} mail accepted for delivery`),
    72,
  );
  // One entry per shape; a shape's first reply may be written by a stand-in (classified, not kept).
  assert.equal(classifier.misses - classifier.standIns, 6);
  assert.ok(classifier.standIns <= 5, `${classifier.standIns} stand-ins`);
  // A stand-in's reply was a miss: it tried its guesses (4 at most) too.
  assert.ok(
    classifier.tried <= classifier.hits + 8 + 4 * classifier.standIns,
    `${classifier.tried} templates tried for ${classifier.hits} hits`,
  );
});

test("replies that part from a template in a token's place (another kind there) are found by a branch too", () => {
  // The first shape's token place holds the word `Ok` in the second: no token, not a literal.
  const classifier = shapesInTurn(
    [(id) => `250 2.0.0 ${id} accepted`, (id) => `250 2.0.0 Ok: queued as ${id}`],
    30,
  );
  assert.equal(classifier.misses - classifier.standIns, 2);
  assert.ok(classifier.standIns <= 1, `${classifier.standIns} stand-ins`);
  assert.ok(classifier.guessed >= 25, `${classifier.guessed} of 28 hits found by a template`);
});

test("records found through their recipient domain's kept contexts are the records a fresh classifier gives, whatever field varies (property)", () => {
  // Each event is the first one with one field changed (so most would fit a template kept before), or
  // the last one: replies of a few shapes whose tokens and literal parts vary, each context field too.
  const token = fc.constantFrom("a1b2c3d4e5f6", "0123456789", "zz9zz9zz9zz9", "Ok", "x");
  const reply = fc
    .tuple(
      fc.constantFrom(
        "250 2.0.0 Ok: queued as %",
        "250 2.0.0 OK  % % - gsmtp",
        "550 5.7.1 [CS01] Message rejected due to local policy %",
        "550 5.7.1 [CS02] Message rejected due to local policy %",
        "421 4.7.0 [TSS04] Messages from % temporarily deferred",
        '550 5.1.1 <%@icloud.com>: "user" unknown',
        // Replies that are their own diagnostic, with characters JSON escapes.
        '250 2.0.0 "queued" as % \\ done',
        "250 2.0.0 Ok:\tqueued as %",
      ),
      token,
      token,
    )
    .map(([shape, a, b]) => shape.replace("%", a).replace("%", b));
  const fields = {
    type: fc.constantFrom("bounced", "delivered", "deferred", "dropped"),
    reply,
    recipient: fc.constantFrom(
      "x@icloud.com",
      "Y@iCloud.com",
      "y@gmail.com",
      "z@example.org",
      'a"b@gmail.com',
      "",
    ),
    remoteMta: fc.constantFrom(null, "mx.example.org", "mx01.mail.icloud.com", " mx01.mail.icloud.com"),
    status: fc.constantFrom(null, "5.7.1", "2.0.0", "4.7.0"),
    replyCode: fc.constantFrom(null, 250, 421, 550),
    reasonHint: fc.constantFrom(null, "suppressed", "expired"),
    // Times as long as the first one, with a character JSON escapes or one beyond ASCII.
    time: fc.constantFrom(
      null,
      "2026-02-02T12:34:56.000Z",
      "2026-02-02T12:34:57.000Z",
      '2026-02-02T12:34:57.000"',
      "2026-02-02T12:34:57.000\u00e9",
      "2026-02-02T12:34:57",
    ),
    file: fc.constantFrom("maillog", "other.log"),
    // Line numbers on either side of 2^31 (JsonBytes.integer's two ways).
    line: fc.constantFrom(1, 10, 1234567, 2147483647, 2147483648, Number.MAX_SAFE_INTEGER),
  };
  const change = fc.oneof(
    ...Object.entries(fields).map(([name, value]) => value.map((v) => ({ name, value: v as unknown }))),
  );
  fc.assert(
    fc.property(fc.record(fields), fc.array(change, { minLength: 1, maxLength: 40 }), (first, changes) => {
      const classifier = new EventClassifier();
      for (const { name, value } of changes) {
        const fields = { ...first, [name]: value } as typeof first;
        const spans = onLine(fields.recipient, fields.reply);
        const { file, line, recipient, reply: text, ...context } = fields;
        const onBytes = { ...newEvent(fields.type as DeliveryEvent["type"], file, line), ...context };
        const out = new JsonBytes(16);
        assert.ok(classifier.jsonBytes(onBytes, spans, "postfix", out));
        const whole = { ...onBytes, recipient: recipient || null, reply: text };
        assert.equal(
          out.buffer.toString("utf8", 0, out.length),
          new EventClassifier().json(whole, "postfix"),
        );
      }
    }),
    { numRuns: 400 },
  );
});

test("a record classified under a domain- or host-scoped table is not reused for another domain or host", async () => {
  // NTT docomo's table names docomo.ne.jp (its 5.2.0 is a reception filter), Mimecast's its hosts; both
  // recipients' providers are "other". Each line must read as it reads alone, in either order.
  const at = (qid: string, rcpt: string, relay: string, dsn: string, reply: string) =>
    `Feb  2 12:01:09 mail postfix/smtp[123]: ${qid}: to=<${rcpt}>, relay=${relay}[192.0.2.1]:25, delay=1.3, delays=0/0/0.4/0.9, dsn=${dsn}, status=bounced (host ${relay}[192.0.2.1] said: ${reply})`;
  const unknown = "550 Unknown user (in reply to end of DATA command)";
  // A phrase anyone writes: Mimecast's meaning (policyviolation) on its servers only (its own wordings read from any host).
  const loop = "554 Host network not allowed (in reply to end of DATA command)";
  const pairs = [
    [
      at("Q0001", "u6@docomo.ne.jp", "mx.example.net", "5.2.0", unknown),
      at("Q0002", "u40@example.org", "mx.example.net", "5.2.0", unknown),
    ],
    [
      at("Q0003", "a@customer-one.com", "us-smtp-inbound-1.mimecast.com", "5.0.0", loop),
      at("Q0004", "b@example.org", "mx.example.org", "5.0.0", loop),
    ],
  ];
  const read = async (lines: string[]) => {
    const batches = classifyEventStream(
      Readable.from([Buffer.from(lines.join("\n"))]),
      "postfix",
      "maillog",
      {
        year: 2026,
        classifier: new EventClassifier(),
      },
    );
    return (await collect(flatten(batches))).records.map((r) => [
      r.recipient,
      r.reason,
      r.suppressRecipient,
      r.rule.id,
    ]);
  };
  for (const [first, second] of pairs) {
    const alone = [...(await read([first])), ...(await read([second]))];
    assert.notDeepEqual(alone[0].slice(1), alone[1].slice(1), "the scoped table gives its own verdict");
    assert.deepEqual(await read([first, second]), alone);
    assert.deepEqual(await read([second, first]), [alone[1], alone[0]]);
  }
});
