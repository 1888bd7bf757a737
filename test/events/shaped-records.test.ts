import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { jsonRecord } from "../../src/bounce/render-output.ts";
import { openSource } from "../../src/events/input.ts";
import { EventClassifier } from "../../src/pipeline/classify-events.ts";
import { classifyOpenedBatches, isProblem } from "../../src/pipeline/classify-source.ts";
import { shardRecords } from "../../testkit/shard-records.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-shaped-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The NDJSON records of a log written on its bytes (a shard's records: outcomes of a known line shape are
 * written without an event, OutcomeSink.shaped), and the records the decoded lines give (jsonRecord of
 * each record), with how many were written by shape.
 */
async function bothWays(
  log: string,
  all: boolean,
): Promise<{
  bytes: string[];
  text: string[];
  shaped: number;
  standIns: number;
  kept: number;
  classifier: EventClassifier;
}> {
  const path = join(dir, "mail.log");
  writeFileSync(path, log);
  const text: string[] = [];
  for await (const batch of classifyOpenedBatches(await openSource(path), { all, format: "postfix" })) {
    for (const item of batch) if (!isProblem(item)) text.push(jsonRecord(item));
  }
  const classifier = new EventClassifier();
  const bytes = shardRecords(path, classifier, all);
  return {
    bytes,
    text,
    shaped: classifier.shaped,
    standIns: classifier.standIns,
    kept: classifier.kept,
    classifier,
  };
}

const UUID = "0123abcd-0123-4567-89ab-0123456789ab";

/** A delivery or refusal line of one relay (a line template's shape), with its own recipient, time and reply. */
function line(
  n: number,
  recipient: string,
  reply: string,
  { dsn = "2.0.0", status = "sent", relay = "mx.example.net", command = "end of DATA" } = {},
): string {
  const second = String(n % 60).padStart(2, "0");
  const qid = `Q${(100000 + n).toString(16).toUpperCase()}X`;
  return `Mar  1 10:00:${second} mta postfix/smtp[1]: ${qid}: to=<${recipient}>, relay=${relay}[192.0.2.${n % 250}]:25, delay=${n % 7}.2, delays=0.1/0/0.5/${n % 3}, dsn=${dsn}, status=${status} (host ${relay}[192.0.2.${n % 250}] said: ${reply} (in reply to ${command} command))`;
}

/** Hand-written lines of a few shapes, one field at a time made hostile or one byte off the shape. */
function handWritten(): string[] {
  const lines: string[] = [];
  for (let n = 0; n < 240; n++) {
    const who = `user${n}@example.net`;
    lines.push(line(n, who, `250 2.0.0 Ok: queued as 4F2A${(0x100000 + n).toString(16)}`));
    lines.push(line(n, who, `250 2.0.0 Ok: queued as ${UUID.slice(0, -4)}${(0x1000 + n).toString(16)}`));
    lines.push(
      line(n, who, `250 2.0.0 OK  17676${String(n).padStart(5, "0")} da104b4d${n}ee5997.${n % 100} - gsmtp`),
    );
    lines.push(
      line(n, `x${n}@icloud.com`, "550 5.7.1 [CS01] Message rejected due to local policy", {
        dsn: "5.7.1",
        status: "bounced",
        command: "RCPT TO",
      }),
    );
    if (n % 5 === 0) {
      // JSON-special characters in the recipient and the reply, in the shape's own places.
      lines.push(
        line(n, `a"b\\c${n}@example.net`, `250 2.0.0 Ok: queued as 4F2A${(0x100000 + n).toString(16)}`),
      );
      lines.push(line(n, who, `250 2.0.0 "ok"\t\\ queued as 4F2A${(0x100000 + n).toString(16)}`));
      // Replies without tokens, kept as the diagnostic (written whole from the cached JSON), plain or not.
      lines.push(line(n, who, "250 ok dirdel"));
      lines.push(line(n, who, '250 ok "dir\\del"\t'));
      lines.push(line(n, who, "250 ok dirdeL"));
      // Looks like the shape, another kind of word in the token's place, or another reply code.
      lines.push(line(n, who, "250 2.0.0 Ok: queued as spam"));
      lines.push(line(n, who, `251 2.0.0 Ok: queued as 4F2A${(0x100000 + n).toString(16)}`));
      lines.push(
        line(n, `x${n}@icloud.com`, "554 5.7.1 [CS01] Message rejected due to local policy", {
          dsn: "5.7.1",
          status: "bounced",
          command: "RCPT TO",
        }),
      );
      // One byte of the shape's constant part off: another relay, DSN, command, recipient domain.
      lines.push(line(n, who, "250 2.0.0 Ok: queued as 4F2A1B3C9D", { relay: "mx.example.neT" }));
      lines.push(line(n, who, "250 2.0.0 Ok: queued as 4F2A1B3C9D", { dsn: "2.0.1" }));
      lines.push(line(n, who, "250 2.0.0 Ok: queued as 4F2A1B3C9D", { command: "end of DATa" }));
      lines.push(line(n, `user${n}@example.nett`, "250 2.0.0 Ok: queued as 4F2A1B3C9D"));
      // A deferral of the shape (kept with its event), then its delivery.
      lines.push(line(n, who, "451 4.7.1 try later", { dsn: "4.7.1", status: "deferred" }));
    }
    // A long reply (no line template is made of its line).
    if (n % 60 === 7) lines.push(line(n, who, `250 2.0.0 ${"long ".repeat(4000)}queued as 4F2A1B3C9D`));
  }
  return lines;
}

