import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { aggregateXml, gzipSync, zip } from "../../testkit/dmarc-reports.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-ingest-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400;
const D0 = Date.UTC(2026, 4, 1) / 1000;

const daily = aggregateXml({
  reporter: "google.com",
  reportId: "r-1",
  begin: D0,
  end: D0 + DAY - 1,
  rows: [
    { ip: "192.0.2.10", count: 100 },
    { ip: "192.0.2.10", count: 4, dkim: "fail", spf: "fail" },
    {
      ip: "203.0.113.9",
      count: 20,
      dkim: "fail",
      spf: "fail",
      dkimDomain: "spoof.example",
      dkimResult: "none",
    },
    { ip: "198.51.100.7", count: 30, dkim: "fail", spf: "fail", reasons: ["forwarded"], dkimResult: "fail" },
    {
      ip: "198.51.100.8",
      count: 6,
      dkim: "fail",
      spf: "fail",
      reasons: ["local_policy"],
      comment: "arc=pass",
    },
  ],
});
// 72 hours from noon: 12 h on the first day, 24 h on each of two, 12 h on the last.
const multiDay = aggregateXml({
  reporter: "Yahoo",
  reportId: "r-2",
  begin: D0 + DAY / 2,
  end: D0 + 3 * DAY + DAY / 2,
  p: "none",
  rows: [{ ip: "192.0.2.11", count: 7 }],
});
const tlsReport = JSON.stringify({
  "organization-name": "Google Inc.",
  "date-range": { "start-datetime": "2026-05-01T00:00:00Z", "end-datetime": "2026-05-01T23:59:59Z" },
  "contact-info": "smtp-tls-reporting@google.com",
  "report-id": "tls-1",
  policies: [
    {
      policy: { "policy-type": "sts", "policy-domain": "example.com", "mx-host": "mx.example.com" },
      summary: { "total-successful-session-count": 900, "total-failure-session-count": 12 },
      "failure-details": [
        {
          "result-type": "certificate-expired",
          "sending-mta-ip": "209.85.220.41",
          "receiving-mx-hostname": "mx.example.com",
          "failed-session-count": 12,
        },
      ],
    },
  ],
});

test("ingest reads DMARC and TLS reports (xml, gz, zip, json), deduplicates, refuses bad ones and exits 1 after storing the rest", async () => {
  const files = join(dir, "in");
  const db = join(dir, "reports.duckdb");
  rmSync(files, { recursive: true, force: true });
  const { mkdirSync } = await import("node:fs");
  mkdirSync(files);
  writeFileSync(join(files, "a.xml"), daily);
  writeFileSync(join(files, "b.xml.gz"), gzipSync(daily));
  writeFileSync(
    join(files, "c.zip"),
    zip([{ name: "yahoo!example.com!1!2.xml", data: Buffer.from(multiDay) }]),
  );
  writeFileSync(join(files, "d.json"), tlsReport);
  writeFileSync(join(files, "e-broken.xml"), daily.replace("<count>100</count>", "<count>100</cnt>"));
  // A gzip bomb reaches the reports reader by its content (its first member is a <feedback>) and stops there.
  const filler = gzipSync("<x/>".repeat(256 * 1024));
  writeFileSync(
    join(files, "f-bomb.xml.gz"),
    Buffer.concat([gzipSync("<?xml version='1.0'?><feedback>"), ...Array.from({ length: 64 }, () => filler)]),
  );
  const run = await spawnCli(["ingest", files, "--db", db, "--json"]);
  assert.equal(run.status, 1, `a refused report makes the run exit 1: ${run.stderr}`);
  assert.match(run.stderr, /e-broken\.xml: invalid XML at line \d+/);
  assert.match(run.stderr, /f-bomb\.xml\.gz: the report expands beyond the limit of 200 /);
  const out = JSON.parse(run.stdout);
  const byName = (suffix: string) => out.reports.find((r: { path: string }) => r.path.endsWith(suffix));
  assert.equal(byName("a.xml").stored, 1);
  assert.equal(byName("b.xml.gz").duplicates, 1, "the same report gzipped is a duplicate");
  assert.equal(byName("c.zip").stored, 1);
  assert.equal(byName("d.json").tls, 1);
  assert.equal(byName("e-broken.xml").stored, 0);
  assert.equal(byName("e-broken.xml").problems[0].reason, "invalid-xml");

  const again = await spawnCli(["ingest", join(files, "a.xml"), join(files, "c.zip"), "--db", db, "--json"]);
  assert.equal(again.status, 0, again.stderr);
  const second = JSON.parse(again.stdout);
  assert.deepEqual(
    second.reports.map((r: { stored: number; duplicates: number }) => [r.stored, r.duplicates]),
    [
      [0, 1],
      [0, 1],
    ],
  );

  const reading = await spawnCli(["dmarc", "--db", db, "--json"]);
  assert.equal(reading.status, 0, reading.stderr);
  const summary = JSON.parse(reading.stdout);
  assert.equal(summary.schemaVersion, 16, "the JSON's own version: a store migration does not change it");
  assert.equal(summary.reports.aggregate, 2);
  assert.equal(summary.reports.tls, 1);
  const verdict = (ip: string) => summary.sources.find((s: { sourceIp: string }) => s.sourceIp === ip);
  assert.equal(verdict("192.0.2.10").verdict, "yours");
  assert.equal(verdict("192.0.2.10").failing, 4);
  assert.equal(verdict("203.0.113.9").verdict, "unknown");
  assert.equal(verdict("198.51.100.7").verdict, "forwarder", "the forwarded override reason");
  assert.equal(verdict("198.51.100.8").verdict, "forwarder", "an arc=pass comment");
  // The multi-day report: 7 messages over 4 days (12 h, 24 h, 24 h, 12 h: 1.17, 2.33, 2.33, 1.17) as
  // whole numbers with the same total; the remainder goes to the largest fraction, the earlier day on a tie.
  const days = summary.daily;
  const total = days.reduce((sum: number, d: { messages: number }) => sum + d.messages, 0);
  assert.equal(total, 160 + 7);
  const may = Object.fromEntries(days.map((d: { day: string; messages: number }) => [d.day, d.messages]));
  assert.deepEqual(may, { "2026-05-01": 161, "2026-05-02": 3, "2026-05-03": 2, "2026-05-04": 1 });
  const domain = summary.domains.find((d: { domain: string }) => d.domain === "example.com");
  assert.equal(domain.nextStep, "quarantine");
  assert.equal(domain.unknownMessages, 20);
  assert.equal(domain.ready, false, "107 of 111 of your own messages pass: under 98 %");
  assert.deepEqual(
    summary.tls.failures.map((f: { receiving_mx: string; result_type: string; sessions: number }) => [
      f.receiving_mx,
      f.result_type,
      f.sessions,
    ]),
    [["mx.example.com", "certificate-expired", 12]],
  );

  const window = JSON.parse((await spawnCli(["dmarc", "--db", db, "--from", "2026-05-03", "--json"])).stdout);
  assert.equal(
    window.sources.reduce((sum: number, s: { messages: number }) => sum + s.messages, 0),
    3,
    "--from keeps the days from the 3rd",
  );
  const text = await spawnCli(["dmarc", "--db", db]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /unknown — .*1 source\(s\), 20 messages/);
  assert.match(text.stdout, /mx\.example\.com: certificate-expired 12 session/);
  const usage = await spawnCli(["dmarc", "--db", db, "--from", "2026-05-09", "--to", "2026-05-01"]);
  assert.equal(usage.status, 2);
});
