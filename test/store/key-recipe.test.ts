import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import {
  columnKeyedSql,
  HASH_PROBE_SQL,
  hashEventKeySql,
  messageKeySql,
  recipientHashSql,
  Store,
} from "../../src/store/index.ts";
import { writeSmallProgram } from "../../testkit/analytics-program.ts";
import { killIngestAfterStep } from "../../testkit/kill-ingest.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-key-recipe-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURES = new URL("../fixtures/events/", import.meta.url).pathname;
const files = readdirSync(FIXTURES)
  .filter((name) => name !== "README.md")
  .map((name) => join(FIXTURES, name));

const count = async (store: Store, where = "true") =>
  (await store.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM event_rows WHERE ${where}`))?.n ?? 0;

/** What a DuckDB whose hash differs would have stored: other column keys, recipient and message keys, probe. */
const OTHER_HASH = `UPDATE event_rows SET event_key = CASE WHEN ${columnKeyedSql("event_key")} THEN xor(event_key, 1) ELSE event_key END,
    recipient_hash = xor(recipient_hash, 1), message_key = xor(message_key, 1);
  UPDATE key_state SET hash_probe = xor(hash_probe, 1);`;

/** Rows whose stored keys are not what the stored columns give (the keys a re-key would make). */
const stale = (store: Store) =>
  count(
    store,
    `(${columnKeyedSql("event_key")} AND event_key <> ${hashEventKeySql()})
      OR recipient_hash IS DISTINCT FROM ${recipientHashSql()} OR message_key <> ${messageKeySql()}`,
  );

test("a new store keys events by hash: every format's fixture, read by DuckDB and then by the parsers, is stored once, and each column-keyed row's key is what its stored columns give", async () => {
  const store = await Store.open(join(dir, "new.duckdb"));
  try {
    assert.equal((await store.one<{ recipe: string }>("SELECT recipe FROM key_state"))?.recipe, "hash");
    for (const file of files) {
      const first = await ingestFile(store, file);
      assert.ok(first.stored > 0, file);
      const again = await ingestFile(store, file, { fastPath: false });
      assert.deepEqual([again.stored, again.duplicates], [0, first.stored + first.duplicates], file);
    }
    assert.ok((await count(store, columnKeyedSql("event_key"))) > 0, "events without a source id");
    assert.ok((await count(store, `NOT ${columnKeyedSql("event_key")}`)) > 0, "events with a source id");
    assert.equal(await stale(store), 0);
  } finally {
    store.close();
  }
});

test("a store whose keys another DuckDB's hash made has them made again before its next insert: the same files are duplicates", async () => {
  const store = await Store.open(join(dir, "other-hash.duckdb"));
  try {
    const stored = new Map<string, number>();
    for (const file of files) stored.set(file, (await ingestFile(store, file)).stored);
    await store.run(OTHER_HASH);
    assert.ok((await stale(store)) > 0);
    for (const file of files) {
      const again = await ingestFile(store, file);
      assert.deepEqual([again.stored, again.duplicates], [0, again.read - again.quarantined], file);
      assert.ok((stored.get(file) ?? 0) > 0, file);
    }
    assert.equal(await stale(store), 0);
    assert.equal(
      (await store.one<{ same: boolean }>(`SELECT hash_probe = ${HASH_PROBE_SQL} AS same FROM key_state`))
        ?.same,
      true,
    );
  } finally {
    store.close();
  }
});

test("kill -9 after the keys were made again, before the commit, leaves them as they were; the next ingest makes them and stores nothing twice", async () => {
  const small = await writeSmallProgram("pmta", { recipients: 300, days: 14 });
  const big = await writeSmallProgram("sendgrid", { recipients: 6000, days: 60 });
  try {
    const db = join(dir, "killed.duckdb");
    let store = await Store.open(db);
    const first = await ingestFile(store, small.files[0]);
    assert.ok(first.stored > 0);
    await store.run(OTHER_HASH);
    const before = await store.all("SELECT * FROM event_rows ORDER BY ALL");
    assert.ok((await stale(store)) > 0);
    store.close();
    // "insert" is reported once the keys were made again and the file inserted, inside the file's transaction.
    const run = await killIngestAfterStep(big.files[0], db, "insert");
    assert.equal(run.signal, "SIGKILL", `the ingest ended before "insert" was reported: ${run.stderr}`);
    store = await Store.open(db);
    try {
      assert.deepEqual(await store.all("SELECT * FROM event_rows ORDER BY ALL"), before);
      const again = await ingestFile(store, small.files[0]);
      assert.deepEqual([again.stored, again.duplicates], [0, first.stored]);
      assert.equal(await stale(store), 0);
    } finally {
      store.close();
    }
  } finally {
    rmSync(small.dir, { recursive: true, force: true });
    rmSync(big.dir, { recursive: true, force: true });
  }
});

test("a read-only open of a store whose keys another DuckDB's hash made is refused, `stats` exits 1 saying so, until an ingest makes them again", async () => {
  const db = join(dir, "read-only-stale.duckdb");
  const postfix = join(FIXTURES, "postfix-01.log");
  let store = await Store.open(db);
  await ingestFile(store, postfix);
  await store.run(OTHER_HASH);
  store.close();
  await assert.rejects(Store.open(db, { readOnly: true }), /keys were made by a DuckDB whose hash/);
  const cli = new URL("../../src/cli/main.ts", import.meta.url).pathname;
  const run = spawnSync(process.execPath, [cli, "stats", "--db", db], { encoding: "utf8" });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /run `deliverlens ingest` once/);
  store = await Store.open(db);
  const again = await ingestFile(store, postfix);
  assert.equal(again.stored, 0);
  store.close();
  const reader = await Store.open(db, { readOnly: true });
  assert.ok((await count(reader)) > 0);
  reader.close();
});