test("records of lines of a known shape, written without an event, are the records decoded lines give (hand-written lines)", async () => {
  const log = `${handWritten().join("\n")}\n`;
  for (const all of [true, false]) {
    const { bytes, text, shaped } = await bothWays(log, all);
    assert.ok(text.length > (all ? 1000 : 200), `records: ${text.length}`);
    assert.ok(shaped > (all ? 300 : 150), `written by shape: ${shaped} of ${text.length}`);
    assert.deepEqual(bytes, text);
  }
  // A chunk with a byte beyond ASCII: its lines that have one are decoded, its records are the decoded lines' too.
  const wide = handWritten().map((l, n) => (n % 97 === 5 ? l.replace("to=<", "to=<é") : l));
  const { bytes, text } = await bothWays(`${wide.join("\n")}\n`, true);
  assert.deepEqual(bytes, text);
});

test("a few lines with a byte beyond ASCII (a UTF-8 address, a reply in another language) leave the others of their chunk to the shaped path: the records decoded lines give (review R141)", async () => {
  const lines = handWritten();
  const ascii = await bothWays(`${lines.join("\n")}\n`, true);
  const wide = lines.map((l, n) =>
    n % 100 === 5
      ? l.replace("to=<", "to=<café")
      : n % 100 === 50
        ? l.replace(" said: 250", " said: 250 accepté")
        : l,
  );
  const { bytes, text, shaped } = await bothWays(`${wide.join("\n")}\n`, true);
  assert.equal(text.length, ascii.text.length);
  assert.deepEqual(bytes, text);
  // All but a few lines go as they go in an all-ASCII log (before: none of the chunk's lines did).
  assert.ok(shaped > 0.9 * ascii.shaped, `written by shape: ${shaped} (all ASCII: ${ascii.shaped})`);
});

test("replies with more tokens than WebAssembly keeps places for (hundreds of addresses), in records whose time changes: the records decoded lines give", async () => {
  // Hostile: each token's place is two ints of a ReplyBytes memory's `out`, and the time records take lies after it.
  const lines: string[] = [];
  for (let n = 0; n < 400; n++) {
    const many = (count: number) =>
      Array.from({ length: count }, (_, i) => `10.${(n * 7 + i) % 250}.${i % 250}.${n % 250}`).join(" ");
    lines.push(line(n, `user${n}@example.net`, `250 2.0.0 Ok: ${many(300)}`));
    lines.push(
      line(n, `user${n}@example.org`, `550 5.7.1 blocked ${many(257)}`, { dsn: "5.7.1", status: "bounced" }),
    );
    lines.push(line(n, `user${n}@example.com`, `250 2.0.0 Ok: ${many(256)}`));
  }
  const { bytes, text } = await bothWays(`${lines.join("\n")}\n`, true);
  assert.equal(text.length, 1200);
  assert.deepEqual(bytes, text);
});

