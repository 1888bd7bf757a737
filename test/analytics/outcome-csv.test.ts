import assert from "node:assert/strict";
import { test } from "node:test";
import { CsvRows } from "../../src/analytics/ingest/csv-staging.ts";
import { OutcomeCsv } from "../../src/analytics/ingest/outcome-csv.ts";
import { noTimeRow, stagingRow } from "../../src/analytics/ingest/staging.ts";
import { latin1 } from "../../src/events/byte-scan.ts";
import type { DeliveryEvent } from "../../src/events/event.ts";
import { lineReader } from "../../src/events/read.ts";
import type { OutcomeSpans } from "../../src/events/source.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";
import { POSTFIX_EDGE_LINES } from "../../testkit/postfix-edge-log.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

/**
 * An outcome read on a line's bytes is staged as CSV bytes written from the line (outcome-csv.ts): the
 * same bytes as the row of the event itself (stagingRow, its reply decoded from the line) written by
 * CsvRows.add, which every other event's row still takes.
 */

const modified = new Date("2026-03-01T00:00:00Z");

/**
 * Lines aimed at the byte writer: case, spaces and quotes in the recipient and reply, odd reply codes; a
 * sender and a message id (not ASCII: its line is decoded) read before, 10 kB of other lines apart, so
 * the outcomes' chunks are ASCII and read on the bytes.
 */
const WRITER_HEAD = [
  "Mar  1 10:00:00 h postfix/qmgr[2]: QQQQQQ0001: from=<News@Send.EXAMPLE.com>, size=1, nrcpt=9 (queue active)",
  'Mar  1 10:00:00 h postfix/cleanup[3]: QQQQQQ0001: message-id=<m"1é@Send.example.com>',
];
const WRITER_LINES = [
  'Mar  1 10:00:01 h postfix/smtp[4]: QQQQQQ0001: to=<A"B@Ex.COM>, relay=MX.Ex.COM[192.0.2.1]:25, dsn=5.1.1, status=bounced (host MX.Ex.COM[192.0.2.1] said: 550 5.1.1 "no such" user  (in reply to RCPT TO command))',
  "Mar  1 10:00:02 h postfix/smtp[4]: QQQQQQ0001: to=< spaced@Example.com >, relay=none, dsn=5.0.0, status=bounced (   )",
  "Mar  1 10:00:03 h postfix/smtp[4]: QQQQQQ0001: to=<no-at-sign>, relay=none, dsn=5.0.0, status=bounced (550-5.7.1 first line)",
  "Mar  1 10:00:04 h postfix/smtp[4]: QQQQQQ0001: to=<>, relay=none, dsn=5.0.0, status=bounced (5500 not a code)",
  "Mar  1 10:00:05 h postfix/smtp[4]: QQQQQQ0001: to=<trailing@at@>, relay=none, dsn=4.0.0, status=deferred (451\ttabbed)",
  "Mar  1 10:00:06 h postfix/smtp[4]: QQQQQQ0001: to=<x@example.com>, relay=none, dsn=2.0.0, status=sent (delivered to mailbox)",
  "Mar  1 10:00:07 h postfix/smtp[4]: QQQQQQ0001: to=<y@example.com>, relay=none, dsn=5.0.0, status=bounced (250)",
  "Mar  1 10:00:08 h postfix/smtp[4]: QQQQQQ0001: to=<z@example.com>, relay=none, dsn=5.0.0, status=bounced",
  'Mar  1 10:00:09 h postfix/smtp[4]: QQQQQQ0001: to=<q@example.com>, relay=none, dsn=4.4.1, status=deferred (connect to ""[192.0.2.1]:25: refused)',
  'Mar  1 10:00:10 h postfix/smtp[4]: QQQQQQ0001: to=<r@example.com>, relay=none, dsn=5.0.0, status=bounced (host x[192.0.2.1] said: 550 "Who@Example.com" at 1:02:03 on 2026-03-01 from 192.0.2.7 id 0f8e5b7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b n 1234567 (in reply to RCPT TO command))',
  `Mar  1 10:00:11 h postfix/smtp[4]: QQQQQQ0001: to=<s@example.com>, relay=none, dsn=5.0.0, status=bounced (550 ${'"1:02:03" '.repeat(500)})`,
  "Mar  1 10:00:12 h postfix/smtp[4]: QQQQQQ0001: to=<Last,First@Ex.COM>, relay=none, dsn=5.0.0, status=bounced (550 5.1.1 no, such user)",
  "Mar  1 10:00:13 h postfix/smtp[4]: QQQQQQ0001: to=<last,first@ex.com>, relay=none, dsn=4.0.0, status=deferred (451 try, later)",
];

