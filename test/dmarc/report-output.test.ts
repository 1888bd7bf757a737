import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { authenticationEvidence } from "../../src/dmarc/evidence.ts";
import { ingestReportFiles } from "../../src/dmarc/ingest.ts";
import { summarizeReports } from "../../src/dmarc/summary.ts";
import { renderDmarc } from "../../src/report/dmarc.ts";
import { dmarcHtml } from "../../src/report/dmarc-html.ts";
import { Store } from "../../src/store/index.ts";
import { aggregateXml } from "../../testkit/dmarc-reports.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-output-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const D0 = Date.UTC(2026, 5, 1) / 1000;

test("the HTML section and the text escape what reports carry; the evidence says whether aligned DKIM failed", async () => {
  const path = join(dir, "r.xml");
  writeFileSync(
    path,
    aggregateXml({
      reporter: '<script>alert("x")</script>\u009b31m',
      reportId: "o-1",
      begin: D0,
      end: D0 + 86_399,
      rows: [
        { ip: "192.0.2.7", count: 80 },
        { ip: "192.0.2.7", count: 20, dkim: "fail", spf: "pass" },
        { ip: "198.51.100.66", count: 5, dkim: "fail", spf: "fail" },
      ],
    }),
  );
  const store = await Store.open(join(dir, "s.duckdb"));
  try {
    const [file] = await ingestReportFiles(store, [path]);
    assert.equal(file.stored, 1);
    const summary = await summarizeReports(store, {});
    const html = dmarcHtml(summary);
    assert.match(html, /<h2>DMARC aggregate and TLS reports<\/h2>/);
    assert.ok(!html.includes("<script>"), "reporter names are escaped in HTML");
    assert.match(html, /&#60;script&#62;/);
    const text = renderDmarc(summary);
    assert.ok(!text.includes("\u009b"), "control characters are escaped in the terminal");
    assert.equal(dmarcHtml(null), "");

    const evidence = await authenticationEvidence(store, {
      ips: ["192.0.2.7"],
      from: "2026-05-31",
      to: "2026-06-02",
      label: "Apple",
    });
    assert.equal(evidence.length, 1);
    assert.ok(Math.abs((evidence[0].value ?? 0) - 0.2) < 1e-9);
    assert.match(evidence[0].text, /aligned DKIM failed for 20 of them \(20\.0 %\)/);
    assert.deepEqual(
      await authenticationEvidence(store, {
        ips: ["203.0.113.1"],
        from: "2026-05-31",
        to: "2026-06-02",
        label: "Apple",
      }),
      [],
      "no report covers these IPs: no evidence",
    );
  } finally {
    store.close();
  }
});
