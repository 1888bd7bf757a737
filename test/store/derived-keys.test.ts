import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { insertMessageKeySql, messageKeySql, recipientHashSql, Store } from "../../src/store/index.ts";
import { writeSmallProgram } from "../../testkit/analytics-program.ts";
import { writeOldStore } from "../../testkit/old-store.ts";
import { storeScenario } from "../../testkit/scenarios-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Rows whose stored keys differ from what their own columns give (the definitions in src/store/schema.ts). */
const WRONG_KEYS = `SELECT count(*) AS wrong FROM event_rows
  WHERE recipient_hash IS DISTINCT FROM ${recipientHashSql()} OR message_key IS DISTINCT FROM ${messageKeySql()}`;

test("a version-6 store migrates: every stored row gets its recipient and message keys, the events view shows them", async () => {
  const path = join(dir, "v6.duckdb");
  // One message retried over two days (same id), two id-less sends of one campaign on two days, and a
  // row without a recipient.
  // (Rows are told apart by `line`: later migrations rewrite event_key.)
  await writeOldStore(path, 6, [
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, campaign, message_id, file_id, line)
    VALUES (1, 'deferred', TIMESTAMP '2026-03-01 23:00', 'a@icloud.com', 'apple', 'c1', 'm1', 1, 1),
      (2, 'delivered', TIMESTAMP '2026-03-02 01:00', 'a@icloud.com', 'apple', 'c1', 'm1', 1, 2),
      (3, 'delivered', TIMESTAMP '2026-03-01 10:00', 'b@icloud.com', 'apple', 'c2', NULL, 1, 3),
      (4, 'delivered', TIMESTAMP '2026-03-02 10:00', 'b@icloud.com', 'apple', 'c2', NULL, 1, 4),
      (5, 'delivered', TIMESTAMP '2026-03-02 11:00', 'b@icloud.com', 'apple', 'c2', NULL, 1, 5),
      (6, 'open', TIMESTAMP '2026-03-02 12:00', NULL, 'unknown', NULL, NULL, 1, 6)`,
  ]);

  const store = await Store.open(path);
  const rows = await store.all<{ k: number; r: boolean; m: boolean; same_r: boolean; same_m: boolean }>(
    `SELECT line::INTEGER AS k, recipient_hash IS NOT NULL AS r, message_key IS NOT NULL AS m,
      recipient_hash = lag(recipient_hash) OVER (ORDER BY line) AS same_r,
      message_key = lag(message_key) OVER (ORDER BY line) AS same_m
     FROM events ORDER BY line`,
  );
  assert.deepEqual(
    rows.map((row) => [row.k, row.r, row.m, row.same_r, row.same_m]),
    [
      [1, true, true, null, null],
      [2, true, true, true, true], // the retry is the same message
      [3, true, true, false, false],
      [4, true, true, true, false], // id-less: another day is another message
      [5, true, true, true, true], // … the same day the same one
      [6, false, true, null, false], // no recipient, no recipient key
    ],
  );
  assert.equal((await store.one<{ wrong: number }>(WRONG_KEYS))?.wrong, 0);
  store.close();
});

test("ingest (DuckDB's readers and the JS parsers) and the test harness store the keys of every row", async () => {
  const written = await writeSmallProgram("by-stream", { recipients: 200, days: 7 });
  try {
    for (const fastPath of [true, false]) {
      const store = await Store.open(":memory:");
      for (const file of written.files) await ingestFile(store, file, { fastPath });
      const counts = await store.one<{ n: number; keyed: number }>(
        "SELECT count(*) AS n, count(message_key) AS keyed FROM event_rows",
      );
      assert.ok((counts?.n ?? 0) > 100, `fastPath ${fastPath}: ${counts?.n} rows`);
      assert.equal(counts?.keyed, counts?.n);
      assert.equal((await store.one<{ wrong: number }>(WRONG_KEYS))?.wrong, 0, `fastPath ${fastPath}`);
      store.close();
    }
  } finally {
    rmSync(written.dir, { recursive: true, force: true });
  }
  const scenario = await storeScenario([
    {
      type: "delivered",
      time: Date.parse("2026-03-01T10:00:00Z"),
      recipient: "a@icloud.com",
      provider: "apple",
      campaign: "c1",
      ip: "192.0.2.1",
      messageId: "m1",
      reply: null,
      replyCode: null,
      status: null,
      providerCode: null,
      category: null,
      machineOpen: null,
    },
  ]);
  assert.equal((await scenario.one<{ n: number }>("SELECT count(message_key) AS n FROM event_rows"))?.n, 1);
  assert.equal((await scenario.one<{ wrong: number }>(WRONG_KEYS))?.wrong, 0);
  scenario.close();
});

test("an insert's message key is messageKeySql's on every edge (no campaign, '' campaign, no time, no recipient)", async () => {
  // insertMessageKeySql casts the day alone where there is no campaign instead of joining `campaign|day`.
  const store = await Store.open(":memory:");
  try {
    const rows = await store.all<{ line: number; same: boolean }>(
      `SELECT line, ${insertMessageKeySql()} IS NOT DISTINCT FROM ${messageKeySql()} AS same
      FROM (VALUES (1, 'a@x.example', NULL, NULL, TIMESTAMP '2026-01-05 08:00'),
        (2, 'a@x.example', 'm1', 'c', TIMESTAMP '2026-01-05 08:00'),
        (3, 'a@x.example', NULL, 'c', TIMESTAMP '2026-01-05 23:59:59'),
        (4, 'a@x.example', NULL, '', TIMESTAMP '2026-01-05 08:00'),
        (5, 'a@x.example', NULL, NULL, NULL),
        (6, 'a@x.example', NULL, 'c', NULL),
        (7, NULL, NULL, NULL, TIMESTAMP 'epoch'),
        (8, 'b@y.example', NULL, NULL, TIMESTAMP '-0044-03-15 00:00')) v(line, recipient, message_id, campaign, time)
      ORDER BY line`,
    );
    assert.deepEqual(
      rows.map((row) => [row.line, row.same]),
      [1, 2, 3, 4, 5, 6, 7, 8].map((line) => [line, true]),
    );
  } finally {
    store.close();
  }
});
