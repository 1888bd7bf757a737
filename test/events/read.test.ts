import assert from "node:assert/strict";
import { test } from "node:test";
import { LineSplitter, MAX_LINE } from "../../src/events/read.ts";
import { readAll } from "../../testkit/events-read.ts";

test("a JSON array on one line bigger than MAX_LINE is streamed in fragments, every record kept", async () => {
  const one = {
    email: "r@example.com",
    event: "delivered",
    ip: "192.0.2.1",
    response: "250 ok",
    sg_event_id: "",
  };
  const events = Array.from({ length: 12_000 }, (_, i) => ({
    ...one,
    sg_event_id: `id-${i}`,
    pad: "x".repeat(80),
  }));
  const line = JSON.stringify(events);
  assert.equal(line.length > MAX_LINE, true);
  const result = await readAll(`${line}\n${JSON.stringify({ ...one, sg_event_id: "after" })}\n`, "sendgrid");
  assert.deepEqual(result.problems, []);
  assert.equal(result.events.length, 12_001);
  assert.equal(result.events[11_999].eventId, "id-11999");
  assert.equal(result.events[11_999].source.line, 1);
  assert.equal(result.events[12_000].source.line, 2);
});

test("a line-based format refuses an over-long line once and carries on with the next", async () => {
  const good =
    "Feb  2 12:34:56 h postfix/smtp[1]: AAAAAA1: to=<a@example.com>, relay=none, delay=1, delays=0/0/0/0, dsn=5.0.0, status=bounced (x)";
  const input = `${good}\n${"y".repeat(MAX_LINE * 2 + 5)}\n${good}\n`;
  const result = await readAll(input, "postfix", { year: 2026 });
  assert.deepEqual(
    result.events.map((e) => e.source.line),
    [1, 3],
  );
  assert.equal(result.problems.length, 1);
  assert.equal(result.problems[0].source.line, 2);
  assert.match(result.problems[0].message, /longer than/);
});

test("CRLF line endings, a missing final newline and a UTF-8 character split across chunks", async () => {
  const input = Buffer.from(
    '{"email":"zoë@example.com","event":"bounce","reason":"550 5.1.1 no"}\r\n{"email":"b@example.com","event":"bounce","reason":"550 5.1.1 no"}',
  );
  for (const chunkSize of [1, 2, 5, 1000]) {
    const result = await readAll(input, "sendgrid", { chunkSize });
    assert.deepEqual(
      result.events.map((e) => [e.recipient, e.source.line]),
      [
        ["zoë@example.com", 1],
        ["b@example.com", 2],
      ],
      `chunk size ${chunkSize}`,
    );
  }
});

test("broken JSON records become problems with their line; the records around them survive", async () => {
  const input = [
    '{"email":"a@example.com","event":"bounce","reason":"550 x"}',
    '{"email":"b@example.com","event":"bou',
    '{"email":"c@example.com","event":"bounce","reason":"550 x"}',
    "not json at all",
    '{"email":"d@example.com","event":"bounce","reason":"550 x"}',
    '{"email":"e@example.com","event":"bounce"',
  ].join("\n");
  const result = await readAll(input, "sendgrid");
  assert.deepEqual(
    result.events.map((e) => e.recipient),
    ["a@example.com", "c@example.com", "d@example.com"],
  );
  assert.deepEqual(
    result.problems.map((p) => p.source.line),
    [2, 4, 6],
  );
});

test("a pretty-printed JSON document spanning lines is one record at its first line", async () => {
  const input = `\n${JSON.stringify([{ email: "a@example.com", event: "spamreport", timestamp: 1 }], null, 2)}\n`;
  const result = await readAll(input, "sendgrid");
  assert.equal(result.events.length, 1);
  assert.equal(result.events[0].type, "complaint");
  assert.equal(result.events[0].source.line, 3);
});

