import { createHash } from "node:crypto";
import type { Store } from "../src/store/index.ts";

/** Columns that time a run, not what it stored: left out of a digest. */
const TIMINGS: Record<string, readonly string[]> = {
  dmarc_reports: ["ingested_at"],
  files: ["ingested_at", "seconds"],
  schema_version: ["applied_at"],
  tls_reports: ["ingested_at"],
};

/**
 * md5 of every table and view of `store` (SELECT * ordered by all columns, timings left out), by name: two
 * stores that hold the same are equal digests, whatever order their rows were written in. `leftOut`: the
 * relations a caller compares otherwise (or not at all), not read.
 */
export async function storeDigest(
  store: Store,
  leftOut: readonly string[] = [],
): Promise<Record<string, string>> {
  const relations = await store.all<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY name`,
  );
  const digest: Record<string, string> = {};
  for (const { name } of relations) {
    if (leftOut.includes(name)) continue;
    const skip = TIMINGS[name];
    const rows = await store.all(
      `SELECT * ${skip ? `EXCLUDE (${skip.join(", ")})` : ""} FROM "${name}" ORDER BY ALL`,
    );
    digest[name] = createHash("md5")
      .update(JSON.stringify(rows, (_, value) => (typeof value === "bigint" ? String(value) : value)))
      .digest("hex");
  }
  return digest;
}
