import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Store } from "../../src/store/index.ts";
import { writeOldStore } from "../../testkit/old-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-fresh-schema-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a store's schema is: columns, views, indexes, constraints, enum types, applied versions. */
async function catalog(store: Store): Promise<unknown> {
  const of = (sql: string) => store.all(sql);
  return {
    columns: await of(`SELECT table_name, column_index, column_name, data_type, is_nullable, column_default
      FROM duckdb_columns() WHERE database_name = current_database() ORDER BY ALL`),
    views: await of(`SELECT view_name, regexp_replace(sql, '^CREATE (OR REPLACE )?VIEW', 'CREATE VIEW') AS sql
      FROM duckdb_views() WHERE database_name = current_database() AND NOT internal ORDER BY ALL`),
    indexes: await of(
      "SELECT index_name, table_name, is_unique, expressions FROM duckdb_indexes() WHERE database_name = current_database() ORDER BY ALL",
    ),
    constraints: await of(`SELECT table_name, constraint_type, constraint_column_names::VARCHAR AS names
      FROM duckdb_constraints() WHERE database_name = current_database() ORDER BY ALL`),
    enums: await of(`SELECT type_name, labels::VARCHAR AS labels FROM duckdb_types()
      WHERE database_name = current_database() AND logical_type = 'ENUM' AND NOT internal ORDER BY ALL`),
    versions: await of("SELECT version, description FROM schema_version ORDER BY version"),
  };
}

test("a new store gets in one go the schema the migrations build step by step", async () => {
  const fresh = await Store.open(join(dir, "fresh.duckdb"));
  const direct = await catalog(fresh);
  fresh.close();

  // The other road: every migration in turn, as an existing store takes them.
  const path = join(dir, "migrated.duckdb");
  await writeOldStore(path, 1);
  const migrated = await Store.open(path);
  assert.deepEqual(await catalog(migrated), direct);
  migrated.close();
});
