import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { PROVIDERS } from "../../src/bounce/vocabulary.ts";
import { EVENT_TYPES } from "../../src/events/index.ts";
import { MIGRATIONS, SCHEMA_VERSION, Store } from "../../src/store/index.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a new store is migrated to the current schema, and reopening keeps it", async () => {
  const path = join(dir, "a.duckdb");
  const store = await Store.open(path);
  assert.equal(await store.schemaVersion(), SCHEMA_VERSION);
  store.close();
  const again = await Store.open(path, { readOnly: true });
  assert.equal(await again.schemaVersion(), SCHEMA_VERSION);
  const tables = await again.all<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables ORDER BY table_name",
  );
  assert.deepEqual(
    tables.map((t) => t.name),
    [
      "classifier_state",
      "day_counts",
      "day_deferred",
      "day_first_attempts",
      "dmarc_records",
      "dmarc_reports",
      "dmarc_rows",
      "event_rows",
      "events",
      "files",
      "hosted_domains",
      "hosting_state",
      "key_state",
      "legacy_email_files",
      "legacy_log_files",
      "quarantine",
      "recipient_hosts",
      "reply_classes",
      "report_mailboxes",
      "schema_version",
      "seed_latest",
      "seed_results",
      "seed_tests",
      "summary_state",
      "tls_failures",
      "tls_policies",
      "tls_reports",
      "unsettled_files",
    ],
  );
  again.close();
});

test("a DuckDB file of another program is refused untouched, its first five tables and views named; an empty schema_version is a new store", async () => {
  const make = async (path: string, sql: string) => {
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(sql);
    connection.closeSync();
    instance.closeSync();
  };
  const names = async (path: string) => {
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    const rows = (
      await connection.runAndReadAll("SELECT table_name FROM information_schema.tables ORDER BY 1")
    ).getRows();
    connection.closeSync();
    instance.closeSync();
    return rows.map((row) => row[0]);
  };
  const many = join(dir, "foreign-many.duckdb");
  // Seven relations, a view among them, and a schema_version with no versions: not named, not counted.
  await make(
    many,
    `CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP);
    CREATE TABLE g (x INTEGER); CREATE TABLE b (x INTEGER); CREATE TABLE f (x INTEGER); CREATE TABLE a (x INTEGER);
    CREATE VIEW e AS SELECT 1 AS x; CREATE TABLE d (x INTEGER); CREATE TABLE c (x INTEGER)`,
  );
  await assert.rejects(Store.open(many), {
    message: `${many}: a DuckDB database of another program (tables a, b, c, d, e, …), not a deliverlens store; give another --db`,
  });
  assert.deepEqual(await names(many), ["a", "b", "c", "d", "e", "f", "g", "schema_version"]);

  const view = join(dir, "foreign-view.duckdb");
  await make(view, "CREATE VIEW only_view AS SELECT 1 AS x");
  await assert.rejects(Store.open(view), {
    message: /another program \(tables only_view\), not a deliverlens store/,
  });
  assert.deepEqual(await names(view), ["only_view"]);

  // An open interrupted after making schema_version, before the schema: the next open makes the store.
  const started = join(dir, "started.duckdb");
  await make(
    started,
    "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)",
  );
  const store = await Store.open(started);
  assert.equal(await store.schemaVersion(), SCHEMA_VERSION);
  assert.equal(
    (await store.one<{ n: number }>("SELECT count(*) AS n FROM schema_version"))?.n,
    MIGRATIONS.length,
  );
  store.close();
});

test("a version-1 store migrates to the current schema and its events keep their classification", async () => {
  const path = join(dir, "v1.duckdb");
  const instance = await DuckDBInstance.create(path);
  const old = await instance.connect();
  await old.run(
    "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)",
  );
  await old.run(MIGRATIONS[0].sql);
  await old.run("INSERT INTO schema_version VALUES (1, 'v1', now()::TIMESTAMP)");
  await old.run(`INSERT INTO events (event_key, type, time, provider, reply, provider_code, reason, category,
    permanent, format, file_id) VALUES (1, 'bounced', TIMESTAMP '2026-01-02 03:04:05', 'apple',
    '550 5.7.1 [CS01] Message rejected due to local policy', 'CS01', 'policy', 'reputation', false, 'x', 1)`);
  old.closeSync();
  instance.closeSync();

  const store = await Store.open(path);
  assert.equal(await store.schemaVersion(), SCHEMA_VERSION);
  assert.deepEqual(await store.all("SELECT type, provider_code, reason, category, permanent FROM events"), [
    { type: "bounced", provider_code: "CS01", reason: "policy", category: "reputation", permanent: false },
  ]);
  store.close();
});

