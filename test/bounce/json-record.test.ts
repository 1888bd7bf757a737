import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { chunkBuffer, chunkMemory, ReplyBytes } from "../../src/bounce/line-bytes.ts";
import type { BounceRecord } from "../../src/bounce/record.ts";
import {
  ClassificationJson,
  HostJson,
  JsonBytes,
  jsonRecord,
  PLAIN_REPLY,
  QUOTED_REPLY,
  RecordTemplate,
  TOKENS,
  WHOLE_DIAGNOSTIC,
} from "../../src/bounce/render-output.ts";

const rule = { id: "recipient-unknown", source: "RFC 3463 — X.1.1" };

function record(overrides: Partial<BounceRecord> = {}): BounceRecord {
  return {
    recipient: "user@example.com",
    source: { file: "maillog", line: 3 },
    format: "postfix",
    time: "2026-02-02T12:34:56.000Z",
    provider: "other",
    remoteMta: "mx.example.com",
    replyCode: 550,
    status: "5.1.1",
    providerCode: null,
    reason: "userunknown",
    category: "recipient",
    permanent: true,
    retryable: false,
    suppressRecipient: true,
    action: "Remove the address.",
    diagnostic: '550 5.1.1 "unknown" user\u0007 \ud800',
    rule,
    feedbackType: undefined,
    ...overrides,
  };
}

function plain(value: BounceRecord): string {
  return `{"schemaVersion":1,${JSON.stringify(value).slice(1)}`;
}

test("jsonRecord equals JSON.stringify with schemaVersion first, cached parts or not", () => {
  const cases: BounceRecord[] = [
    record(),
    record(), // the cached verdict and rule
    record({ status: "5.1.2", recipient: 'a"b\\c@example.com' }),
    record({ feedbackType: "abuse" }),
    record({ feedbackType: null }),
    record({ remoteMta: undefined as unknown as null }),
    record({ recipient: undefined as unknown as null }),
    record({ time: undefined as unknown as null }),
    record({ provider: undefined as unknown as BounceRecord["provider"] }),
    record({ recipient: '"x":undefined@example.com' }),
    record({ diagnostic: undefined as unknown as string }),
    record({ replyCode: Number.NaN }),
    record({ rule: { id: "x", source: "y", extra: [1] } as unknown as BounceRecord["rule"] }),
  ];
  const { feedbackType: _omitted, ...withoutFeedback } = record();
  cases.push(withoutFeedback as BounceRecord);
  const { recipient, ...rest } = record();
  cases.push({ ...rest, recipient } as BounceRecord); // other key order: the plain path
  for (const value of cases) assert.equal(jsonRecord(value), plain(value));
});

/** Remote hosts one template writes records of: its classification's, others, none, one JSON escapes. */
const HOSTS = ["mx.example.com", "mx7.another.example", null, 'a"b\\c', "é.example"];

