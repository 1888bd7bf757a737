import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { FAILURE_TYPES } from "../../src/bounce/classify-event.ts";
import { JsonBytes } from "../../src/bounce/render-output.ts";
import type { DeliveryEvent, EventType, ParseProblem } from "../../src/events/event.ts";
import { lineReader } from "../../src/events/read.ts";
import { isProblem, type Out, type OutcomeSpans } from "../../src/events/source.ts";
import { EventClassifier } from "../../src/pipeline/classify-events.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";
import { readAll } from "../../testkit/events-read.ts";
import { POSTFIX_EDGE_LINES } from "../../testkit/postfix-edge-log.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

const modified = new Date("2026-03-01T00:00:00Z");
const FAILURES = new Set(FAILURE_TYPES) as ReadonlySet<EventType>;

interface OnBytes {
  /** Events (outcomes read on the bytes and events of decoded lines) as JSON, and problems, in input order. */
  events: string[];
  problems: ParseProblem[];
  /** Outcomes read on the bytes. */
  outcomes: number;
  /** Per outcome: its record's JSON written from the bytes, and the text the string path gives (null: no record). */
  records: [string | null, string | null][];
}

/** `input` read by the Postfix parser with an outcome sink, each outcome's record written both ways. */
function readOnBytes(input: string, types: ReadonlySet<EventType> | null, chunkSize: number): OnBytes {
  const result: OnBytes = { events: [], problems: [], outcomes: 0, records: [] };
  let pending: string[] = [];
  let before: number[] = [];
  const fromBytes = new EventClassifier();
  const fromText = new EventClassifier();
  const sink = {
    outcome(event: DeliveryEvent, spans: OutcomeSpans, at: number) {
      const { bytes } = spans;
      // The recipient is left on the bytes but for a deferral's (kept by the parser); the reply may be (null).
      const recipient = bytes.toString("latin1", spans.recipientStart, spans.recipientEnd) || null;
      if (event.type === "deferred") assert.equal(event.recipient, recipient);
      else assert.equal(event.recipient, null);
      const reply = spans.replyStart < 0 ? null : bytes.toString("latin1", spans.replyStart, spans.replyEnd);
      if (event.reply !== null) assert.equal(event.reply, reply);
      const out = new JsonBytes(16);
      const queueId =
        event.queueId ?? (bytes.toString("latin1", spans.queueIdStart, spans.queueIdEnd) || null);
      const whole = { ...event, recipient, reply, queueId };
      const written = fromBytes.jsonBytes(event, spans, "postfix", out);
      pending.push(JSON.stringify(whole));
      before.push(at);
      result.outcomes++;
      result.records.push([
        written ? out.buffer.toString("utf8", 0, out.length) : null,
        fromText.json(whole, "postfix"),
      ]);
    },
  };
  const reader = lineReader("postfix", "test", { modified, types, outcomes: sink });
  const take = (out: Out) => {
    let k = 0;
    for (let i = 0; i <= out.length; i++) {
      for (; k < pending.length && before[k] <= i; k++) result.events.push(pending[k]);
      if (i === out.length) break;
      const item = out[i];
      if (isProblem(item)) result.problems.push(item);
      else result.events.push(JSON.stringify(item));
    }
    pending = [];
    before = [];
  };
  const bytes = Buffer.from(input);
  for (let i = 0; i < bytes.length; i += chunkSize) {
    const out: Out = [];
    // A copy per chunk, as the file reader's reused buffer is overwritten by the next chunk.
    reader.push(Buffer.from(bytes.subarray(i, i + chunkSize)), out);
    take(out);
  }
  const out: Out = [];
  reader.finish(out);
  take(out);
  return result;
}

/** Chunk sizes: whole, and small (a chunk with a non-ASCII byte is decoded: small ones leave the others ASCII). */
async function assertSameAsText(input: string, least: number): Promise<void> {
  let outcomes = 0;
  for (const types of [null, FAILURES]) {
    for (const chunkSize of [65536, 997, 131]) {
      const text = await readAll(input, "postfix", { modified, types, chunkSize });
      const bytes = readOnBytes(input, types, chunkSize);
      outcomes += bytes.outcomes;
      assert.deepEqual(
        bytes.events,
        text.events.map((event) => JSON.stringify(event)),
      );
      assert.deepEqual(bytes.problems, text.problems);
      for (const [written, expected] of bytes.records) assert.equal(written, expected);
    }
  }
  assert.ok(outcomes >= least, `outcomes read on the bytes: ${outcomes}`);
}

/**
 * Corners of the reply's wrapper: ` (in reply to ` starting inside ` said: `, none after it, a `)` missing;
 * and of the reply cache.
 */
