import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { splitMbox } from "../../src/bounce/email/index.ts";
import { MboxSegmenter } from "../../src/pipeline/mbox-segmenter.ts";

/**
 * The streaming mbox segmenter against splitMbox on the whole input, for any chunking: the same message
 * starts and line numbers; a message over the size limit is skipped with one problem at its first line,
 * never buffered, and the messages around it are kept.
 */

const line = fc.oneof(
  fc.constantFrom(
    "",
    "From someone at home",
    "From: x@example.org",
    ">From quoted",
    "550 5.1.1 unknown",
    "\r",
  ),
  fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, " ")),
);
const message = fc
  .array(line, { maxLength: 12 })
  .map((lines) => `From MAILER-DAEMON Thu Jul  2 12:05:05 2020\nSubject: x\n\n${lines.join("\n")}\n`);
const mbox = fc.array(message, { minLength: 1, maxLength: 8 }).map((messages) => messages.join("\n"));
const cuts = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 });

function chunked(bytes: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function starts(raw: Buffer, first: number): number[] {
  return splitMbox(raw).map((m) => first + m.line - 1);
}

test("segments hold whole messages: the same starts and lines as the whole mbox, for any chunking", () => {
  fc.assert(
    fc.property(mbox, cuts, fc.integer({ min: 1, max: 200 }), (text, sizes, segmentBytes) => {
      const bytes = Buffer.from(text, "latin1");
      const segmenter = new MboxSegmenter("t", { segmentBytes, maxMessage: 1 << 30 });
      const segments = chunked(bytes, sizes).flatMap((chunk) => segmenter.push(chunk));
      segments.push(...segmenter.finish());
      assert.ok(Buffer.concat(segments.map((s) => s.raw)).equals(bytes));
      for (const s of segments)
        assert.ok(
          s.offset !== undefined && bytes.subarray(s.offset, s.offset + s.raw.length).equals(s.raw),
          "where it is in the input",
        );
      assert.deepEqual(
        segments.flatMap((s) => starts(s.raw, s.line)),
        starts(bytes, 1),
      );
    }),
    { numRuns: 300 },
  );
});

// A case a random run once found: an empty line that is a lone "\r" after a line ending in "\n" starts a
// message for splitMbox; the segmenter must agree (it looked for "\r\n\r\nFrom " only).
const LONE_CR_BLANK_LINE: [string, number[], number] = [
  "From MAILER-DAEMON Thu Jul  2 12:05:05 2020\nSubject: x\n\n550 5.1.1 unknown\nFrom someone at home\nFrom someone at home\n\r\nFrom someone at home\n",
  [1],
  66,
];
test("a message over the limit is one problem at its line; the others are kept whole", () => {
  fc.assert(
    fc.property(mbox, cuts, fc.integer({ min: 60, max: 400 }), (text, sizes, maxMessage) => {
      const bytes = Buffer.from(text, "latin1");
      const whole = splitMbox(bytes);
      // Only mboxes whose messages are all clearly under or over the limit (it is checked per chunk).
      if (whole.some((m) => m.raw.length > maxMessage - 45 && m.raw.length <= maxMessage + 45)) return;
      const segmenter = new MboxSegmenter("t", { segmentBytes: 1 << 20, maxMessage });
      const segments = chunked(bytes, sizes).flatMap((chunk) => segmenter.push(chunk));
      segments.push(...segmenter.finish());
      const kept = segments.flatMap((s) =>
        splitMbox(s.raw)
          .filter((m) => m.raw.length > 0)
          .map((m) => s.line + m.line - 1),
      );
      const skipped = segments.flatMap((s) => (s.problem ? [s.problem.source.line] : []));
      assert.deepEqual(
        kept,
        whole.filter((m) => m.raw.length <= maxMessage).map((m) => m.line),
      );
      assert.deepEqual(
        skipped,
        whole.filter((m) => m.raw.length > maxMessage).map((m) => m.line),
      );
      for (const s of segments) if (s.problem) assert.equal(s.problem.failed, true);
      for (const s of segments)
        if (!s.problem)
          assert.ok(
            s.offset !== undefined && bytes.subarray(s.offset, s.offset + s.raw.length).equals(s.raw),
            "where it is in the input",
          );
    }),
    { numRuns: 300, examples: [LONE_CR_BLANK_LINE] },
  );
});
