import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import fc from "fast-check";
import { classifyEventStream, EventClassifier } from "../../src/pipeline/classify-events.ts";
import { shardRecords } from "../../testkit/shard-records.ts";

/**
 * A log's messages in another order give the same records, each with its own line: a record is read from its own
 * message's lines, never from what another message left in the classifier's memos, kept contexts and written
 * records (the bytes path caches all three by a line's shape, reply code and class). Review's held-out set 13
 * sent each recipient set again in another order (test/fixtures/mta-made/README.md); this is that check as a
 * property, on the real Postfix logs of the held-out sets and on generated ones.
 */
const dir = mkdtempSync(join(tmpdir(), "deliverlens-message-order-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const LOGS = join(import.meta.dirname, "../fixtures/mta-made/logs");
/** A Postfix line of a queued message: its queue id (short or long form) after the program's name. */
const QUEUE_ID =
  /^\S+\s+\d+\s+[\d:]+\s+\S+\s+postfix\/[^:\s]+:\s+([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}):/;

/** The lines of `log` in groups: each message's lines in their order, each other line a group of its own. */
function messages(log: string): string[][] {
  const groups: string[][] = [];
  const of = new Map<string, string[]>();
  for (const line of log.split("\n")) {
    if (line === "") continue;
    const id = QUEUE_ID.exec(line)?.[1];
    if (id === undefined) {
      groups.push([line]);
      continue;
    }
    const group = of.get(id);
    if (group !== undefined) group.push(line);
    else {
      const made = [line];
      of.set(id, made);
      groups.push(made);
    }
  }
  return groups;
}

let written = 0;
/** The records (NDJSON, --all or not) of `lines` on the bytes path, each without its line number, sorted. */
function recordsOf(lines: string[], all: boolean): string[] {
  const path = join(dir, `${written++}.log`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  const records = shardRecords(path, new EventClassifier(), all).map((json) => {
    const record = JSON.parse(json);
    delete record.source.line;
    delete record.source.file;
    return JSON.stringify(record);
  });
  rmSync(path);
  return records.sort();
}

/** `groups` in the order of `keys` (a key a group; ties keep their order). */
function reordered(groups: string[][], keys: number[]): string[] {
  return groups
    .map((group, index) => ({ group, key: keys[index] ?? 0, index }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .flatMap(({ group }) => group);
}

function orderProperty(groups: string[][], runs: number): void {
  const want = { all: recordsOf(groups.flat(), true), failures: recordsOf(groups.flat(), false) };
  assert.ok(want.all.length > 0);
  fc.assert(
    fc.property(fc.array(fc.integer(), { minLength: groups.length, maxLength: groups.length }), (keys) => {
      const lines = reordered(groups, keys);
      assert.deepEqual(recordsOf(lines, true), want.all);
      assert.deepEqual(recordsOf(lines, false), want.failures);
    }),
    { numRuns: runs },
  );
}

for (const file of [
  "postfix-multi-isp.log",
  "postfix-hosted-isp.log",
  "postfix-isp.log",
  "postfix-coded.log",
]) {
  test(`${file}: its messages in any order give the same records (property)`, () => {
    const groups = messages(readFileSync(join(LOGS, file), "utf8"));
    assert.ok(groups.length > 20, file);
    orderProperty(groups, 8);
  });
}

/**
 * Replies of a few providers, several of one class (the same reply code and words) for different domains; a line's
 * status follows the reply's class (2: sent, 4: deferred, 5: bounced), its DSN code the reply's own.
 */
const REPLIES = `250 2.0.0 OK  1765432101 a1b2c3d4e5f6.{n} - gsmtp
250 2.0.0 Ok: queued as 4F2A{n}
550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table
550 5.7.1 [CS01] Message rejected due to local policy
554 5.7.1 192.0.2.{n} rejected. AUP#CXBL
552 5.2.2 <{rcpt}>: Recipient address rejected: Mailbox full
421 4.7.0 [TSS04] Messages from 192.0.2.{n} temporarily deferred
450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted`.split("\n");
const STATUS: Record<string, string> = { "2": "sent", "4": "deferred", "5": "bounced" };
/** Recipient domains and their MX hosts (several a shared filter's). */
const DOMAINS = `icloud.com mx01.mail.icloud.com
gmail.com gmail-smtp-in.l.google.com
cox.net cxr.mx.a.cloudfilter.net
west-isp.example wisp.mx.a.cloudfilter.net
umami-ramen.example mx-biz.mail.am0.yahoodns.net
shop.example mx.shop.example`
  .split("\n")
  .map((pair) => pair.split(" "));

/** A generated log: messages to 1-4 recipients each, every outcome a Postfix smtp line, a deferral expired later. */
const generatedLog = fc
  .array(
    fc.array(fc.tuple(fc.nat(DOMAINS.length - 1), fc.nat(REPLIES.length - 1), fc.nat(40)), {
      minLength: 1,
      maxLength: 4,
    }),
    { minLength: 30, maxLength: 90 },
  )
  .map((messages) =>
    messages.map((recipients, m) => {
      const qid = `${(0x3a0000 + m).toString(16).toUpperCase()}B${m % 10}`;
      const stamp = `Mar  1 10:${String(m % 60).padStart(2, "0")}:${String((m * 7) % 60).padStart(2, "0")}`;
      const lines: string[] = [];
      recipients.forEach(([d, r, who], i) => {
        const [domain, mx] = DOMAINS[d];
        const text = REPLIES[r];
        const status = STATUS[text[0]];
        const dsn = text.split(" ")[1];
        const rcpt = `u${who}@${domain}`;
        const reply = text.replaceAll("{rcpt}", rcpt).replaceAll("{n}", String(m + i));
        const said =
          status === "sent"
            ? `(${reply})`
            : `(host ${mx}[192.0.2.${d + 1}] said: ${reply} (in reply to RCPT TO command))`;
        lines.push(
          `${stamp} mta postfix/smtp[${100 + i}]: ${qid}: to=<${rcpt}>, relay=${mx}[192.0.2.${d + 1}]:25, delay=${i}.5, delays=0.1/0/0.2/0.2, dsn=${dsn}, status=${status} ${said}`,
        );
        if (status === "deferred")
          lines.push(
            `${stamp} mta postfix/qmgr[9]: ${qid}: from=<sender@sender.test>, status=expired, returned to sender`,
          );
      });
      lines.push(`${stamp} mta postfix/qmgr[9]: ${qid}: removed`);
      return lines;
    }),
  );

test("a generated log's messages in any order give the same records (property)", () => {
  for (const groups of fc.sample(generatedLog, 6)) orderProperty(groups, 4);
});

/** An Exim main log line of a message: its id (`1xac1f-0005Ug-0m`; Exim 4.97's longer `1tK3Pq-000AbCd-Ef`) after the time. */
const EXIM_ID =
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})? (?:\[\d+\] )?([0-9A-Za-z]{6}-[0-9A-Za-z]{4,11}-[0-9A-Za-z]{2,4}) /;

/** The lines of an Exim log in groups: each message's lines in their order, each other line a group of its own. */
function eximMessages(log: string): string[][] {
  const groups: string[][] = [];
  const of = new Map<string, string[]>();
  for (const line of log.split("\n")) {
    if (line === "") continue;
    const id = EXIM_ID.exec(line)?.[1];
    const group = id === undefined ? undefined : of.get(id);
    if (group !== undefined) group.push(line);
    else {
      const made = [line];
      if (id !== undefined) of.set(id, made);
      groups.push(made);
    }
  }
  return groups;
}

/** The records (NDJSON, --all or not) of an Exim log's `lines` as `classify` reads them, each without its line, sorted. */
async function eximRecordsOf(lines: string[], all: boolean): Promise<string[]> {
  const records: string[] = [];
  const input = Readable.from([Buffer.from(`${lines.join("\n")}\n`)]);
  for await (const batch of classifyEventStream(input, "exim", "exim.log", { all })) {
    for (const item of batch) {
      if (!("recipient" in item)) continue;
      const record = JSON.parse(JSON.stringify(item));
      delete record.source.line;
      delete record.source.file;
      records.push(JSON.stringify(record));
    }
  }
  return records.sort();
}

// The message-order property on Exim's own logs (held-out sets' sender logs): Exim writes a message's lines
// (`<=`, `**`, `==`, `=>`, `Completed`) under its id, and the reader must pair them by that id alone.
for (const file of [
  "exim-multi-isp.log",
  "exim-hosted-isp.log",
  "exim-isp.log",
  "exim-coded.log",
  "exim-hosted.log",
]) {
  test(`${file}: its messages in any order give the same records (property)`, async () => {
    const groups = eximMessages(readFileSync(join(LOGS, file), "utf8"));
    assert.ok(groups.length > 20, file);
    const want = {
      all: await eximRecordsOf(groups.flat(), true),
      failures: await eximRecordsOf(groups.flat(), false),
    };
    assert.ok(want.failures.length > 0 && want.all.length > want.failures.length, file);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { minLength: groups.length, maxLength: groups.length }),
        async (keys) => {
          const lines = reordered(groups, keys);
          assert.deepEqual(await eximRecordsOf(lines, true), want.all);
          assert.deepEqual(await eximRecordsOf(lines, false), want.failures);
        },
      ),
      { numRuns: 8 },
    );
  });
}
