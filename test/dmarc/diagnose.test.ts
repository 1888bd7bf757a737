import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { aggregateXml } from "../../testkit/dmarc-reports.ts";

/**
 * diagnose with DMARC aggregate reports in the store: the authentication cause cites what the reports say
 * about aligned DKIM at the provider's sending IPs around the episodes, `--json` carries the reading under
 * `dmarc`, and the HTML report gets its section. Without reports nothing changes (the golden outputs).
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-diagnose-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("diagnose cites the DMARC reports for the provider's sending IPs and the HTML report shows them", async () => {
  const db = join(dir, "demo.duckdb");
  const demo = await spawnCli([
    "demo",
    "--db",
    db,
    "--out",
    join(dir, "demo"),
    "--days",
    "42",
    "--recipients",
    "800",
    "--seed",
    "3",
  ]);
  assert.equal(demo.status, 0, demo.stderr);
  const before = JSON.parse((await spawnCli(["diagnose", "--db", db, "--offline", "--json"])).stdout);
  assert.equal(before.dmarc, undefined, "no report stored: no dmarc key");
  const ips: string[] = before.ips.map((ip: { ip: string }) => ip.ip);
  assert.ok(ips.length > 0);
  const day = Date.parse(`${before.figures.window.to}T00:00:00Z`) / 1000 - 86_400 * 3;
  const files = ips.slice(0, 3).map((ip, i) => {
    const path = join(dir, `r${i}.xml`);
    writeFileSync(
      path,
      aggregateXml({
        reporter: "Apple Inc.",
        reportId: `apple-${i}`,
        begin: day,
        end: day + 86_399,
        domain: "example.com",
        rows: [
          { ip, count: 60, dkim: "fail", spf: "pass", dkimResult: "fail" },
          { ip, count: 40 },
        ],
      }),
    );
    return path;
  });
  assert.equal((await spawnCli(["ingest", ...files, "--db", db])).status, 0);
  const html = join(dir, "report.html");
  const run = await spawnCli(["diagnose", "--db", db, "--offline", "--json", "--html", html]);
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.dmarc.reports.aggregate, 3);
  const auth = report.causes.find((cause: { id: string }) => cause.id === "authentication");
  const cited = auth.evidence.find((e: { metric?: string }) => e.metric === "dmarc_aligned_dkim_fail_rate");
  assert.ok(cited, JSON.stringify(auth.evidence));
  assert.deepEqual(cited.measures, ["dmarc_aligned_dkim"]);
  assert.match(cited.text, /aligned DKIM failed for \d+ of them \(60\.0 %\)/);
  const page = readFileSync(html, "utf8");
  assert.match(page, /<h2>DMARC aggregate and TLS reports<\/h2>/);
  assert.match(page, /Apple Inc\./);
});