test("the store's enums list every event type and provider the code knows (else a migration is due)", async () => {
  const store = await Store.open(":memory:");
  const values = async (type: string) =>
    (await store.one<{ v: string[] }>(`SELECT enum_range(NULL::${type})::VARCHAR[] AS v`))?.v ?? [];
  assert.deepEqual(await values("event_type"), [
    "!duplicate",
    "!problem",
    "!skip",
    ...Object.keys(EVENT_TYPES).sort(),
  ]);
  assert.deepEqual(await values("mailbox_provider"), [...PROVIDERS].sort());
  store.close();
});

test("a failed transaction leaves nothing behind", async () => {
  const store = await Store.open(join(dir, "b.duckdb"));
  await assert.rejects(
    store.transaction(async () => {
      await store.run("INSERT INTO quarantine VALUES (1, 'f', 1, 'bad', 'raw')");
      throw new Error("boom");
    }),
  );
  assert.deepEqual(await store.all("SELECT count(*) AS n FROM quarantine"), [{ n: 0 }]);
  store.close();
});

test("the rows of a file left unsettled (an ingest killed between its two commits) are removed by the next open, read-only too", async () => {
  const path = join(dir, "unsettled.duckdb");
  const store = await Store.open(path);
  const rows = (fileId: number, times: string) =>
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id, recipient_hash, message_key)
      SELECT i, 'delivered', TIMESTAMP '2026-03-02 10:00:00', 'a@icloud.com', 'apple', ${fileId}, 1, 1
      FROM range(${times}) t(i)`;
  // File 1 settled; file 2's rows committed and listed, its settle never run.
  await store.run(`${rows(1, "3")}; ${rows(2, "5")}; INSERT INTO unsettled_files VALUES (2)`);
  store.close();
  const reader = await Store.open(path, { readOnly: true });
  const count = async (opened: Store) =>
    await opened.one<{ one: number; two: number; listed: number }>(
      `SELECT count(*) FILTER (WHERE file_id = 1) AS one, count(*) FILTER (WHERE file_id = 2) AS two,
        (SELECT count(*) FROM unsettled_files) AS listed FROM event_rows`,
    );
  assert.deepEqual(await count(reader), { one: 3, two: 0, listed: 0 });
  reader.close();
  const writer = await Store.open(path);
  await writer.run(`${rows(3, "2")}; INSERT INTO unsettled_files VALUES (3)`);
  writer.close();
  const again = await Store.open(path);
  assert.deepEqual(await count(again), { one: 3, two: 0, listed: 0 });
  assert.equal((await again.one<{ n: number }>("SELECT count(*) AS n FROM event_rows"))?.n, 3);
  again.close();
});

test("a store from a newer deliverlens is refused", async () => {
  const path = join(dir, "c.duckdb");
  const store = await Store.open(path);
  await store.run("INSERT INTO schema_version VALUES (999, 'future', now()::TIMESTAMP)");
  store.close();
  await assert.rejects(Store.open(path), /newer/);
});

test("a store gives DuckDB at most 500 MB, leaving the log parsers' threads room under 1.5 GB peak RSS", async () => {
  const store = await Store.open(join(dir, "memory.duckdb"));
  const [row] = await store.all<{ limit: string }>("SELECT current_setting('memory_limit') AS limit");
  store.close();
  const match = /^([\d.]+) (KiB|MiB|GiB)$/.exec(row?.limit ?? "");
  assert.ok(match, `memory_limit reads ${row?.limit}`);
  const bytes = Number(match[1]) * 1024 ** { KiB: 1, MiB: 2, GiB: 3 }[match[2] as "KiB" | "MiB" | "GiB"];
  assert.ok(bytes <= 500e6 && bytes >= 400e6, `memory_limit ${row?.limit}`);
});

test("rows read as one JSON text each are the rows `all` reads: text of any character, enums, integers, booleans, NULL", async () => {
  const store = await Store.open(join(dir, "json-rows.duckdb"));
  try {
    const rows = `SELECT * FROM (VALUES
        (1, 'bounced'::event_type, '550 5.1.1 "quoted", comma' || chr(10) || 'line', 450, true, NULL),
        (2, 'deferred'::event_type, 'Ünïcödé 😀 tab' || chr(9) || 'back\\slash', NULL, false, 'x'),
        (9007199254740991, 'sent'::event_type, '', 0, NULL, chr(1) || '\u2028')
      ) t(id, type, reply, code, flag, other)`;
    const plain = await store.all(`${rows} ORDER BY id`);
    const json = await store.allOfJson(`SELECT to_json(t)::VARCHAR FROM (${rows}) t ORDER BY id`);
    assert.equal(plain.length, 3);
    assert.deepEqual(json, plain);
    assert.deepEqual(await store.allOfJson(`SELECT to_json(t)::VARCHAR FROM (${rows}) t WHERE id < 0`), []);
  } finally {
    store.close();
  }
});
