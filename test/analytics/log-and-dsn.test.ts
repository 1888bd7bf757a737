import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { Store } from "../../src/store/index.ts";
import { scratchDir } from "../../testkit/scratch.ts";

const dir = scratchDir("deliverlens-log-and-dsn-");

/** One message bounced: the Postfix log's lines of it (review R25). */
const LOG = `Mar  3 10:00:00 mail postfix/cleanup[100]: 4ABC123: message-id=<m1@example.com>
Mar  3 10:00:00 mail postfix/qmgr[101]: 4ABC123: from=<news@example.com>, size=1200, nrcpt=1 (queue active)
Mar  3 10:00:04 mail postfix/smtp[102]: 4ABC123: to=<gone@borschow.example>, relay=mx.borschow.example[192.0.2.9]:25, delay=4, delays=0/0/2/2, dsn=5.1.1, status=bounced (host mx.borschow.example[192.0.2.9] said: 550 5.1.1 <gone@borschow.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))
Mar  3 10:00:05 mail postfix/bounce[103]: 4ABC123: sender non-delivery notification: 5DEF456
Mar  3 10:00:05 mail postfix/qmgr[101]: 4ABC123: removed
`;

/** The bounce (DSN) Postfix mailed the sender for it: the same Message-ID in its rfc822-headers part. */
const DSN = `Return-Path: <>
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
To: news@example.com
Subject: Undelivered Mail Returned to Sender
Date: Tue, 3 Mar 2026 10:00:05 +0000
Message-ID: <20260303100005.5DEF456@mail.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"

--BB
Content-Type: text/plain

This is the mail system at host mail.example.com.

<gone@borschow.example>: host mx.borschow.example[192.0.2.9] said: 550 5.1.1
    <gone@borschow.example>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)

--BB
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com
X-Postfix-Queue-ID: 4ABC123
Arrival-Date: Tue,  3 Mar 2026 10:00:00 +0000

Final-Recipient: rfc822; gone@borschow.example
Original-Recipient: rfc822;gone@borschow.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.borschow.example
Diagnostic-Code: smtp; 550 5.1.1 <gone@borschow.example>: Recipient address rejected: User unknown in virtual mailbox table

--BB
Content-Type: text/rfc822-headers

From: news@example.com
To: gone@borschow.example
Subject: hello
Message-ID: <m1@example.com>
Date: Tue, 3 Mar 2026 10:00:00 +0000

--BB--
`;

const folder = join(dir, "both");
mkdirSync(folder);
const log = join(folder, "mail.log");
const dsn = join(folder, "dsn.eml");
writeFileSync(log, LOG);
writeFileSync(dsn, DSN);

/** Ingests `runs` (each a list of inputs, one run each) into a fresh store: what it keeps, and the summaries. */
async function ingestRuns(runs: string[][], batches: boolean) {
  const store = await Store.open(":memory:");
  try {
    const files = [];
    for (const paths of runs)
      files.push(
        ...(await ingestInputs(store, paths, { batches, year: 2026, describeFailure: String })).files,
      );
    const kept = await store.one<{ bounced: number; messages: number }>(
      `SELECT count(*) FILTER (WHERE type = 'bounced')::INTEGER AS bounced,
        count(DISTINCT message_key)::INTEGER AS messages FROM events`,
    );
    return { kept, files };
  } finally {
    store.close();
  }
}

test("a log's bounce and the DSN its MTA mailed for it are one bounce of one message, whichever comes first", async () => {
  for (const batches of [true, false])
    for (const runs of [[[log, dsn]], [[dsn, log]], [[log], [dsn]], [[dsn], [log]]]) {
      const { kept, files } = await ingestRuns(runs, batches);
      const what = `${runs.map((paths) => paths.map((path) => path.split("/").pop()).join("+")).join(", ")}${batches ? "" : " one by one"}`;
      assert.deepEqual(kept, { bounced: 1, messages: 1 }, what);
      assert.deepEqual(
        files.map((file) => [file.read, file.stored, file.duplicates]),
        files.map((_, at) => [1, at === 0 ? 1 : 0, at === 0 ? 0 : 1]),
        what,
      );
      const second = files[1];
      assert.equal(second.notes.length, 1, what);
      assert.match(
        second.notes[0],
        /^1 bounce also reported by a (log or events file|bounce email \(DSN\)) stored before/,
        what,
      );
    }
});

test("the same DSN ingested again is again the log's bounce: still one bounce", async () => {
  const { kept, files } = await ingestRuns([[log], [dsn], [dsn]], true);
  assert.deepEqual(kept, { bounced: 1, messages: 1 });
  assert.deepEqual(
    files.map((file) => [file.stored, file.duplicates, file.notes.length]),
    [
      [1, 0, 0],
      [0, 1, 1],
      [0, 1, 1],
    ],
  );
});