test("a long unterminated line arriving in 1-byte chunks is carried in linear time", () => {
  let fragments = 0;
  const splitter = new LineSplitter({ line() {}, fragment: () => void fragments++, end() {} }, "test");
  const one = Buffer.from("{");
  // Linear: the carry's bytes are joined a bounded number of times (counted, not timed: a loaded machine
  // makes any time limit fail). Re-concatenating the carry per chunk would copy ~80 GB.
  const concat = Buffer.concat;
  let joined = 0;
  Buffer.concat = (list: readonly Uint8Array[], length?: number) => {
    const result = concat(list, length);
    joined += result.length;
    return result;
  };
  try {
    for (let i = 0; i < 400_000; i++) splitter.push(one, []);
    splitter.finish([]);
  } finally {
    Buffer.concat = concat;
  }
  assert.ok(joined <= 2 * 400_000, `${joined} bytes joined`);
  assert.equal(fragments, 0, "400 kB is below MAX_LINE: no fragments yet");
});

test("a line a parser fails on while reading it on its bytes is that line's problem; the lines around it are read", () => {
  const lines: string[] = [];
  const splitter = new LineSplitter(
    {
      line: (text) => void lines.push(text),
      take(bytes, from, to) {
        if (bytes.toString("latin1", from, to) === "bad") throw new Error("broken");
        return false;
      },
      end() {},
    },
    "test",
  );
  const out: Parameters<LineSplitter["push"]>[1] = [];
  splitter.push(Buffer.from("one\nbad\nthree\n"), out);
  splitter.finish(out);
  assert.deepEqual(lines, ["one", "three"]);
  assert.deepEqual(out, [
    { source: { file: "test", line: 2 }, message: "unreadable line: broken", raw: "bad" },
  ]);
});

test("a line over MAX_LINE is refused however the input falls into chunks: whole in one, or ending after a short carry", () => {
  const good = "Feb  2 12:34:56 h postfix/smtp[1]: AAAAAA1: to=<a@example.com>, status=sent (ok)";
  // ASCII, and UTF-8 whose characters are fewer than MAX_LINE but whose bytes are more.
  for (const long of ["y".repeat(MAX_LINE + 10), "é".repeat(MAX_LINE / 2 + 10)]) {
    const bytes = Buffer.from(`${good}\n${long}\n${good}\n`);
    const cut = Buffer.byteLength(good) + 1 + 1000; // the carry at the first chunk's end is far below the limit
    for (const chunks of [[bytes], [bytes.subarray(0, cut), bytes.subarray(cut)]]) {
      const lines: string[] = [];
      const taken: number[] = [];
      const splitter = new LineSplitter(
        {
          line: (text) => void lines.push(text),
          take(_bytes, from, to, lineNo) {
            taken.push(lineNo);
            return to - from > 1000; // a byte path that would keep the long line if it were offered
          },
          end() {},
        },
        "test",
      );
      const out: Parameters<LineSplitter["push"]>[1] = [];
      for (const chunk of chunks) splitter.push(chunk, out);
      splitter.finish(out);
      const at = `${chunks.length} chunk(s), ${long.length} characters`;
      assert.deepEqual(lines, [good, good], at);
      assert.equal(taken.includes(2), false, at);
      assert.deepEqual(
        out.map((item) => [item.source.line, "message" in item ? item.message : "an event"]),
        [[2, `line longer than ${MAX_LINE} bytes`]],
        at,
      );
    }
  }
});

test("the limit counts a line's bytes as read: 400 kB of invalid UTF-8 (a replacement character each) is not over it", () => {
  const lines: string[] = [];
  const splitter = new LineSplitter({ line: (text) => void lines.push(text), end() {} }, "test");
  const invalid = Buffer.alloc(200 * 1024, 0xff);
  const out: Parameters<LineSplitter["push"]>[1] = [];
  // Whole in one chunk; then one carried from the first chunk's end into the second.
  splitter.push(Buffer.concat([Buffer.from("a "), invalid, invalid, Buffer.from("\nb\n"), invalid]), out);
  splitter.push(Buffer.concat([invalid, Buffer.from("\n")]), out);
  splitter.finish(out);
  assert.deepEqual(out, []);
  assert.deepEqual(
    lines.map((line) => line.length),
    [2 + 400 * 1024, 1, 400 * 1024],
  );
});
