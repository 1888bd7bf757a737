import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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
import { writeOldStore } from "../../testkit/old-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-key-recipe-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const CLI = join(import.meta.dirname, "../../bin/deliverlens.js");
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
    const event = (id: string, email: string) =>
      JSON.stringify({
        email,
        timestamp: 1772448582,
        event: "delivered",
        sg_event_id: id,
        sg_message_id: `m-${id}`,
      });
    writeFileSync(file, `${event("ev-1", "a@icloud.com")}\n${event("ev-2", "b@icloud.com")}\n`);
    const summary = await ingestFile(store, file);
    assert.deepEqual([summary.stored, summary.duplicates], [1, 1]);
    const postfix = files.find((name) => name.endsWith("postfix-01.log")) as string;
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
    const child = spawn(process.execPath, [CLI, "ingest", big.files[0], "--db", db], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, DELIVERLENS_DEBUG: "1" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.includes("insert:")) child.kill("SIGKILL");
    });
    const signal = await new Promise((resolve) => child.on("exit", (_code, s) => resolve(s)));
    assert.equal(signal, "SIGKILL", `the ingest ended before "insert" was reported: ${stderr}`);
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