const CORNERS = [
  "Mar  1 10:00:00 mta postfix/smtp[1]: ABCDE12345: to=<a@example.com>, relay=mx[1.2.3.4]:25, dsn=5.0.0, status=bounced (host mx[1.2.3.4] said: (in reply to RCPT TO command)",
  "Mar  1 10:00:00 mta postfix/smtp[1]: ABCDE12346: to=<a@example.com>, dsn=5.0.0, status=bounced (host mx (in reply to x) said: 550 no",
  "Mar  1 10:00:00 mta postfix/smtp[1]: ABCDE12347: to=<>, relay=none, dsn=4.4.1, status=deferred (connect to mx[1.2.3.4]:25: Connection refused)",
  "Mar  1 10:00:01 mta postfix/smtp[1]: ABCDE12347: to=<>, relay=none, dsn=2.0.0, status=sent (250 ok)",
  "Mar  1 10:00:02 mta postfix/smtp[1]: ABCDE12348: to=<a@example.com>, status=deferred (host mx refused to talk to me: 421 busy",
  // Two recipients deferred, one delivered later: the expiry bounces the other only.
  "Mar  1 10:00:03 mta postfix/smtp[1]: QEXPIRE001: to=<a@example.com>, relay=mx[1.2.3.4]:25, dsn=4.2.2, status=deferred (host mx[1.2.3.4] said: 452 4.2.2 full (in reply to RCPT TO command))",
  "Mar  1 10:00:04 mta postfix/smtp[1]: QEXPIRE001: to=<b@example.com>, relay=mx[1.2.3.4]:25, dsn=4.2.2, status=deferred (host mx[1.2.3.4] said: 452 4.2.2 full (in reply to RCPT TO command))",
  "Mar  1 10:00:05 mta postfix/smtp[1]: QEXPIRE001: to=<a@example.com>, relay=mx[1.2.3.4]:25, dsn=2.0.0, status=sent (250 2.0.0 ok)",
  "Mar  6 10:00:06 mta postfix/qmgr[2]: QEXPIRE001: from=<s@example.com>, status=expired, returned to sender",
  // A reply of the shape of one seen before in its context, a word in the token's place: classified as itself.
  "Mar  6 10:00:07 mta postfix/smtp[1]: ABCDE12349: to=<a@example.com>, relay=mx[1.2.3.4]:25, dsn=5.7.1, status=bounced (host mx[1.2.3.4] said: 550 5.7.1 rejected: 4F2A1B3C9D0 (in reply to end of DATA command))",
  "Mar  6 10:00:08 mta postfix/smtp[1]: ABCDE12350: to=<b@example.com>, relay=mx[1.2.3.4]:25, dsn=5.7.1, status=bounced (host mx[1.2.3.4] said: 550 5.7.1 rejected: spam (in reply to end of DATA command))",
];

test("Postfix lines read on their bytes give the events, state and record JSON of decoded lines (generated and hand-written logs)", async () => {
  await assertSameAsText(`${CORNERS.join("\n")}\n`, 5);
  await assertSameAsText(`${POSTFIX_EDGE_LINES.join("\n")}\n`, 5);
  await assertSameAsText([...postfixGrepLogChunks(3000, 7)].join(""), 1000);
  await assertSameAsText([...postfixLogChunks(2000, 3)].join(""), 500);
});

/**
 * Stamps that take turns line by line: the same one again, one differing in a byte only, one of another length,
 * one longer than the parser keeps as bytes (48), one with a character that is no byte (decoded lines: small
 * chunks), so that a line read on its bytes compares its stamp with each kind of last one.
 */
const TURNS = [
  "Mar  1 10:00:00",
  "Mar  1 10:00:00",
  "Mar  1 10:00:01",
  "Mar  1 11:00:01",
  "Mar  1 10:00:00.5",
  "Mar  1 10:00:00.25",
  "<22>2026-03-01T10:00:00.123456789+00:00",
  "<22>2026-03-01T10:00:00.123456788+00:00",
  "2026-03-01T10:00:00.1234567890123456789012345678901234+00:00",
  "2026-03-01T10:00:01.1234567890123456789012345678901234+00:00",
  "2026-03-01T10:00:00\u20ac+00:00",
  "Mar  1 10:00:00",
];

test("Postfix lines read on their bytes: each outcome's time is its own stamp's, whatever the last line's stamp", async () => {
  const lines = [...postfixGrepLogChunks(400, 5)].join("").split("\n").filter(Boolean);
  const turned = lines.map((line, i) => `${TURNS[i % TURNS.length]}${line.slice("Mar  1 10:00:00".length)}`);
  await assertSameAsText(`${turned.join("\n")}\n`, 200);
});

