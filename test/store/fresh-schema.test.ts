import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MIGRATIONS, Store } from "../../src/store/index.ts";
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

/**
 * md5 of each released migration's SQL text. A store migrated once keeps what that text built, so a text
 * that changes later (an edited migration, or a helper it is built from, e.g. migration 13's view from the
 * status and reply-code SQL of src/store/field-sql.ts) would give fresh stores another schema than migrated
 * ones: such a change is a new migration. A new migration adds its hash here.
 */
const RELEASED_MIGRATIONS: readonly string[] = [
  "464a619d85270ab95607731d27b75504",
  "6ece435612f5c48fd49ab02823df8e87",
  "9da0b41016de1969b72523524fb0076a",
  "b3a813fd97831e9740134457c80185c2",
  "0159b6791ddd2bd5603190cdceee2823",
  "db673a7a252c735a2b5a611958dc09d3",
  "759c8e73a31016d9ad3950c009463e9e",
  "c99186864c7c54c7d602fb7c5120d97f",
  "7c3d0a816543c9088de2210532bd791d",
  "a4a0a8fa01e394bc5ef105db9bcba9b4",
  "c2bbc06dd7f665ed2d34994e008598a1",
  "61ef9c95a5f9a340a54cb136d169f945",
  "fd067c2cf2f8d9337476cde1c27a9126",
  "48c19540b656fcd2dd02620abe9d7084",
  "cb36b80c3d4b3797de7802a292fe466d",
  "b80651d182d75fc1b5100b4e86b14329",
  "1d5619cbc46a95363aac0096f9f5d841",
  "1d0e51f3e52cc1cc1e923dc8da9c2b67",
  "fe117480e4cf27516cc41281b8f28c6f",
  "4efc4d6fb0ef0d545fe56d6e487bcb64",
  "ae504c8700a0712a0e34eea791b40806",
  "44f328e5c76ade27c95b71a05656fbb6",
  // Version 23 runs version 19's text again (review R148: the rows' providers set by a new definition).
  "fe117480e4cf27516cc41281b8f28c6f",
];

test("a released migration's SQL text never changes, whatever it is built from", () => {
  const md5 = (text: string) => createHash("md5").update(text).digest("hex");
  assert.deepEqual(
    MIGRATIONS.map((migration) => `${migration.version} ${md5(migration.sql)}`),
    RELEASED_MIGRATIONS.map((hash, at) => `${at + 1} ${hash}`),
  );
});

test("a store DuckDB finds under another name than Node's (a leading ~) opens as the store it is, not as a new one", async () => {
  const home = process.env.HOME;
  const first = await Store.open(join(dir, "home.duckdb"));
  const before = await catalog(first);
  first.close();
  process.env.HOME = dir; // DuckDB reads `~` as $HOME; Node's existsSync reads it as a name
  try {
    const again = await Store.open("~/home.duckdb");
    assert.deepEqual(await catalog(again), before);
    again.close();
  } finally {
    process.env.HOME = home;
  }
});
