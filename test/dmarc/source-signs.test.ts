import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { storedAggregate } from "../../src/dmarc/prepare.ts";
import type { AggregateRow } from "../../src/dmarc/types.ts";
import { dmarcSources, Store, storeReports } from "../../src/store/index.ts";
import { parsedReport } from "../../testkit/dmarc-reports.ts";

/**
 * A source's signs of forwarding in the stored rows (src/store/reports.ts, dmarcSources): messages whose
 * receiver gave a forwarding override reason, and those whose override comment says `arc=pass` (any case);
 * records without a reason or comment count for neither.
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-signs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function row(sourceIp: string, count: number, reasons: string[], reasonComment: string | null): AggregateRow {
  return {
    sourceIp,
    count,
    disposition: "none",
    dkim: "fail",
    spf: "fail",
    reasons,
    reasonComment,
    headerFrom: "example.com",
    envelopeFrom: null,
    envelopeTo: null,
    dkimAuth: [{ domain: "other.example", selector: "s1", result: "none" }],
    spfAuth: [{ domain: "other.example", scope: null, result: "fail" }],
  };
}

test("forwarding reasons and arc=pass comments are counted per source, and nothing where a record has neither", async () => {
  const store = await Store.open(join(dir, "s.duckdb"));
  try {
    const rows = [
      row("198.51.100.1", 5, ["forwarded"], null),
      row("198.51.100.2", 4, ["local_policy"], "ARC=pass (i=1)"),
      row("198.51.100.3", 3, ["local_policy", "mailing_list"], "arc=fail"),
      row("198.51.100.4", 2, [], null),
      row("198.51.100.5", 1, ["local_policy"], "sampled_out"),
      row("198.51.100.6", 7, ["trusted_forwarder"], "arc=pass"),
    ];
    const report = storedAggregate(parsedReport(rows, 1_767_225_600, 1_767_311_999, "signs"), "k", "r.xml");
    await storeReports(store, [report], [], 1_767_312_000);
    const signs = Object.fromEntries(
      (await dmarcSources(store, {})).map((s) => [s.source_ip, [Number(s.forwarded), Number(s.arc)]]),
    );
    assert.deepEqual(signs, {
      "198.51.100.1": [5, 0],
      "198.51.100.2": [0, 4],
      "198.51.100.3": [3, 0],
      "198.51.100.4": [0, 0],
      "198.51.100.5": [0, 0],
      "198.51.100.6": [7, 7],
    });
  } finally {
    await store.close();
  }
});