test("a RecordTemplate writes jsonRecord's text: recipient and reply bytes escaped, line numbers, times and remote hosts filled in (property)", () => {
  const unit = fc.oneof(
    fc.constantFrom('"', "\\", "\n", "\t", "\u0000", "\u001f", "\u007f", "\u2028", "\ud800", "é", "中"),
    fc.string({ maxLength: 3 }),
  );
  const ascii = fc
    .array(unit, { minLength: 1, maxLength: 20 })
    .map((parts) => parts.join("").replace(/[^\u0000-\u007f]/g, "?"));
  // A reply needing no escape (PLAIN_REPLY), short or long (a long one is copied natively).
  const plainUnit = fc.constantFrom("a", "Z", "0", " ", ".", "-", "<", "@", "]");
  const plain = fc.oneof(
    fc.string({ unit: plainUnit, maxLength: 47 }),
    fc.string({ unit: plainUnit, minLength: 48, maxLength: 200 }),
  );
  const write = fc.record({
    recipient: ascii,
    reply: ascii,
    plainReply: plain,
    // Two digit counts each side of 2^31 (the digits are written two ways).
    line: fc.constantFrom(0, 7, 10, 99, 123456, 2147483647, 2147483648, Number.MAX_SAFE_INTEGER),
    host: fc.constantFrom(...HOSTS),
    // As long as the first (written over it), or not, or with a character JSON escapes, or none.
    time: fc.constantFrom(
      null,
      "2026-02-02T12:34:56.000Z",
      "2026-02-02T12:34:57.000Z",
      '2026-02-02T12:34:57.000"',
      "2026-02-02T12:34:57.000\u00e9",
      "2026-02-02T12:34",
    ),
  });
  fc.assert(
    fc.property(
      fc.constantFrom(WHOLE_DIAGNOSTIC, QUOTED_REPLY, PLAIN_REPLY),
      fc.constantFrom("maillog", 'a"b.log'),
      fc.array(write, { minLength: 1, maxLength: 12 }),
      (form, file, writes) => {
        const base = record({ source: { file, line: 0 } });
        const json = new ClassificationJson(base);
        const ending = Buffer.concat([Buffer.from(JSON.stringify(base.diagnostic)), json.tail()]);
        const template = new RecordTemplate(json, file, "postfix", form, ending, null);
        const none = { count: 0, start: () => 0, end: () => 0, writer: () => null };
        for (const { recipient, reply: anyReply, plainReply, line, host, time } of writes) {
          const reply = form === PLAIN_REPLY ? plainReply : anyReply;
          const bytes = Buffer.from(`${recipient}|${reply}`, "latin1");
          const out = new JsonBytes(1);
          out.text("x");
          template.write(
            out,
            new HostJson(host),
            bytes,
            0,
            recipient.length,
            line,
            time,
            recipient.length + 1,
            bytes.length,
            none,
          );
          const diagnostic = form === WHOLE_DIAGNOSTIC ? base.diagnostic : reply;
          const expected = jsonRecord({
            ...base,
            recipient,
            source: { file, line },
            time,
            remoteMta: host,
            diagnostic,
          });
          assert.equal(out.buffer.toString("utf8", 0, out.length), `x${expected}`);
        }
      },
    ),
  );
});

