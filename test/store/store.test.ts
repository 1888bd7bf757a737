import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SCHEMA_VERSION, Store } from "../../src/store/index.ts";

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
    ["events", "files", "quarantine", "reply_classes", "schema_version"],
  );
  again.close();
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

test("a store from a newer deliverlens is refused", async () => {
  const path = join(dir, "c.duckdb");
  const store = await Store.open(path);
  await store.run("INSERT INTO schema_version VALUES (999, 'future', now()::TIMESTAMP)");
  store.close();
  await assert.rejects(Store.open(path), /newer/);
});