test("a wide log (many recipient domains, each over its own relays, with a few outcomes each): the records decoded lines give, each domain, relay and context made once", async () => {
  const DOMAINS = 300;
  const RELAYS = 3;
  /** Per relay: five contexts (outcome and reply code), fewer than a domain keeps (15 of 16). */
  const outcomes = [
    {
      dsn: "2.0.0",
      status: "sent",
      reply: (n: number) => `250 2.0.0 Ok: queued as 4F2A${(0x100000 + n).toString(16)}`,
    },
    { dsn: "4.7.1", status: "deferred", reply: () => "421 4.7.1 Try again later" },
    { dsn: "4.7.1", status: "deferred", reply: () => "450 4.7.1 Try again later" },
    { dsn: "5.1.1", status: "bounced", reply: () => "550 5.1.1 No such user" },
    { dsn: "5.1.1", status: "bounced", reply: () => "554 5.1.1 No such user" },
  ];
  const lines: string[] = [];
  let n = 0;
  for (let round = 0; round < 2; round++) {
    for (let d = 0; d < DOMAINS; d++) {
      for (let r = 0; r < RELAYS; r++) {
        const relay = `mx${r}.dom-${d}.example`;
        for (const { dsn, status, reply } of outcomes) {
          lines.push(
            line(n, `user${n}@dom-${d}.example`, reply(n), { dsn, status, relay, command: "RCPT TO" }),
          );
          n++;
        }
      }
    }
  }
  const { bytes, text, classifier } = await bothWays(`${lines.join("\n")}\n`, true);
  assert.equal(text.length, lines.length);
  assert.deepEqual(bytes, text);
  // Domains whose hashes meet keep each other (two a hash), and a domain its relays' outcomes.
  assert.equal(classifier.domainsMade, DOMAINS);
  assert.equal(classifier.contextsMade, DOMAINS * RELAYS * outcomes.length);
  // One remote host's JSON per relay, not per context.
  assert.equal(classifier.relaysMade, DOMAINS * RELAYS);
});

test("recipient domains of one class whose replies name the recipient: each context's lines after its first are written by shape (its own last record), the records decoded lines give", async () => {
  // Domains of no known provider, each its own MX: one class (other domain, other host), whose last record
  // is always another domain's here (the lines take turns), and a reply that names the recipient's domain.
  const DOMAINS = 20;
  const ROUNDS = 10;
  const domain = (d: number) => (d === 0 ? "p.example" : `zz-${10 + d}-mail.example`);
  const lines: string[] = [];
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let d = 0; d < DOMAINS; d++) {
      const recipient = `user${n}@${domain(d)}`;
      const reply = `550 5.1.1 <${recipient}>: Recipient address rejected: User unknown in virtual mailbox table`;
      lines.push(
        line(n, recipient, reply, {
          dsn: "5.1.1",
          status: "bounced",
          relay: `mx.dom-${d}.example`,
          command: "RCPT TO",
        }),
      );
      n++;
    }
  }
  for (const all of [false, true]) {
    const { bytes, text, shaped } = await bothWays(`${lines.join("\n")}\n`, all);
    assert.equal(text.length, lines.length);
    assert.deepEqual(bytes, text);
    // A context's first line is read field by field (its shape is new), its second as an event (the first
    // record wrote its reply whole: another form); every later one by shape, from its own last record.
    assert.equal(shaped, (ROUNDS - 2) * DOMAINS, `written by shape: ${shaped} of ${lines.length}`);
  }
});

