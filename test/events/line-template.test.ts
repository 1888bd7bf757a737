import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkBuffer, chunkMemory } from "../../src/bounce/line-bytes.ts";
import { JsonBytes } from "../../src/bounce/render-output.ts";
import type { DeliveryEvent } from "../../src/events/event.ts";
import { lineReader } from "../../src/events/read.ts";
import type { Out, OutcomeShape, OutcomeSpans } from "../../src/events/source.ts";
import { EventClassifier } from "../../src/pipeline/classify-events.ts";

const modified = new Date("2026-03-01T00:00:00Z");
const HEAD = "Jan  5 08:00:00 mta1 postfix/smtp[3001]: 4A1B2C3D4E: ";

/** Recipient lines of the shapes templates are made of (and one with a reply that is not). */
const LINES = [
  `${HEAD}to=<user1@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (host gmail-smtp-in.l.google.com[142.250.102.27] said: 250 2.0.0 OK  1767600000 da104b4daee5997.62 - gsmtp (in reply to end of DATA command))`,
  `${HEAD}to=<a.b@Icloud.com>, relay=mx01.mail.icloud.com[2a01:b747:3000:200::1]:25, delay=0.3, delays=0/0/0.1/0.2, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[2a01:b747:3000:200::1] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to RCPT TO command))`,
  `${HEAD}to=<x@example.org>, orig_to=<y@example.org>, relay=mx.example.org[198.51.100.7]:25, conn_use=2, delay=12, delays=1/2/3/6, dsn=2.0.0, status=sent (host mx.example.org[198.51.100.7] said: 250 ok (in reply to end of DATA command)) (extra)`,
  `${HEAD}to=<z@example.net>, relay=none, delay=0.1, delays=0/0/0/0.1, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=example.net type=A: Host not found)`,
  `${HEAD}to=<c@example.com>, relay=mx.example.com[198.51.100.7]:25, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.com[198.51.100.7]:25: Connection timed out)`,
];

/** Bytes a field may be changed to (separators the parser looks for, span alphabets, others). */
const CHANGES = [
  ",",
  " ",
  "[",
  "]",
  "(",
  ")",
  "@",
  "=",
  ".",
  "/",
  ":",
  "<",
  ">",
  "0",
  "7",
  "a",
  "F",
  "x",
  "-",
];

interface Seen {
  event: string;
  recipient: string;
  reply: string | null;
  shape: OutcomeShape | null;
  record: string | null;
}

/**
 * Where the chunk of `outcomes` lies: a buffer of its own (templates compare in JavaScript, WordLiteral) or
 * a chunk memory, at an odd offset (templates compare in WebAssembly, line-bytes.ts).
 */
let inChunkMemory = false;
let CHUNK_MEMORY = Buffer.from(chunkBuffer(chunkMemory(1 << 16)));

/** Memory for each record's JSON (read out at once, so the next record's can be written over it). */
const RECORD_MEMORY = new ArrayBuffer(1 << 16);

/** The outcomes of `lines` read in one chunk, each with its record by `classifier`. */
function outcomes(lines: string[], classifier: EventClassifier): Seen[] {
  const seen: Seen[] = [];
  const sink = {
    outcome(event: DeliveryEvent, spans: OutcomeSpans) {
      const { bytes } = spans;
      // Before the classifier, which spells a new reply's recipient and text onto the event.
      const read = JSON.stringify(event);
      const out = new JsonBytes(16, RECORD_MEMORY);
      const written = classifier.jsonBytes(event, spans, "postfix", out);
      seen.push({
        event: read,
        recipient: bytes.toString("latin1", spans.recipientStart, spans.recipientEnd),
        reply: spans.replyStart < 0 ? null : bytes.toString("latin1", spans.replyStart, spans.replyEnd),
        shape: spans.shape,
        record: written ? out.buffer.toString("utf8", 0, out.length) : null,
      });
    },
  };
  const reader = lineReader("postfix", "test", { modified, types: null, outcomes: sink });
  const out: Out = [];
  let chunk: Buffer<ArrayBufferLike> = Buffer.from(`${lines.join("\n")}\n`, "latin1");
  if (inChunkMemory) {
    if (chunk.length + 3 > CHUNK_MEMORY.length)
      CHUNK_MEMORY = Buffer.from(chunkBuffer(chunkMemory(chunk.length + 3)));
    chunk = CHUNK_MEMORY.subarray(3, 3 + chunk.copy(CHUNK_MEMORY, 3));
  }
  reader.push(chunk, out);
  reader.finish(out);
  return seen;
}

