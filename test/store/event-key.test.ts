import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { eventIdentity } from "../../src/analytics/ingest/staging.ts";
import { IDENTITY_SQL, Store } from "../../src/store/index.ts";
import { migrateThenKill, writeOldStore } from "../../testkit/old-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-event-key-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sendgrid = (id: string, email: string) =>
  JSON.stringify({
    email,
    timestamp: 1772448582,
    event: "delivered",
    sg_event_id: id,
    sg_message_id: `m-${id}`,
  });

test("a version-7 store's 128-bit event keys migrate to 64 bits that still dedupe with new ingests (both readers)", async () => {
  for (const fastPath of [true, false]) {
    const path = join(dir, `v7-${fastPath}.duckdb`);
    // What schema 7's ingest stored for SendGrid event `ev-1`: md5_number of `sendgrid:<sg_event_id>`.
    await writeOldStore(path, 7, [
      `INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id)
        VALUES (md5_number('sendgrid:ev-1'), 'delivered', TIMESTAMP '2026-03-02 10:49:42', 'a@icloud.com', 'apple', 1)`,
    ]);

    const store = await Store.open(path);
    const type = await store.one<{ t: string }>(
      "SELECT data_type AS t FROM information_schema.columns WHERE table_name = 'event_rows' AND column_name = 'event_key'",
    );
    assert.equal(type?.t, "UBIGINT");
    const file = join(dir, `sg-${fastPath}.ndjson`);
    writeFileSync(file, `${sendgrid("ev-1", "a@icloud.com")}\n${sendgrid("ev-2", "b@icloud.com")}\n`);
    const summary = await ingestFile(store, file, { fastPath });
    assert.deepEqual([summary.read, summary.stored, summary.duplicates], [2, 1, 1], `fastPath ${fastPath}`);
    assert.equal((await store.one<{ n: number }>("SELECT count(*) AS n FROM events"))?.n, 2);
    store.close();
  }
});

test("a store killed before the checkpoint after migrating to 64-bit keys opens again (the WAL replays)", async () => {
  const path = join(dir, "killed.duckdb");
  await writeOldStore(path, 7, [
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id)
      VALUES (md5_number('sendgrid:ev-1'), 'delivered', TIMESTAMP '2026-03-02 10:49:42', 'a@icloud.com', 'apple', 1)`,
  ]);
  const killed = migrateThenKill(path);
  assert.equal(killed.signal, "SIGKILL", String(killed.stderr));
  assert.ok(existsSync(`${path}.wal`), "the migration is still only in the WAL");
  const reopened = await Store.open(path);
  assert.deepEqual(
    await reopened.all(
      "SELECT event_key = md5_number_lower('sendgrid:ev-1') AS same, typeof(event_key) AS t FROM event_rows",
    ),
    [{ same: true, t: "UBIGINT" }],
  );
  reopened.close();
});

test("IDENTITY_SQL writes eventIdentity's text, and the text earlier stores hashed into their keys, NULLs included", async () => {
  const store = await Store.open(":memory:");
  try {
    // The recipe the stored keys of events without a source id come from (schema 8 on): frozen here.
    const stored = `'h:' || concat_ws(chr(31), type, epoch_ms(time)::VARCHAR, coalesce(recipient, ''),
      coalesce(campaign, ''), coalesce(sending_ip, ''), coalesce(message_id, ''), coalesce(reply, ''),
      coalesce(url, ''))`;
    const rows = await store.all<{ identity: string | null; old: string | null; line: number }>(
      `SELECT line, ${IDENTITY_SQL} AS identity, ${stored} AS old FROM (VALUES
        (1, 'bounced'::event_type, TIMESTAMP '2026-03-02 10:49:42.123', 'a@icloud.com', 'spring', '192.0.2.1', 'id-1', '550 5.1.1 "no" user', 'https://x.test/'),
        (2, 'delivered'::event_type, TIMESTAMP '2026-03-02 10:49:42', NULL, NULL, NULL, NULL, NULL, NULL),
        (3, 'open'::event_type, TIMESTAMP '1969-12-31 23:59:59.999', '', '', '', '', '', ''),
        (4, NULL::event_type, TIMESTAMP '2026-03-02 10:49:42', 'b@x.test', NULL, NULL, 'id-4', 'r', NULL),
        (5, 'deferred'::event_type, NULL::TIMESTAMP, 'c@x.test', NULL, NULL, NULL, '451 later', NULL),
        (6, NULL::event_type, NULL::TIMESTAMP, NULL, NULL, NULL, NULL, NULL, NULL)
      ) t(line, type, time, recipient, campaign, sending_ip, message_id, reply, url) ORDER BY line`,
    );
    for (const row of rows) assert.equal(row.identity, row.old, `row ${row.line}`);
    assert.equal(
      rows[0].identity,
      eventIdentity({
        type: "bounced",
        timeMs: Date.parse("2026-03-02T10:49:42.123Z"),
        recipient: "a@icloud.com",
        campaign: "spring",
        sendingIp: "192.0.2.1",
        messageId: "id-1",
        reply: '550 5.1.1 "no" user',
        url: "https://x.test/",
      }),
    );
    assert.equal(
      rows[1].identity,
      eventIdentity({
        type: "delivered",
        timeMs: Date.parse("2026-03-02T10:49:42Z"),
        recipient: null,
        campaign: null,
        sendingIp: null,
        messageId: null,
        reply: null,
        url: null,
      }),
    );
  } finally {
    store.close();
  }
});

test("a store that held events before schema 17 keeps its md5 keys, and its events still dedupe; one that held none takes hash", async () => {
  const path = join(dir, "v16.duckdb");
  await writeOldStore(path, 16, [
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id)
      VALUES ((md5_number('sendgrid:ev-1') >> 64)::UBIGINT, 'delivered', TIMESTAMP '2026-03-02 10:49:42',
        'a@icloud.com', 'apple', 1)`,
  ]);
  const store = await Store.open(path);
  try {
    assert.equal((await store.one<{ recipe: string }>("SELECT recipe FROM key_state"))?.recipe, "md5");
    const file = join(dir, "sg.ndjson");
    writeFileSync(file, `${sendgrid("ev-1", "a@icloud.com")}\n${sendgrid("ev-2", "b@icloud.com")}\n`);
    const summary = await ingestFile(store, file);
    assert.deepEqual([summary.stored, summary.duplicates], [1, 1]);
    const postfix = new URL("../fixtures/events/postfix-01.log", import.meta.url).pathname;
    const first = await ingestFile(store, postfix);
    const again = await ingestFile(store, postfix);
    assert.deepEqual([again.stored, again.duplicates], [0, first.stored + first.duplicates]);
  } finally {
    store.close();
  }
  const empty = join(dir, "v16-empty.duckdb");
  await writeOldStore(empty, 16);
  const opened = await Store.open(empty);
  assert.equal((await opened.one<{ recipe: string }>("SELECT recipe FROM key_state"))?.recipe, "hash");
  opened.close();
});