test("a shape's outcomes taking turns in two reply codes (one relay, one DSN: GMX's and Mimecast's 550 and 554): each code's lines after its first are written by shape, the records decoded lines give", async () => {
  const ROUNDS = 12;
  const replies = [
    "550 Requested action not taken: mailbox unavailable",
    "554-Transaction failed 554-Reject due to policy restrictions. 554 For explanation visit https://postmaster.example/x",
  ];
  const lines: string[] = [];
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const reply of replies) {
      lines.push(
        line(n, `user${n}@gmx.example`, reply, { dsn: "5.0.0", status: "bounced", command: "RCPT TO" }),
      );
      n++;
    }
  }
  for (const all of [false, true]) {
    const { bytes, text, shaped } = await bothWays(`${lines.join("\n")}\n`, all);
    assert.equal(text.length, lines.length);
    assert.deepEqual(bytes, text);
    // Each code's first line makes its context and writes its record; every later one is written by shape, the
    // shape keeping both codes' contexts (with one alone, each line found the other code's: none by shape).
    assert.equal(shaped, (ROUNDS - 1) * replies.length, `written by shape: ${shaped} of ${lines.length}`);
  }
});

test("a context's replies of a few shapes taking turns (Outlook's with one to three bracketed server stamps): lines of each shape after its first are written by shape, the records decoded lines give", async () => {
  const ROUNDS = 30;
  const stamp = (n: number, k: number) =>
    `[BL${n}PR${k}MB${1000 + n}.namprd0${k}.prod.outlook.com 2026-01-05T08:00:${String(n % 60).padStart(2, "0")}.${100 + k}Z 08DB2B7D${(0x10000000 + n * 7 + k).toString(16).toUpperCase()}]`;
  const lines: string[] = [];
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // The shapes in an order of their own each round: the last record is mostly of another shape.
    for (const stamps of round % 2 === 0 ? [1, 3, 2] : [2, 1, 3]) {
      const reply = `550 5.4.1 Recipient address rejected: Access denied. ${Array.from({ length: stamps }, (_, k) => stamp(n, k)).join(" ")}`;
      lines.push(
        line(n, `user${n}@contoso.example`, reply, { dsn: "5.4.1", status: "bounced", command: "RCPT TO" }),
      );
      n++;
    }
  }
  for (const all of [false, true]) {
    const { bytes, text, shaped } = await bothWays(`${lines.join("\n")}\n`, all);
    assert.equal(text.length, lines.length);
    assert.deepEqual(bytes, text);
    // Each shape's first line is classified, its second found by a guess; every later one is written by shape,
    // from the class's last record or where the reply parts from it (before, only a third of them: a shape's
    // line after another shape's was given to the classifier as an event).
    assert.ok(shaped >= (ROUNDS - 3) * 3, `written by shape: ${shaped} of ${lines.length}`);
  }
});

test("a reply never seen again written by a stand-in leaves its context's last record as it was: the next line of the context's common reply is written by shape, the records decoded lines give", async () => {
  const ROUNDS = 40;
  const lines: string[] = [];
  let n = 0;
  const id = (k: number) => `x${(0x4000000 + k * 7919).toString(36)}Yz${k % 10}`;
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < 3; k++) {
      lines.push(line(n, `user${n}@mimecast.example`, `250 Ok [${id(n)}.de${n % 700}]`));
      n++;
    }
    // An id after a `-` (a key of its own, seen again: an entry, the context's latest stand-in), then an id of
    // letters alone: a key never seen again, its own diagnostic (that stand-in writes it). 23 of them: 22 are a
    // 128-bit id's run (reply-key.ts id128End), one token where they hold no word the classifier reads.
    lines.push(line(n, `user${n}@mimecast.example`, `250 Ok [-${id(n)}.de${n % 700}]`));
    n++;
    const letters = Array.from({ length: 23 }, (_, i) =>
      String.fromCharCode(65 + ((n * 31 + i * 7) % 26) + (i % 2) * 32),
    ).join("");
    lines.push(line(n, `user${n}@mimecast.example`, `250 Ok [${letters}.de${n % 700}]`));
    n++;
  }
  const { bytes, text, shaped, standIns } = await bothWays(`${lines.join("\n")}\n`, true);
  assert.equal(text.length, lines.length);
  assert.deepEqual(bytes, text);
  assert.ok(standIns >= ROUNDS - 2, `written by a stand-in: ${standIns}`);
  // Every common line but the first two is written by shape (before, the one after each stand-in was not).
  assert.ok(shaped >= 3 * ROUNDS - 3, `written by shape: ${shaped} of ${lines.length}`);
});