/**
 * Stamps of one minute whose seconds change, back and forth (a line read on its bytes takes such a time from the
 * clock's minute, its stamp's text not made), in turns with seconds no minute has (60, `0x`), a `-` before them,
 * another minute and a year's end; `é` marks a line that is decoded (its chunk holds a non-ASCII byte), whose
 * stamp is then compared as text with the last one.
 */
const SECONDS_TURNS = [
  "Mar  1 10:00:00",
  "Mar  1 10:00:07",
  "Mar  1 10:00:00",
  "Mar  1 10:00:07",
  "Mar  1 10:00:00 é",
  "Mar  1 10:00:17",
  "Mar  1 10:00:07",
  "Mar  1 10:00:07 é",
  "Mar  1 10:00:59",
  "Mar  1 10:00:60",
  "Mar  1 10:00:0x",
  "Mar  1 10:00:08",
  "Mar  1 10:00:08 é",
  "Mar  1 10:00:09 é",
  "Mar  1 10:00:10",
  "Mar  1 10:00-11",
  "Mar  1 10:00-12",
  "Mar  1 10:01:12",
  "Dec 31 23:59:58",
  "Dec 31 23:59:59",
];

test("Postfix lines read on their bytes: a stamp whose seconds alone change has its own time, as decoded lines do", async () => {
  const lines = [...postfixGrepLogChunks(450, 11)].join("").split("\n").filter(Boolean);
  const turned = lines.map((line, i) => {
    const [stamp, mark] = SECONDS_TURNS[i % SECONDS_TURNS.length].split(" é");
    const rest = line.slice("Mar  1 10:00:00".length);
    return `${stamp}${mark === undefined ? rest : rest.replace(" (in reply to ", " é (in reply to ")}`;
  });
  assert.ok(turned.some((line) => line.includes(" é (in reply to ")));
  await assertSameAsText(`${turned.join("\n")}\n`, 200);
});

/** Pieces of hostile status lines: quotes, backslashes, control characters, parentheses, wrappers, tokens. */
const WORDS = [
  "550",
  "421-4.7.0",
  "5.7.1",
  "[CS01]",
  "said:",
  " said: ",
  "host",
  " (in reply to ",
  "(in reply to ",
  "RCPT TO command)",
  " refused to talk to me: ",
  "(",
  ")",
  '"',
  "\\",
  "\t",
  "\u0001",
  "\u001f",
  "\u007f",
  " ",
  "  ",
  "user.name+tag@Example.COM",
  "a1b2c3d4e5f6",
  "0123abcd-0123-4567-89ab-0123456789ab",
  "192.0.2.1",
  "2026-03-01",
  "12:34:56",
  "1764300000",
  "gsmtp",
  "é",
  ">",
  ",",
  ", status=sent",
];
const piece = fc.constantFrom(...WORDS);
const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(""));
const line = fc.record({
  stamp: fc.constantFrom(
    "Mar  1 10:00:00",
    "Mar  1 10:00:01",
    "2026-03-01T10:00:02+01:00",
    "Mar 32 10:00:00",
  ),
  tag: fc.constantFrom(
    "postfix/smtp[1]",
    "postfix-out/smtp[2]",
    "postfix-192.0.2.9/smtp[3]",
    "postfix/qmgr[4]",
  ),
  qid: fc.constantFrom("ABCDE12345", "4Xy7zAbCdEfGh", "Q1234", "QQ:QQQ"),
  kind: fc.constantFrom("to", "to", "to", "to", "from", "expired", "removed"),
  // Mostly a few recipients: deferred, then delivered, bounced or expired in one queue.
  recipient: fc.oneof(
    { arbitrary: text, weight: 1 },
    { arbitrary: fc.constantFrom("a@example.com", "B@x"), weight: 3 },
  ),
  relay: fc.constantFrom(
    "",
    ", relay=none",
    ", relay=local",
    ", relay=MX.Example.COM[192.0.2.1]:25",
    ", relay=mx[x",
  ),
  dsn: fc.constantFrom("", ", dsn=5.7.1", ", dsn=0.0.0", ", dsn=4.2.2", ", dsn=5.x", ", dsn="),
  status: fc.constantFrom("sent", "deferred", "bounced", "expired", "queued", ""),
  wrapper: fc.constantFrom("none", "bare", "said", "refused"),
  reply: text,
  trailer: fc.constantFrom("", " (in reply to end of DATA command)", ")", "\r"),
});