/** `line` read after `first` (by its template, where one fits) is read as a parser reads it alone. */
function sameAsAlone(first: string, line: string): Seen | undefined {
  const after = outcomes([first, line], new EventClassifier());
  // The same line number: after a line that is no log line.
  const chunkMemory = inChunkMemory;
  inChunkMemory = false;
  const alone = outcomes(["-", line], new EventClassifier());
  inChunkMemory = chunkMemory;
  const [template, ...rest] = after;
  assert.equal(rest.length, alone.length, line);
  if (alone.length === 0) return undefined;
  const { shape, ...read } = rest[0];
  const { shape: _, ...fresh } = alone[0];
  assert.deepEqual(read, fresh, line);
  // One shape: the same type, relay, DSN status and hint, and the same recipient domain.
  if (shape !== null && shape === template.shape) {
    const [a, b] = [JSON.parse(template.event), JSON.parse(read.event)];
    for (const key of ["type", "remoteMta", "status", "reasonHint"]) assert.equal(a[key], b[key], line);
    const domain = (recipient: string) => recipient.slice(recipient.lastIndexOf("@") + 1);
    assert.equal(domain(template.recipient), domain(read.recipient), line);
  }
  return rest[0];
}

for (const where of ["a buffer", "a chunk memory"]) {
  test(`a line read by the last line's template is read as a parser reads it alone, byte by byte (${where})`, () => {
    inChunkMemory = where === "a chunk memory";
    byteByByte();
  });
}

function byteByByte(): void {
  for (const first of LINES) {
    for (let at = HEAD.length; at < first.length; at++) {
      for (const change of CHANGES) {
        if (first[at] === change) continue;
        sameAsAlone(first, first.slice(0, at) + change + first.slice(at + 1));
      }
      sameAsAlone(first, first.slice(0, at) + first.slice(at + 1));
      sameAsAlone(first, `${first.slice(0, at)}1${first.slice(at)}`);
    }
  }
}

test("lines that differ in their variable spans, recipient and reply tokens share the template", () => {
  inChunkMemory = true;
  const [gmail, icloud, other] = LINES;
  // A delivery as Postfix logs it, over a cached connection: the server's reply alone, ending in its id.
  const pfSent = `${HEAD}to=<u@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, conn_use=3, delay=0.35, delays=0.05/0/0/0.3, dsn=2.0.0, status=sent (250 2.0.0 OK  1767600000 da104b4daee5997.62 - gsmtp)`;
  const variants: [string, string][] = [
    [gmail, gmail.replace("user1@", "someone.else+tag@").replace("da104b4daee5997.62", "ab3ff9c1d0e2a77.13")],
    [gmail, gmail.replaceAll("142.250.102.27", "74.125.1.100").replace("delay=1.2", "delay=31")],
    [icloud, icloud.replace("delays=0/0/0.1/0.2", "delays=0.11/0.01/1.5/12").replaceAll("200::1", "fe::7")],
    [other, other.replace("delay=12", "delay=0.5").replace("x@", "xy@")],
    // conn_use's number: the connection's use count (Postfix's global/log_adhoc.c), one per delivery over it.
    [other, other.replace("conn_use=2", "conn_use=117")],
    [
      pfSent,
      pfSent.replace("conn_use=3", "conn_use=4").replace("delays=0.05/0/0/0.3", "delays=1.4/0.01/0/1.1"),
    ],
    // Another reply code: the same shape, a record of its own code.
    [gmail, gmail.replace("said: 250 2.0.0", "said: 251 2.0.0")],
  ];
  for (const [first, line] of variants) {
    sameAsAlone(first, line);
    const [template, read] = outcomes([first, line], new EventClassifier());
    assert.ok(template.shape !== null, first);
    assert.equal(read.shape, template.shape, line);
  }
});

