import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { insertFlaggedSql } from "../../src/analytics/ingest/finalize.ts";
import { EVENT_SOURCES } from "../../src/events/registry.ts";
import { fieldTableSql, type Params, Store } from "../../src/store/index.ts";

/**
 * A file's INSERT into a store without rows streams the file's rows through expressions only: a join in
 * its plan carries every column of every row (an IN list of five or more constants is planned as one,
 * even in a CASE arm few rows take: the reply key's scoped domains cost a fifth of SendGrid's projections).
 */
test("each DuckDB-read format's INSERT into an empty store plans no join", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-insert-plan-"));
  const store = await Store.open(":memory:");
  try {
    const tables = EVENT_SOURCES.flatMap((source) => (source.table ? [source.table] : []));
    assert.ok(tables.some((table) => table.format === "sendgrid"));
    for (const table of tables) {
      const csv = table.shape === "csv";
      const header = csv ? [...(table.csv?.required ?? []), "type", "rcpt", "status", "reason"] : undefined;
      const path = join(dir, `${table.format}.${csv ? "csv" : "ndjson"}`);
      writeFileSync(path, csv ? `${header?.join(",")}\n` : '{"event":"delivered"}\n');
      const readers = csv ? (["ndjson"] as const) : (["ndjson", "lines"] as const);
      // A table with an envelope also has a reader of enveloped records only (TableSqlOptions.enveloped).
      const variants = table.envelope ? [false, true] : [false];
      for (const [reader, enveloped] of readers.flatMap((r) => variants.map((e) => [r, e] as const))) {
        const source = fieldTableSql(table, { reader, compression: "none", header, enveloped });
        const params: Params = {
          path,
          file_id: 1,
          not_after: "2026-01-01 00:00:00",
          ...(source.includes("$tz") ? { tz: "UTC" } : {}),
        };
        for (const recipe of ["md5", "hash"] as const) {
          const plan = await store.all<{ explain_value: string }>(
            `EXPLAIN ${insertFlaggedSql(source, recipe, false, false, false, false, null, table.headerMessageId === true)}`,
            params,
          );
          const text = plan.map((row) => row.explain_value).join("\n");
          assert.doesNotMatch(
            text,
            /JOIN|CROSS_PRODUCT/,
            `${table.format} (${reader}${enveloped ? ", enveloped" : ""}, ${recipe})`,
          );
        }
      }
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The match of a file's bounces against those the other kind of source stored (crossSourceOf) joins on
 * equalities only: a test of the new row alone in a LEFT JOIN's ON is planned as a nested loop, every new row
 * against every stored bounce (2000 new rows × 300k stored DSN bounces: 1.9 CPU-s an insert).
 */
test("a file's INSERT matching the other kind of source's bounces plans hash joins, no nested loop", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-insert-plan-"));
  const store = await Store.open(":memory:");
  try {
    const table = EVENT_SOURCES.find((source) => source.table?.format === "sendgrid")?.table;
    assert.ok(table);
    const path = join(dir, "sendgrid.ndjson");
    writeFileSync(path, '{"event":"bounce"}\n');
    const source = fieldTableSql(table, { reader: "ndjson", compression: "none" });
    for (const cross of ["email", "other"] as const) {
      const plan = await store.all<{ explain_value: string }>(
        `EXPLAIN ${insertFlaggedSql(source, "hash", true, false, false, false, cross)}`,
        { path, file_id: 1, not_after: "2026-01-01 00:00:00" },
      );
      const text = plan.map((row) => row.explain_value).join("\n");
      assert.match(text, /HASH_JOIN/, cross);
      assert.doesNotMatch(text, /NESTED_LOOP|BLOCKWISE_NL|PIECEWISE_MERGE|CROSS_PRODUCT/, cross);
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
