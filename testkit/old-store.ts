import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { DuckDBInstance } from "@duckdb/node-api";
import { MIGRATIONS } from "../src/store/index.ts";

/**
 * A store file at schema `version`, as an older deliverlens left it (migrations up to `version`, each
 * recorded), with `rows` (SQL statements) written into it; `Store.open` then migrates it the rest of the way.
 */
export async function writeOldStore(path: string, version: number, rows: string[] = []): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const old = await instance.connect();
  await old.run(
    "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)",
  );
  for (const migration of MIGRATIONS.filter((m) => m.version <= version)) {
    await old.run(migration.sql);
    await old.run("INSERT INTO schema_version VALUES ($version, $description, now()::TIMESTAMP)", {
      version: migration.version,
      description: migration.description,
    });
  }
  for (const sql of rows) await old.run(sql);
  old.closeSync();
  instance.closeSync();
}

/**
 * Opens (so migrates) the store at `path` in another process that is then killed with SIGKILL, before
 * DuckDB's checkpoint: what it wrote is still only in the WAL. Returns how the process ended.
 */
export function migrateThenKill(path: string): SpawnSyncReturns<Buffer> {
  const store = new URL("../src/store/index.ts", import.meta.url).href;
  return spawnSync(process.execPath, [
    "--input-type=module",
    "-e",
    `import { Store } from ${JSON.stringify(store)};
     await Store.open(${JSON.stringify(path)});
     process.kill(process.pid, "SIGKILL");`,
  ]);
}