test("a template compared in JavaScript again and again (byte by byte, then by its words) reads lines as a parser reads them alone", () => {
  inChunkMemory = false;
  const gmail = LINES[0];
  const from = gmail.indexOf("@") + 1;
  const lines = [gmail];
  for (let k = 0; k < 40; k++) {
    // A byte changed after the recipient (another shape, maybe of the slot), then a line of the first's shape.
    const at = from + ((k * 37) % (gmail.length - from));
    lines.push(gmail.slice(0, at) + CHANGES[k % CHANGES.length] + gmail.slice(at + 1));
    lines.push(
      gmail
        .replace("user1@", `u${k}@`)
        .replace("delay=1.2", `delay=${k}.5`)
        .replace("da104b4daee5997.62", `da104b4daee${k}997.62`),
    );
  }
  const read = outcomes(lines, new EventClassifier());
  // Each line alone, at its line number (after lines that are no log lines).
  const alone = lines.flatMap((line, i) =>
    outcomes([...Array.from({ length: i }, () => "-"), line], new EventClassifier()),
  );
  assert.equal(read.length, alone.length);
  for (let i = 0; i < read.length; i++) {
    const { shape: _, ...fresh } = alone[i];
    const { shape, ...seen } = read[i];
    assert.deepEqual(seen, fresh, seen.event);
  }
  // The first line's template read most of its shape's lines: compared more often than its bytes alone are.
  const byFirst = read.filter((seen) => seen.shape !== null && seen.shape === read[0].shape).length;
  assert.ok(byFirst > 20, `${byFirst} lines read by the first line's template`);
});

test("a line whose whole status text is its reply (no ` said: `) shares its template with the like, not with a `host …` text", () => {
  const timedOut = LINES[4];
  const bare = (text: string) => timedOut.replace(/\(connect to .*\)$/, `(${text})`);
  for (const where of [false, true]) {
    inChunkMemory = where;
    // Another address and recipient: the same shape.
    const other = timedOut.replaceAll("198.51.100.7", "203.0.113.250").replace("c@", "someone@");
    sameAsAlone(timedOut, other);
    const [template, read] = outcomes([timedOut, other], new EventClassifier());
    assert.ok(template.shape !== null, timedOut);
    assert.equal(read.shape, template.shape, other);
    // Another failure (its own slot: a slot hashes the line's last bytes) is read as alone.
    sameAsAlone(timedOut, bare("connect to mx.example.com[198.51.100.7]:25: Connection refused"));
    // The template's bytes (its slot's too: the same last bytes) but a text the parser reads a reply (and
    // a command) out of: read as alone.
    for (const text of [
      "host mx.example.com[198.51.100.7] said: 421 4.4.1 Connection timed out",
      "host mx.example.com[198.51.100.7] refused to talk to me: 554 5.7.1 Connection timed out",
    ]) {
      const read = sameAsAlone(timedOut, bare(text));
      assert.ok(read !== undefined && read.reply !== text, text);
    }
  }
});