test("deferrals of a known shape are written by shape and kept for their expiry: the records and expiries decoded lines give, aged ones forgotten and counted", async () => {
  const QUEUES = 60;
  const ROUNDS = 4;
  const qid = (q: number) => `D${(0x10000 + q).toString(16).toUpperCase()}Z`;
  const recipientOf = (q: number) => `user${q}@dom-${q % 3}.example`;
  const deferral = (day: number, q: number, round: number) => {
    const second = String((q + round) % 60).padStart(2, "0");
    const reply = `451 4.7.1 <${recipientOf(q)}>: Recipient address rejected: try again later`;
    return `Mar  ${day} 10:${String(round).padStart(2, "0")}:${second} mta postfix/smtp[1]: ${qid(q)}: to=<${recipientOf(q)}>, relay=mx.dom-${q % 3}.example[192.0.2.${q % 3}]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=4.7.1, status=deferred (host mx.dom-${q % 3}.example[192.0.2.${q % 3}] said: ${reply} (in reply to RCPT TO command))`;
  };
  const expiry = (day: number, q: number) =>
    `Mar  ${day} 12:00:00 mta postfix/qmgr[2]: ${qid(q)}: from=<news@example.org>, status=expired, returned to sender`;
  const lines: string[] = [];
  for (let round = 0; round < ROUNDS; round++)
    for (let q = 0; q < QUEUES; q++) lines.push(deferral(1, q, round));
  // A third delivered (settled: no expiry), a third expires (a bounce each, the last deferral's reply).
  for (let q = 0; q < QUEUES; q += 3) {
    lines.push(
      line(q, recipientOf(q), "250 2.0.0 Ok: queued as 4F2A1B3C9D", {
        relay: `mx.dom-${q % 3}.example`,
      }).replace(/Q[0-9A-F]+X/, qid(q)),
    );
  }
  const expiryLines = new Set<number>();
  for (let q = 0; q < QUEUES; q++) {
    lines.push(expiry(1, q));
    if (q % 3 !== 0) expiryLines.add(lines.length);
  }
  // Queue ids deferred on the 2nd, forgotten past Postfix's queue lifetime (5 days) when the 9th's lines come.
  for (let q = QUEUES; q < QUEUES + 12; q++) lines.push(deferral(2, q, 0), deferral(2, q, 1));
  lines.push(deferral(9, QUEUES + 100, 0));
  for (let q = QUEUES; q < QUEUES + 12; q++) lines.push(expiry(9, q));
  const log = `${lines.join("\n")}\n`;
  for (const all of [false, true]) {
    const { bytes, text, shaped } = await bothWays(log, all);
    assert.deepEqual(bytes, text);
    const expired = text.filter((record) => expiryLines.has(JSON.parse(record).source.line));
    assert.equal(expired.length, (2 * QUEUES) / 3);
    // Each the recipient's deferral (its reply names the recipient), bounced at the expiry's line.
    for (const record of expired) {
      const { recipient, diagnostic } = JSON.parse(record);
      assert.ok(diagnostic.includes(`<${recipient}>`), diagnostic);
    }
    // Each recipient domain's context: its first deferral read field by field, its second as an event
    // (the first record wrote its reply whole: another form); every later one by shape.
    assert.ok(shaped >= ROUNDS * QUEUES - 2 * 3, `written by shape: ${shaped} of ${text.length}`);
  }
  // Forgotten on the 9th, counted: the 1st's queue ids (their expiry line named a sender: kept a day) and
  // the 2nd's deferred ones (kept the queue's lifetime), whose expiries then find nothing.
  const path = join(dir, "aged.log");
  writeFileSync(path, log);
  const counters = { evicted: 0, evictedEarly: 0 };
  shardRecords(path, new EventClassifier(), false, counters);
  assert.equal(counters.evicted, QUEUES + 12);
});