test("a RecordTemplate writes the same bytes in WebAssembly for a line in a chunk memory, staged and copied in order (property)", () => {
  const writer = ReplyBytes.of(new Uint8Array(256));
  assert.ok(writer !== null);
  const chunk = Buffer.from(chunkBuffer(chunkMemory(1 << 16)));
  const unit = fc.constantFrom("a", "Z", "0", " ", ".", "-", "<", "@", "]", '"', "\\", "\n");
  const write = fc.record({
    // Short or long (one of 16 bytes or more is copied 16 at a time, the last 16 overlapping the ones before).
    recipient: fc.oneof(
      fc.string({ unit, minLength: 1, maxLength: 15 }),
      fc.string({ unit, minLength: 16, maxLength: 60 }),
    ),
    // Long enough for each way a piece is copied there (byte by byte, by two words, sixteen bytes at a time,
    // by memory.copy past 1024).
    reply: fc.string({
      unit: fc.constantFrom("a", "Z", "0", " ", ".", "-", "<", "@", "]"),
      maxLength: 1200,
      size: "max",
    }),
    line: fc.constantFrom(0, 7, 10, 99, 123456, 2147483647, 2147483648),
    time: fc.constantFrom(null, "2026-02-02T12:34:56.000Z", "2026-02-02T12:34:57.000Z", "2026-02-02T12:34"),
    // One of a few hosts (each one object, as a context keeps it), or a long one the writer does not take.
    host: fc.constantFrom(...HOSTS.map((host) => new HostJson(host)), new HostJson("h".repeat(2000))),
    // Bytes written between records by JavaScript: none, a newline, a text.
    between: fc.constantFrom("", "\n", "x"),
  });
  fc.assert(
    fc.property(
      fc.constantFrom(WHOLE_DIAGNOSTIC, QUOTED_REPLY, PLAIN_REPLY, TOKENS),
      fc.array(write, { minLength: 1, maxLength: 12 }),
      fc.nat({ max: 1100 }),
      (form, writes, middle) => {
        const base = record();
        const json = new ClassificationJson(base);
        const ending = Buffer.concat([Buffer.from(JSON.stringify(base.diagnostic)), json.tail()]);
        // TOKENS: the diagnostic's pieces around two tokens (the reply's first and last thirds), the
        // middle one of any length up to 1100 (a piece past 1024 is copied by memory.copy).
        const pieces = [
          Buffer.from('"<'),
          Buffer.from(`>${"and ".repeat(275).slice(0, middle)}<`),
          Buffer.concat([Buffer.from('>"'), json.tail()]),
        ];
        const template = (form === TOKENS ? pieces : null) as Uint8Array[] | null;
        const make = () => new RecordTemplate(json, "maillog", "postfix", form, ending, template);
        const [inJs, inWasm] = [make(), make()];
        const [plain, staged] = [new JsonBytes(1), new JsonBytes(1)];
        for (const { recipient, reply, line, time, host, between } of writes) {
          const text = `${recipient}|${reply}`;
          const own = Buffer.from(text, "latin1");
          const there = chunk.subarray(16, 16 + chunk.write(text, 16, "latin1"));
          const third = Math.floor(reply.length / 3);
          const places = [0, third, reply.length - third, reply.length];
          const tokens = (inChunk: boolean) => ({
            count: 2,
            start: (t: number) => places[2 * t],
            end: (t: number) => places[2 * t + 1],
            writer: (bytes: Uint8Array) => (inChunk ? writer.writerOf(bytes) : null),
          });
          const [from, to, replyStart] = [0, recipient.length, recipient.length + 1];
          inJs.write(plain, host, own, from, to, line, time, replyStart, own.length, tokens(false));
          inWasm.write(staged, host, there, from, to, line, time, replyStart, there.length, tokens(true));
          for (const out of [plain, staged]) {
            if (between === "\n") out.byte(10);
            else if (between !== "") out.text(between);
          }
        }
        assert.equal(staged.length, plain.length);
        staged.settle();
        assert.equal(
          staged.buffer.toString("latin1", 0, staged.length),
          plain.buffer.toString("latin1", 0, plain.length),
        );
      },
    ),
  );
});

test("remote hosts are placed once per round in an area of their own: records naming more hosts than it holds, in turns, are the bytes JavaScript writes", () => {
  const writer = ReplyBytes.of(new Uint8Array(256));
  assert.ok(writer !== null);
  const chunk = Buffer.from(chunkBuffer(chunkMemory(1 << 16)));
  const base = record();
  const json = new ClassificationJson(base);
  const ending = Buffer.concat([Buffer.from(JSON.stringify(base.diagnostic)), json.tail()]);
  const make = () => new RecordTemplate(json, "maillog", "postfix", WHOLE_DIAGNOSTIC, ending, null);
  const [inJs, inWasm] = [make(), make()];
  // 600 hosts of 1,000 bytes and more (the area holds a few hundred), each named again rounds later.
  const hosts = Array.from({ length: 600 }, (_, i) => new HostJson(`mx${i}.${"h".repeat(990)}.example`));
  const text = "rcpt@example.net|250 ok";
  const own = Buffer.from(text, "latin1");
  const there = chunk.subarray(16, 16 + chunk.write(text, 16, "latin1"));
  const tokens = (inChunk: boolean) => ({
    count: 0,
    start: () => 0,
    end: () => 0,
    writer: (bytes: Uint8Array) => (inChunk ? writer.writerOf(bytes) : null),
  });
  const [plain, staged] = [new JsonBytes(1), new JsonBytes(1)];
  const [to, replyStart] = [text.indexOf("|"), text.indexOf("|") + 1];
  let rounds = 0;
  for (let k = 0; k < 2400; k++) {
    const host = hosts[(7 * k) % hosts.length];
    const round = host.placedRound;
    inJs.write(plain, host, own, 0, to, k, null, replyStart, own.length, tokens(false));
    inWasm.write(staged, host, there, 0, to, k, null, replyStart, there.length, tokens(true));
    if (host.placedRound !== round) rounds++;
  }
  // Each host placed again in each later round it is named in: 4 turns through all, ~3 rounds a turn.
  assert.ok(rounds > 2000, `hosts placed: ${rounds}`);
  staged.settle();
  assert.equal(
    staged.buffer.toString("latin1", 0, staged.length),
    plain.buffer.toString("latin1", 0, plain.length),
  );
});