for (const where of ["a buffer", "a chunk memory"]) {
  test(`line shapes of one slot beyond its two are kept and read as a parser reads their lines alone (${where})`, () => {
    inChunkMemory = where === "a chunk memory";
    // More recipient domains (each its own relay) than the table has slot pairs (8192): many pairs get three
    // shapes or more, and the lines come round by round, so each shape's next line comes after its slot's others.
    const domains = 12_000;
    const line = (round: number, d: number) =>
      `${HEAD}to=<u${round}x${d}@d${d}.example>, relay=mx.d${d}.example[192.0.2.${d % 250}]:25, delay=0.${round}, delays=0/0/0/0.${round}, dsn=2.0.0, status=sent (host mx.d${d}.example[192.0.2.${d % 250}] said: 250 2.0.0 Ok: queued as ${(d * 7919 + round).toString(16).toUpperCase()} (in reply to end of DATA command))`;
    const rounds = [0, 1].map((round) => Array.from({ length: domains }, (_, d) => line(round, d)));
    const both = outcomes([...rounds[0], ...rounds[1]], new EventClassifier());
    // The same line numbers: after lines that are no log lines.
    const alone = outcomes([...rounds[0].map(() => "-"), ...rounds[1]], new EventClassifier());
    assert.equal(both.length, 2 * domains);
    let learnedAgain = 0;
    for (let d = 0; d < domains; d++) {
      const { shape: first } = both[d];
      const { shape, ...read } = both[domains + d];
      const { shape: _, ...fresh } = alone[d];
      assert.deepEqual(read, fresh, rounds[1][d]);
      assert.ok(first !== null && shape !== null, rounds[1][d]);
      if (shape !== first) learnedAgain++;
    }
    // A slot of two: 43 % of the lines (those of pairs with three shapes or more) are learned again; with two
    // extras a slot keeps four, so only pairs with five or more (about 6 %).
    assert.ok(learnedAgain < 0.15 * domains, `${learnedAgain} of ${domains} lines learned again`);
  });
}

for (const where of ["a buffer", "a chunk memory"]) {
  test(`a delivery over a cached connection (\`, conn_use=N\`) and one without share a template; other conn_use texts are read as alone (${where})`, () => {
    inChunkMemory = where === "a chunk memory";
    const withConnUse = (line: string, n: string) => line.replace(", delay=", `, conn_use=${n}, delay=`);
    const without = LINES[2].replace(", conn_use=2", "");
    // relay=none (LINES[3]): no connection, no conn_use in Postfix's lines; the slot's relay bytes (slotOf) would
    // take in `, conn_use` there: read as alone, not asked to share.
    sameAsAlone(LINES[3], withConnUse(LINES[3], "2"));
    const pairs: [string, string][] = [
      ...[0, 1, 4].flatMap((i): [string, string][] => [
        [LINES[i], withConnUse(LINES[i], "2")],
        [withConnUse(LINES[i], "17"), LINES[i]],
        [withConnUse(LINES[i], "3"), withConnUse(LINES[i], "1024")],
      ]),
      [LINES[2], without],
      [without, LINES[2]],
    ];
    for (const [first, line] of pairs) {
      sameAsAlone(first, line);
      const [template, read] = outcomes([first, line], new EventClassifier());
      assert.ok(template.shape !== null, first);
      assert.equal(read.shape, template.shape, line);
    }
    // Not Postfix's conn_use (no number, another byte in or after it, twice, elsewhere, a field after it): as alone.
    const odd = [
      ", conn_use=, delay=",
      ", conn_use=1.2/3, delay=",
      ", conn_use=7x, delay=",
      ", conn_use=2, conn_use=3, delay=",
      ", conn_use=5,delay=",
      ", conn_use=5 , delay=",
      " , conn_use=5, delay=",
      ", conn_use=5, relay=evil.example[192.0.2.9]:25, delay=",
      ", conn_use=5, dsn=5.1.1, delay=",
      ", conn_use=5, status=bounced (host evil said: 550 no), delay=",
      ", conn_use=5 delay=",
      ", conn_use=5, delay=1, conn_use=6, delay=",
    ];
    for (const first of [LINES[0], withConnUse(LINES[0], "2"), LINES[4], withConnUse(LINES[4], "9")]) {
      const plain = first.replace(/, conn_use=\d+/, "");
      for (const text of odd) sameAsAlone(first, plain.replace(", delay=", text));
      sameAsAlone(first, plain.replace(", relay=", ", conn_use=3, relay="));
      sameAsAlone(first, plain.replace(", dsn=", ", conn_use=3, dsn="));
    }
  });
}
