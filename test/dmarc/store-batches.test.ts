import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { storedAggregate } from "../../src/dmarc/prepare.ts";
import type { AggregateRow } from "../../src/dmarc/types.ts";
import { checkpointReports, Store, type StoredAggregateReport, storeReports } from "../../src/store/index.ts";
import { parsedReport } from "../../testkit/dmarc-reports.ts";

/**
 * Batches of reports are a row group and a few rows each (src/dmarc/ingest.ts): the rows they leave behind
 * must not make the checkpoint merge, decompress and write again the row groups already written (what
 * DuckDB's vacuum did: it took longer than writing them, at the end of every run).
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-store-batches-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROW_GROUP = 122_880;

function report(n: number, rows: number): StoredAggregateReport {
  const row: AggregateRow = {
    sourceIp: "192.0.2.1",
    count: 3,
    disposition: "none",
    dkim: "pass",
    spf: "pass",
    reasons: [],
    reasonComment: null,
    headerFrom: "example.com",
    envelopeFrom: null,
    envelopeTo: null,
    dkimAuth: [{ domain: "example.com", selector: "s1", result: "pass" }],
    spfAuth: [{ domain: "example.com", scope: null, result: "pass" }],
  };
  const aggregate = parsedReport(
    Array.from({ length: rows }, (_, i) => ({ ...row, sourceIp: `192.0.2.${i % 250}` })),
    1_767_225_600,
    1_767_311_999,
    `r${n}`,
  );
  return storedAggregate(aggregate, `k${n}`, `r${n}.xml`);
}

test("batches of a row group and a few rows: the checkpoint writes no row group twice", async () => {
  const store = await Store.open(join(dir, "batches.duckdb"));
  try {
    const vacuum = await store.one<{ n: number }>("SELECT current_setting('max_vacuum_tasks')::INTEGER AS n");
    let n = 0;
    for (let batch = 0; batch < 2; batch++) {
      // 245 reports of 500 rows and one of 399: a row group and 19 rows.
      const reports = Array.from({ length: 246 }, (_, i) => report(n++, i < 245 ? 500 : 399));
      await storeReports(store, reports, [], 0);
    }
    await checkpointReports(store);
    // Rows per row group (a column may take several segments in one row group).
    const groups = await store.all<{ rows: number }>(
      `SELECT sum(count)::INTEGER AS rows FROM pragma_storage_info('dmarc_rows')
        WHERE column_name = 'report_key' AND segment_type <> 'VALIDITY'
        GROUP BY row_group_id ORDER BY row_group_id`,
    );
    // Each batch's row group stays as it was written; its few rows stay a small row group of their own.
    const layout = groups.map((group) => Number(group.rows));
    assert.deepEqual(layout, [ROW_GROUP, 19, ROW_GROUP, 19], `row groups: ${JSON.stringify(layout)}`);
    // The store's own setting is back.
    assert.deepEqual(await store.one("SELECT current_setting('max_vacuum_tasks')::INTEGER AS n"), vacuum);
  } finally {
    store.close();
  }
});

test("a batch of more reports than one write takes (1,024 parts) stores every report's rows, in order", async () => {
  const store = await Store.open(join(dir, "parts.duckdb"));
  try {
    const reports = Array.from({ length: 2_500 }, (_, i) => report(10_000 + i, 1 + (i % 3)));
    await storeReports(store, reports, [], 0);
    const rows = await store.all<{ key: string; n: number }>(
      "SELECT report_key AS key, count(*)::INTEGER AS n FROM dmarc_rows GROUP BY 1 ORDER BY min(rowid)",
    );
    assert.deepEqual(
      rows,
      reports.map((r) => ({ key: r.key, n: r.rowsCsvLines })),
    );
  } finally {
    store.close();
  }
});