test("ReplyBytes of one class table share one memory: records written in turns by several, into several JsonBytes, are the bytes JavaScript writes (property)", () => {
  // Each classifier has its ReplyBytes; those of one class table place templates and stage records in one
  // memory of the thread (line-bytes.ts ReplyMemory): a writer's staged records are copied into their
  // JsonBytes before another writer's are staged, whoever writes them.
  const classes = new Uint8Array(256);
  const writers = [ReplyBytes.of(classes), ReplyBytes.of(classes), ReplyBytes.of(classes)];
  for (const writer of writers) assert.ok(writer !== null);
  const chunk = Buffer.from(chunkBuffer(chunkMemory(1 << 16)));
  const write = fc.record({
    writer: fc.nat({ max: writers.length - 1 }),
    out: fc.nat({ max: 2 }),
    recipient: fc.string({
      unit: fc.constantFrom("a", "Z", "0", ".", '"', "@"),
      minLength: 1,
      maxLength: 40,
    }),
    reply: fc.string({ unit: fc.constantFrom("a", " ", "5", "\\"), maxLength: 300 }),
    line: fc.nat({ max: 100000 }),
    time: fc.constantFrom(null, "2026-02-02T12:34:56.000Z", "2026-02-02T12:34:57.000Z"),
    host: fc.constantFrom(...HOSTS.map((host) => new HostJson(host))),
    form: fc.constantFrom(WHOLE_DIAGNOSTIC, QUOTED_REPLY, PLAIN_REPLY),
  });
  fc.assert(
    fc.property(fc.array(write, { minLength: 1, maxLength: 16 }), (writes) => {
      const base = record();
      const json = new ClassificationJson(base);
      const ending = Buffer.concat([Buffer.from(JSON.stringify(base.diagnostic)), json.tail()]);
      const templates = new Map<string, RecordTemplate>();
      // A template per writer and form (each classifier makes its own), one more for JavaScript's writes.
      const template = (key: string, form: number) => {
        let made = templates.get(key);
        if (made === undefined) {
          made = new RecordTemplate(json, "maillog", "postfix", form, ending, null);
          templates.set(key, made);
        }
        return made;
      };
      const plain = [new JsonBytes(1), new JsonBytes(1), new JsonBytes(1)];
      const staged = [new JsonBytes(1), new JsonBytes(1), new JsonBytes(1)];
      let at = 16;
      for (const { writer, out, recipient, reply, line, time, host, form } of writes) {
        const text = `${recipient}|${reply}`;
        const own = Buffer.from(text, "latin1");
        // Each record's bytes elsewhere in the chunk memory: staged records must not read a later one's.
        if (at + text.length > chunk.length) at = 16;
        const there = chunk.subarray(at, at + chunk.write(text, at, "latin1"));
        at += text.length;
        const tokens = (inChunk: boolean) => ({
          count: 0,
          start: () => 0,
          end: () => 0,
          writer: (bytes: Uint8Array) => (inChunk ? (writers[writer] as ReplyBytes).writerOf(bytes) : null),
        });
        const [to, replyStart] = [recipient.length, recipient.length + 1];
        template(`js ${form}`, form).write(
          plain[out],
          host,
          own,
          0,
          to,
          line,
          time,
          replyStart,
          own.length,
          tokens(false),
        );
        template(`${writer} ${form}`, form).write(
          staged[out],
          host,
          there,
          0,
          to,
          line,
          time,
          replyStart,
          there.length,
          tokens(true),
        );
      }
      for (let o = 0; o < staged.length; o++) {
        staged[o].settle();
        assert.equal(staged[o].length, plain[o].length);
        assert.equal(
          staged[o].buffer.toString("latin1", 0, staged[o].length),
          plain[o].buffer.toString("latin1", 0, plain[o].length),
        );
      }
    }),
  );
});
