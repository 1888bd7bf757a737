import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KNOWN_FORWARDERS, knownForwarder } from "../../src/dmarc/forwarders.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { aggregateXml } from "../../testkit/dmarc-reports.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";

/**
 * Known forwarders and mailing lists (issue 18: "forwarding recognised (ARC, known forwarders)"): a
 * failing source is a forwarder, not an unknown sender, when the service's own domain passed SPF or DKIM
 * (offline, from the reports) or, with --resolve only, when its PTR name is the service's.
 */

test("the known-forwarders table: one fact per entry, each with a public source and an example", () => {
  const ids = new Set<string>();
  for (const entry of KNOWN_FORWARDERS) {
    assert.ok(!ids.has(entry.id), `duplicate id ${entry.id}`);
    ids.add(entry.id);
    assert.match(entry.source, /^https:\/\/[a-z0-9.-]+\.[a-z]+\//, entry.id);
    assert.ok(entry.example.length > 0, entry.id);
    const value = "domain" in entry.match ? entry.match.domain : entry.match.ptr;
    assert.match(value, /^\.?[a-z0-9-]+(\.[a-z0-9-]+)+$/, entry.id);
    // Each entry recognises its own example.
    if ("ptr" in entry.match) assert.equal(knownForwarder([], entry.example)?.id, entry.id);
    else assert.equal(knownForwarder([entry.match.domain.toUpperCase()], null)?.id, entry.id);
  }
});

test("a domain or PTR name matches on a label boundary only", () => {
  assert.equal(knownForwarder(["googlegroups.com"], null)?.id, "google-groups-domain");
  assert.equal(knownForwarder(["notgooglegroups.com", "googlegroups.com.evil.example"], null), null);
  assert.equal(knownForwarder([], "mail-x.outbound.protection.outlook.com.")?.kind, "forwarding");
  assert.equal(knownForwarder([], "evil-outbound.protection.outlook.com.example"), null);
  assert.equal(knownForwarder([], null), null);
});

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-forwarders-"));
let server: TestDnsServer;
before(async () => {
  server = await startDnsServer({
    "9.113.0.203.in-addr.arpa": { PTR: ["mail-db8eur05on2091.outbound.protection.outlook.com"] },
    "mail-db8eur05on2091.outbound.protection.outlook.com": { A: ["203.0.113.9"] },
    "10.2.0.192.in-addr.arpa": { PTR: ["mail-pg1-f205.google.com"] },
    "mail-pg1-f205.google.com": { A: ["192.0.2.10"] },
  });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("dmarc: a list's own passing domain makes a failing source a forwarder offline; a PTR name only with --resolve", async () => {
  const begin = Date.UTC(2026, 7, 1) / 1000;
  const report = join(dir, "r.xml");
  writeFileSync(
    report,
    aggregateXml({
      reportId: "fwd-1",
      begin,
      end: begin + 86_399,
      rows: [
        // Your own mail, sent through Google: yours whatever its PTR says.
        { ip: "192.0.2.10", count: 50 },
        // A Google Groups post: your signature broken by the list, the list's own signature and envelope pass.
        {
          ip: "198.51.100.7",
          count: 12,
          dkim: "fail",
          spf: "fail",
          dkimResult: "fail",
          moreDkim: [{ domain: "googlegroups.com", result: "pass" }],
          spfDomain: "googlegroups.com",
          spfResult: "pass",
        },
        // A look-alike domain is no list.
        {
          ip: "198.51.100.8",
          count: 5,
          dkim: "fail",
          spf: "fail",
          spfDomain: "notgooglegroups.com",
          dkimDomain: "notgooglegroups.com",
        },
        // Fails with no sign offline; its PTR is Microsoft 365's outbound.
        {
          ip: "203.0.113.9",
          count: 7,
          dkim: "fail",
          spf: "fail",
          spfDomain: "tenant.example",
          dkimDomain: "tenant.example",
        },
      ],
    }),
  );
  const db = join(dir, "r.duckdb");
  assert.equal((await spawnCli(["ingest", report, "--db", db])).status, 0);
  type Source = { sourceIp: string; verdict: string; knownForwarder: { id: string } | null };
  const verdicts = (stdout: string) =>
    Object.fromEntries(
      (JSON.parse(stdout).sources as Source[]).map((s) => [
        s.sourceIp,
        [s.verdict, s.knownForwarder?.id ?? null],
      ]),
    );
  const offline = await spawnCli(["dmarc", "--db", db, "--resolver", server.url, "--json"]);
  assert.equal(offline.status, 0, offline.stderr);
  assert.equal(server.queries.length, 0, "no --resolve: no DNS question");
  assert.deepEqual(verdicts(offline.stdout), {
    "192.0.2.10": ["yours", null],
    "198.51.100.7": ["forwarder", "google-groups-domain"],
    "198.51.100.8": ["unknown", null],
    "203.0.113.9": ["unknown", null],
  });
  // Every name here answers: the timeout only has to outlast a loaded host (this process serves the answers).
  const resolving = ["dmarc", "--db", db, "--resolve", "--resolver", server.url, "--timeout", "2000"];
  const online = await spawnCli([...resolving, "--json"]);
  assert.equal(online.status, 0, online.stderr);
  assert.deepEqual(verdicts(online.stdout), {
    "192.0.2.10": ["yours", null],
    "198.51.100.7": ["forwarder", "google-groups-domain"],
    "198.51.100.8": ["unknown", null],
    "203.0.113.9": ["forwarder", "microsoft-365-forwarding-ptr"],
  });
  const summary = JSON.parse(online.stdout);
  assert.deepEqual(summary.verdicts.forwarder, { sources: 2, messages: 19 });
  assert.equal(summary.domains[0].forwardedMessages, 19);
  assert.equal(summary.domains[0].unknownMessages, 5);
  const text = await spawnCli(resolving);
  assert.match(text.stdout, /known mailing-list: Google Groups/);
  assert.match(text.stdout, /known forwarding: Microsoft 365/);
});
