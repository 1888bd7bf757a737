import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { writeOldStore } from "../../testkit/old-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-storage-format-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The store file's DuckDB storage format (`v1.0.0+`: DuckDB's default for a new file; STORAGE_VERSION). */
async function storageVersion(store: Store): Promise<string | undefined> {
  const row = await store.one<{ v: string }>(
    "SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE database_name = current_database()",
  );
  return row?.v;
}

/** The encodings DuckDB chose for a column of `event_rows`. */
async function encodings(store: Store, column: string): Promise<string[]> {
  await store.run("CHECKPOINT");
  const rows = await store.all<{ c: string }>(
    `SELECT DISTINCT compression AS c FROM pragma_storage_info('event_rows')
     WHERE column_name = $column AND segment_type = 'VARCHAR' ORDER BY c`,
    { column },
  );
  return rows.map((r) => r.c);
}

const events = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      email: `user${i % 7}@icloud.com`,
      timestamp: 1772448582 + i,
      event: "delivered",
      sg_event_id: `ev-${i}`,
      sg_message_id: `m-${i}`,
      response: "250 2.0.0 OK",
    }),
  ).join("\n");

test("a new store is written in DuckDB's v1.3 storage format: its text columns are DICT_FSST-encoded, the reply zstd", async () => {
  const path = join(dir, "new.duckdb");
  const file = join(dir, "sg.ndjson");
  writeFileSync(file, `${events(2000)}\n`);
  writeFileSync(join(dir, "sg-more.ndjson"), `${events(2000).replaceAll('"ev-', '"ev2-')}\n`);
  const store = await Store.open(path);
  assert.equal(await storageVersion(store), "v1.3.0+");
  await ingestFile(store, file);
  assert.deepEqual(await encodings(store, "recipient"), ["DICT_FSST"]);
  assert.deepEqual(await encodings(store, "reply"), ["ZSTD"]);
  // queue_id (NULL but in an MTA log's rows) in DuckDB's choice, not 4 bytes a NULL uncompressed (schema.ts).
  assert.ok(!(await encodings(store, "queue_id")).includes("Uncompressed"));
  store.close();
  // The format is the file's: reopening keeps it, and the reply's compression with it.
  const again = await Store.open(path);
  assert.equal(await storageVersion(again), "v1.3.0+");
  await ingestFile(again, join(dir, "sg-more.ndjson"));
  assert.deepEqual(await encodings(again, "reply"), ["ZSTD"]);
  again.close();
});

test("a store created in the older format keeps it, and ingests into it as before", async () => {
  const path = join(dir, "old.duckdb");
  await writeOldStore(path, 8);
  const store = await Store.open(path);
  assert.equal(await storageVersion(store), "v1.0.0+");
  const file = join(dir, "sg-old.ndjson");
  writeFileSync(file, `${events(2000)}\n`);
  const summary = await ingestFile(store, file);
  assert.deepEqual([summary.read, summary.stored], [2000, 2000]);
  assert.ok(!(await encodings(store, "recipient")).includes("DICT_FSST"));
  assert.ok(!(await encodings(store, "reply")).includes("ZSTD"));
  store.close();
});