test("replies never seen again that are their own diagnostic are written by a stand-in: the records decoded lines give", async () => {
  const lines: string[] = [];
  for (let n = 0; n < 400; n++) {
    const who = `user${n}@example.net`;
    const size = 1000 + ((n * 7919) % 90000);
    // An accept naming numbers the reply key keeps (no measurement: no unit word, no fraction): a new reply each line.
    lines.push(
      line(n, who, `250 2.6.0 <m${n}@example.org> [InternalId=${n}] ${size} parts in ${n % 1000} Queued`),
    );
    // The same with a provider code in it (another verdict: no stand-in for it), with characters JSON
    // escapes (another form), with spaces the diagnostic drops (not its own diagnostic).
    if (n % 7 === 0) lines.push(line(n, who, `250 2.0.0 [CS01] accepted ${size} parts`));
    if (n % 5 === 0) lines.push(line(n, who, `250 2.0.0 "ok"\\ ${size} parts`));
    if (n % 3 === 0) lines.push(line(n, who, `250 2.0.0  ok  ${size}  parts `));
    // A refusal naming a number of its own, on another relay and domain.
    lines.push(
      line(
        n,
        `x${n}@icloud.com`,
        `554 5.7.1 delivery error: dd not accepted ${size} [0] - mta${size}.example.com`,
        {
          dsn: "5.7.1",
          status: "bounced",
          command: "RCPT TO",
          relay: "mx.icloud.example",
        },
      ),
    );
  }
  for (const all of [true, false]) {
    const { bytes, text, standIns, kept } = await bothWays(`${lines.join("\n")}\n`, all);
    assert.ok(text.length >= (all ? 900 : 400), `records: ${text.length}`);
    assert.deepEqual(bytes, text);
    assert.ok(standIns > (all ? 800 : 350), `written by a stand-in: ${standIns} of ${text.length}`);
    assert.ok(kept < text.length / 5, `entries kept: ${kept} of ${text.length}`);
  }
});

const recipient = fc.constantFrom(
  "a@example.net",
  'q"x@example.net',
  "b\\@example.net",
  "c@Example.NET",
  "d@icloud.com",
);
const reply = fc.constantFrom(
  "250 2.0.0 Ok: queued as 4F2A1B3C9D",
  "250 2.0.0 Ok: queued as 4F2A1B3C9E",
  `250 2.0.0 Ok: queued as ${UUID}`,
  "250 2.0.0 Ok: queued as 0123abcd-0123-4567-89ab-0123456789aX",
  "250 2.0.0 Ok: queued as spam",
  "250 2.0.0 OK  1767600000 da104b4daee5997.62 - gsmtp",
  "250 2.0.0 OK  1767600001 da104b4dzee5997.6 - gsmtp",
  "251 2.0.0 OK  1767600001 da104b4daee5997.6 - gsmtp",
  '250 "quoted" \\ ok',
  "250 ok",
  "550 5.7.1 [CS01] Message rejected due to local policy",
);
/** Mostly one shape (relay, DSN, status, command), sometimes another: shapes repeat, and take turns. */
const entry = fc.record({
  recipient,
  reply,
  dsn: fc.constantFrom("2.0.0", "2.0.0", "2.0.0", "5.7.1"),
  status: fc.constantFrom("sent", "sent", "sent", "sent", "bounced", "deferred"),
  relay: fc.constantFrom("mx.example.net", "mx.example.net", "mx.example.net", "mx.example.neT"),
  command: fc.constantFrom("end of DATA", "end of DATA", "end of DATA", "RCPT TO"),
});

test("records written by shape equal the decoded lines' records for random mixes of shapes and replies (property)", async () => {
  let written = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { minLength: 30, maxLength: 120 }), async (entries) => {
      const log = entries.map((e, n) => line(n, e.recipient, e.reply, e)).join("\n");
      const { bytes, text, shaped } = await bothWays(`${log}\n`, true);
      assert.deepEqual(bytes, text);
      written += shaped;
    }),
    { numRuns: 60 },
  );
  assert.ok(written > 40, `written by shape: ${written}`);
});