test("Postfix lines read on their bytes: hostile recipients and replies give what decoded lines give", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), async (lines) => {
      const input = lines
        .map((l) => {
          const head = `${l.stamp} mta ${l.tag}: ${l.qid}: `;
          if (l.kind === "from") return `${head}from=<${l.recipient}>, size=1, nrcpt=1 (queue active)`;
          if (l.kind === "expired") return `${head}from=<${l.recipient}>, status=expired, returned to sender`;
          if (l.kind === "removed") return `${head}removed`;
          const reply =
            l.wrapper === "none"
              ? ""
              : l.wrapper === "bare"
                ? ` (${l.reply})`
                : l.wrapper === "said"
                  ? ` (host mx[192.0.2.1] said: ${l.reply}${l.trailer})`
                  : ` (host mx[192.0.2.1] refused to talk to me: ${l.reply}${l.trailer})`;
          return `${head}to=<${l.recipient}>${l.relay}, delay=1${l.dsn}, status=${l.status}${reply}`;
        })
        .join("\n");
      await assertSameAsText(`${input}\n`, 0);
    }),
    { numRuns: 150 },
  );
});

test("Postfix: a deferral of a shape seen before is read by its line template and kept with its own reply", () => {
  const deferral = (qid: string, recipient: string, id: string) =>
    `Mar  1 10:00:00 mta postfix/smtp[1]: ${qid}: to=<${recipient}@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=4.7.1, status=deferred (host mx.example.com[192.0.2.1] said: 421 4.7.1 try later ${id} (in reply to RCPT TO command))`;
  const lines = [
    deferral("QDEFER0001", "a", "x1"),
    deferral("QDEFER0002", "b", "y22"),
    "Mar  6 10:00:01 mta postfix/qmgr[2]: QDEFER0002: from=<s@example.org>, status=expired, returned to sender",
  ];
  const seen: { shaped: boolean; event: DeliveryEvent }[] = [];
  const sink = {
    outcome(event: DeliveryEvent, spans: OutcomeSpans) {
      seen.push({ shaped: spans.shape !== null, event: { ...event } });
    },
  };
  const reader = lineReader("postfix", "test", { modified, types: FAILURES, outcomes: sink });
  const out: Out = [];
  reader.push(Buffer.from(`${lines.join("\n")}\n`), out);
  reader.finish(out);
  assert.deepEqual(
    seen.map(({ shaped, event }) => [shaped, event.recipient, event.reply, event.remoteMta, event.status]),
    [
      [true, "a@example.com", "421 4.7.1 try later x1", "mx.example.com", "4.7.1"],
      [true, "b@example.com", "421 4.7.1 try later y22", "mx.example.com", "4.7.1"],
    ],
  );
  // The expiry bounces the kept deferral: its reply is the line's own, not the template's first one.
  const bounced = out.filter((item): item is DeliveryEvent => !isProblem(item));
  assert.deepEqual(
    bounced.map((event) => [event.type, event.recipient, event.reply, event.smtpCommand, event.reasonHint]),
    [["bounced", "b@example.com", "421 4.7.1 try later y22", "RCPT", "expired"]],
  );
});

test("Postfix: a relay's outcomes at one command keep a line template each (not one made anew per line)", () => {
  const line = (qid: string, dsn: string, status: string, reply: string) =>
    `Mar  1 10:00:00 mta postfix/smtp[1]: ${qid}: to=<u${qid}@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.23]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=${dsn}, status=${status} (host mx01.mail.icloud.com[17.57.155.23] said: ${reply} (in reply to RCPT TO command))`;
  const shapes = [
    ["5.7.1", "bounced", "550 5.7.1 [CS01] Message rejected due to local policy"],
    ["4.7.1", "deferred", "421 4.7.1 [HM08] Message temporarily deferred"],
    ["5.1.1", "bounced", "550 5.1.1 user does not exist"],
  ];
  const lines = [0, 1, 2, 0, 1, 2].map((s, i) =>
    line(`QSHAPE000${i}`, shapes[s][0], shapes[s][1], shapes[s][2]),
  );
  const seen: unknown[] = [];
  const sink = {
    outcome(_event: DeliveryEvent, spans: OutcomeSpans) {
      seen.push(spans.shape);
    },
  };
  const reader = lineReader("postfix", "test", { modified, types: FAILURES, outcomes: sink });
  reader.push(Buffer.from(`${lines.join("\n")}\n`), []);
  assert.equal(seen.length, 6);
  assert.ok(seen.every((shape) => shape !== null));
  assert.deepEqual(
    [0, 1, 2].map((s) => seen[s] === seen[s + 3]),
    [true, true, true],
  );
});
