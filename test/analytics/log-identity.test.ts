import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { hashEventKeySql, Store } from "../../src/store/index.ts";
import { writeOldStore } from "../../testkit/old-store.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * Review s42/s43 R124: an event without a source id is identified by its columns (type, time, recipient, campaign,
 * sending IP, message id, reply, url: docs/STORE.md). A log that names no Message-ID (a grep'd Postfix log, Exim's
 * own bounces) then gives two messages that fail — or are delivered — for one recipient in one second with one
 * reply one identity, and the second is counted a duplicate: its queue id (Postfix) or message id (Exim) is what
 * tells them apart: the readers' per-message id (DeliveryEvent.queueId) is part of a log row's identity (schema
 * 21). Re-ingesting the same log still stores nothing twice.
 */

const dir = scratchDir("log-identity");

const EXIM = [
  "2026-12-07 05:11:22 1xaR0U-0005uA-01 <= news@send.example H=app.example [192.0.2.5] P=esmtp S=1234",
  "2026-12-07 05:11:22 1xaR0U-0005uB-02 <= news@send.example H=app.example [192.0.2.5] P=esmtp S=1240",
  "2026-12-07 05:11:23 1xaR0U-0005uA-01 ** b@example.org R=dnslookup T=remote_smtp H=mx.example.org [198.51.100.1]: SMTP error from remote mail server after RCPT TO:<b@example.org>: 550 5.1.1 User unknown",
  "2026-12-07 05:11:23 1xaR0U-0005uB-02 ** b@example.org R=dnslookup T=remote_smtp H=mx.example.org [198.51.100.1]: SMTP error from remote mail server after RCPT TO:<b@example.org>: 550 5.1.1 User unknown",
  '2026-12-07 05:11:24 1xaR0U-0005uC-03 => c@example.org R=dnslookup T=remote_smtp H=mx.example.org [198.51.100.1] C="250 OK"',
  '2026-12-07 05:11:24 1xaR0U-0005uD-04 => c@example.org R=dnslookup T=remote_smtp H=mx.example.org [198.51.100.1] C="250 OK"',
];
const POSTFIX = ["AAAAAA0001", "AAAAAA0002"].map(
  (queueId) =>
    `Dec  7 05:11:23 mta postfix/smtp[100]: ${queueId}: to=<b@example.org>, relay=mx.example.org[198.51.100.1]:25, delay=0.2, delays=0.1/0/0/0.1, dsn=5.1.1, status=bounced (host mx.example.org[198.51.100.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command))`,
);

async function ingestTwice(name: string, lines: string[]) {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  const store = await Store.open(":memory:");
  try {
    const first = await ingestFile(store, path, { year: 2026 });
    const again = await ingestFile(store, path, { year: 2026 });
    return { first, again };
  } finally {
    store.close();
  }
}

test("a log ingested again stores nothing twice", async () => {
  for (const [name, lines] of [
    ["exim.log", EXIM],
    ["postfix.log", POSTFIX],
  ] as const) {
    const { first, again } = await ingestTwice(name, [...lines]);
    assert.equal(again.stored, 0, name);
    assert.equal(again.duplicates, first.read - first.quarantined, name);
  }
});

test("two messages failing or delivered for one recipient in one second with one reply are two events", async () => {
  const exim = await ingestTwice("exim.log", EXIM);
  assert.deepEqual([exim.first.read, exim.first.stored, exim.first.duplicates], [4, 4, 0]);
  const postfix = await ingestTwice("postfix.log", POSTFIX);
  assert.deepEqual([postfix.first.read, postfix.first.stored, postfix.first.duplicates], [2, 2, 0]);
});

/**
 * A store from before schema 21 keyed its log rows without their queue id: migration 21 lists its log files
 * (legacy_log_files), and a log row matches their rows by the key it would have had without it — the same log
 * ingested again after the upgrade stores nothing twice. The store is made as such a store was: the log ingested,
 * then its rows keyed as before (no queue id), its second row gone as the old key made it a duplicate.
 */
test("a log stored before its rows' identity held their queue id, ingested again, stores nothing twice", async () => {
  const path = join(dir, "legacy.log");
  writeFileSync(path, `${POSTFIX.join("\n")}\n`);
  const store = await Store.open(join(dir, "legacy.duckdb"));
  try {
    assert.equal((await ingestFile(store, path, { year: 2026 })).stored, 2);
    await store.run(`UPDATE event_rows SET queue_id = NULL;
      UPDATE event_rows SET event_key = ${hashEventKeySql()};
      DELETE FROM event_rows WHERE line = 2;
      INSERT INTO legacy_log_files SELECT file_id FROM files;`);
    const again = await ingestFile(store, path, { year: 2026 });
    assert.deepEqual([again.read, again.stored, again.duplicates], [2, 0, 2]);
    assert.equal((await store.one<{ n: number }>("SELECT count(*)::INTEGER AS n FROM event_rows"))?.n, 1);
  } finally {
    store.close();
  }
});

test("migration 21 lists the stored log files and gives event_rows a queue_id", async () => {
  const path = join(dir, "v20.duckdb");
  const file = (id: number, format: string) =>
    `INSERT INTO files VALUES (${id}, 'f${id}', '${format}', 1, NULL, TIMESTAMP '2026-12-01 00:00:00', 1, 1, 0, 0, 0.1, false)`;
  await writeOldStore(path, 20, [file(1, "postfix"), file(2, "sendgrid"), file(3, "exim")]);
  const store = await Store.open(path);
  try {
    const listed = await store.all<{ file_id: number }>("SELECT file_id FROM legacy_log_files ORDER BY 1");
    assert.deepEqual(
      listed.map((row) => row.file_id),
      [1, 3],
    );
    const columns = await store.all<{ name: string }>(
      "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'event_rows' AND column_name = 'queue_id'",
    );
    assert.equal(columns.length, 1);
  } finally {
    store.close();
  }
});