function writerLog(): string {
  return [`${WRITER_HEAD.join("\n")}\n`, ...postfixGrepLogChunks(30, 1), `${WRITER_LINES.join("\n")}\n`].join(
    "",
  );
}

/**
 * Each outcome's row written both ways, read from `input` with an outcome sink in chunks of `chunkSize`
 * (a chunk with a non-ASCII byte is decoded: small ones leave the others on the bytes).
 */
function rowsBothWays(input: string, chunkSize: number): { fromBytes: string[]; fromRow: string[] } {
  const fromBytes: string[] = [];
  const fromRow: string[] = [];
  const bytesRows = new CsvRows("postfix");
  const rowRows = new CsvRows("postfix");
  const writer = new OutcomeCsv("postfix");
  const sink = {
    outcome(event: DeliveryEvent, spans: OutcomeSpans) {
      writer.add(bytesRows, event, spans);
      fromBytes.push(Buffer.from(bytesRows.take()).toString("utf8"));
      const reply =
        event.reply === null && spans.replyStart >= 0
          ? latin1(spans.bytes, spans.replyStart, spans.replyEnd)
          : event.reply;
      // The recipient left on the bytes (OutcomeSpans).
      const recipient =
        event.recipient ?? (latin1(spans.bytes, spans.recipientStart, spans.recipientEnd) || null);
      // The log's id of the message too (OutcomeSpans).
      const queueId = event.queueId ?? (latin1(spans.bytes, spans.queueIdStart, spans.queueIdEnd) || null);
      const whole = { ...event, recipient, queueId };
      rowRows.add(stagingRow(whole, "postfix", reply) ?? noTimeRow(whole));
      fromRow.push(Buffer.from(rowRows.take()).toString("utf8"));
    },
  };
  const reader = lineReader("postfix", "test", { modified, outcomes: sink });
  const bytes = Buffer.from(input);
  for (let i = 0; i < bytes.length; i += chunkSize) {
    // A copy per chunk, as the file reader's reused buffer is overwritten by the next chunk.
    reader.push(Buffer.from(bytes.subarray(i, i + chunkSize)), []);
  }
  reader.finish([]);
  return { fromBytes, fromRow };
}

test("an outcome's row written from the line's bytes is the row of its event", () => {
  const input = [
    ...postfixGrepLogChunks(3000, 7),
    `${POSTFIX_EDGE_LINES.join("\n")}\n`,
    writerLog(),
    ...postfixLogChunks(500, 3),
  ].join("");
  for (const chunkSize of [64 * 1024, 4096]) {
    const { fromBytes, fromRow } = rowsBothWays(input, chunkSize);
    assert.ok(fromBytes.length > 2500, `only ${fromBytes.length} outcomes read on the bytes`);
    for (let i = 0; i < fromRow.length; i++) assert.equal(fromBytes[i], fromRow[i], `outcome ${i}`);
  }
});

test("the writer's own lines reach it: quotes doubled, the recipient lower-cased and trimmed, plain fields unquoted", () => {
  const { fromBytes } = rowsBothWays(writerLog(), 4096);
  const row = fromBytes.find((r) => r.includes(',"a""b@ex.com",'));
  assert.ok(row, fromBytes.join(""));
  assert.match(row, /"550 5\.1\.1 ""no such"" user",550,/);
  // A field needing no quotes is written as it is (csv-staging.ts plainCsv).
  assert.ok(fromBytes.some((r) => r.includes(",spaced@example.com,")));
  // A failure's masked reply, written from the bytes: tokens replaced, quotes doubled; then its host key and the
  // line's queue id.
  assert.ok(
    fromBytes.some((r) =>
      /,"550 ""x@Example\.com"" at 00:00:00 on 0000-00-00 from 0\.0\.0\.0 id % n #",[^,]*,[0-9A-Za-z]+\n$/.test(
        r,
      ),
    ),
  );
  // A comma quotes the field, lower-cased or not.
  assert.ok(
    fromBytes.some((r) => r.includes(',"last,first@ex.com",') && r.includes(',"550 5.1.1 no, such user",')),
  );
  assert.ok(fromBytes.some((r) => r.includes(',"last,first@ex.com",') && r.includes(',"451 try, later",')));
  // The message id of a decoded line (not ASCII) is written as UTF-8.
  assert.ok(fromBytes.some((r) => r.includes('"m""1é@Send.example.com"')));
});
