import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestReportFiles } from "../../src/dmarc/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { aggregateXml } from "../../testkit/dmarc-reports.ts";

/**
 * Batches are written while the next one is read. A batch the store refuses leaves nothing of itself,
 * says so in each of its files, and does not take a later copy of one of its reports down with it: that
 * copy was set aside as a duplicate while the batch was being written, and is stored after all.
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-batches-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const BEGIN = Date.UTC(2026, 9, 1) / 1000;

function report(name: string, id: string, ip: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    aggregateXml({ reportId: id, begin: BEGIN, end: BEGIN + 86_399, rows: [{ ip, count: 2 }] }),
  );
  return path;
}

test("a refused batch stores nothing and says so; a copy of its report read meanwhile is stored after all", async () => {
  const store = await Store.open(join(dir, "s.duckdb"));
  try {
    // The store refuses one source address: the batch holding it fails whole.
    const columns = await store.all<{ sql: string }>(
      "SELECT sql FROM duckdb_tables() WHERE table_name = 'dmarc_rows'",
    );
    await store.run("DROP VIEW dmarc_records");
    await store.run("ALTER TABLE dmarc_rows RENAME TO dmarc_rows_old");
    await store.run((columns[0]?.sql ?? "").replace(/\);\s*$/, ", CHECK (source_ip <> '203.0.113.66'));"));
    const paths = [
      report("a.xml", "a", "192.0.2.1"),
      report("bad.xml", "bad", "203.0.113.66"),
      report("c.xml", "c", "192.0.2.3"),
      report("a-again.xml", "a", "192.0.2.1"),
      report("d.xml", "d", "192.0.2.4"),
    ];
    const summaries = await ingestReportFiles(store, paths, { threads: 0, batchReports: 2 });
    const by = Object.fromEntries(summaries.map((s) => [s.path.replace(/.*\//, ""), s]));
    assert.equal(by["a.xml"].stored, 0);
    assert.equal(by["a.xml"].problems[0]?.reason, "store");
    assert.equal(by["bad.xml"].stored, 0);
    assert.match(by["bad.xml"].problems[0]?.message ?? "", /^not stored: /);
    assert.deepEqual(
      [by["c.xml"].stored, by["a-again.xml"].stored, by["a-again.xml"].duplicates, by["d.xml"].stored],
      [1, 1, 0, 1],
    );
    const stored = await store.all<{ id: string }>("SELECT report_id AS id FROM dmarc_reports ORDER BY 1");
    assert.deepEqual(
      stored.map((r) => r.id),
      ["a", "c", "d"],
    );
    const rows = await store.all<{ n: number }>("SELECT count(*)::INTEGER AS n FROM dmarc_rows");
    assert.deepEqual(rows, [{ n: 3 }]);
  } finally {
    store.close();
  }
});
