import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runAudit } from "../../src/audit/audit.ts";
import { loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { auditContext } from "../../src/audit/context.ts";
import { createResolver } from "../../src/dns/index.ts";
import { spawnCli as deliverlens } from "../../testkit/cli-spawn.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";
import { auditZones, BROKEN_DOMAIN, BROKEN_IP, CLEAN_DOMAIN, CLEAN_IPS } from "../../testkit/dns-zones.ts";

const lists = await loadBlocklists();
const LONG_SPF = `v=spf1 ${Array.from({ length: 40 }, (_, i) => `ip4:198.51.100.${i}`).join(" ")} -all`;
let server: TestDnsServer;

before(async () => {
  server = await startDnsServer({
    ...auditZones(lists, {
      refusing: [{ list: "spamhaus-dbl", answer: "127.255.255.254", targets: ["refused.test"] }],
    }),
    "big.test": { TXT: [LONG_SPF], MX: [{ exchange: "mx1.clean.test", priority: 1 }] },
    "_dmarc.evil.test": { TXT: ["v=DMARC1; p=none; x=\u001b[2J\u001b[31mowned"] },
    "_dmarc.slow.test": { fault: "timeout" },
  });
});
after(() => server.close());

/** `deliverlens audit ARGS` against the loopback DNS server. */
const audit = (args: string[]) => deliverlens(["audit", "--resolver", server.url, ...args]);

describe("deliverlens audit (spawned, against the loopback DNS server)", () => {
  it("broken domain: JSON report with every section, and exit 3 with --fail-on high", async () => {
    const run = await audit([
      "--domain",
      BROKEN_DOMAIN,
      "--ip",
      BROKEN_IP,
      "--dkim-selector",
      "sel512",
      "--json",
      "--fail-on",
      "high",
    ]);
    assert.equal(run.status, 3, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.schemaVersion, 1);
    for (const section of ["spf", "dmarc", "dkim", "mx", "ptr", "mtaSts", "tlsRpt", "bimi", "blocklists"]) {
      assert.ok(section in report, section);
    }
    const ids = new Set(report.findings.map((f: { id: string }) => f.id));
    for (const id of [
      "SPF_MULTIPLE_RECORDS",
      "SPF_TOO_MANY_LOOKUPS",
      "DMARC_POLICY_NONE",
      "DMARC_NO_RUA",
      "DKIM_KEY_TOO_SHORT",
      "PTR_MISSING",
      "BLOCKLIST_IP_LISTED",
    ]) {
      assert.ok(ids.has(id), id);
    }
    for (const finding of report.findings) assert.match(finding.id, /^[A-Z][A-Z0-9_]+$/);
  });

  it("clean domain: exit 0 with --fail-on high, readable text grouped by section", async () => {
    const run = await audit(["--domain", CLEAN_DOMAIN, "--ip", CLEAN_IPS.join(","), "--fail-on", "high"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^SPF$/m);
    assert.match(run.stdout, /192\.0\.2\.1: pass via ip4:192\.0\.2\.0\/28/);
    assert.match(run.stdout, /192\.0\.2\.1: clear on 6/);
  });

  it("--fail-on info exits 3 on the clean domain (the Proofpoint info finding)", async () => {
    const run = await audit(["--domain", CLEAN_DOMAIN, "--fail-on", "info", "--json"]);
    assert.equal(run.status, 3);
  });

  it("escapes DNS text in the terminal report", async () => {
    const run = await audit(["--domain", "evil.test"]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(!run.stdout.includes("\u001b"), "raw ESC reached the terminal");
    assert.match(run.stdout, /\\u001b\[2J/);
  });

  for (const [args, pattern] of [
    [["--fail-on", "severe"], /--fail-on/],
    [["--resolver", "tcp://1.2.3.4"], /--resolver/],
    [["--ip", "999.1.1.1"], /--ip/],
    [["--mail-from", "a@b.test"], /--helo/],
    [["--dqs-key", "not a key"], /--dqs-key/],
    [["--domain", "exa mple.test"], /--domain/],
  ] as const) {
    it(`usage error (exit 2) for ${args.join(" ")}`, async () => {
      const run = await audit(["--domain", CLEAN_DOMAIN, ...args]);
      assert.equal(run.status, 2);
      assert.match(run.stderr, pattern);
    });
  }

  it("an unreadable --lists file cannot run (exit 1)", async () => {
    const bad = join(tmpdir(), `deliverlens-lists-${process.pid}.json`);
    await writeFile(bad, JSON.stringify({ lists: [{ id: "x" }] }));
    try {
      const run = await audit(["--domain", CLEAN_DOMAIN, "--lists", bad]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /lists\[0\]/);
    } finally {
      await rm(bad, { force: true });
    }
  });
});

describe("audit over the wire: truncation, refusals and timeouts", () => {
  it("reads an SPF record too big for UDP over TCP", async () => {
    const resolver = createResolver({ mode: "udp", host: server.host, port: server.port });
    const report = await runAudit(auditContext(resolver, "big.test", lists, { ips: ["198.51.100.7"] }));
    assert.equal(report.spf.records[0], LONG_SPF);
    assert.equal(report.spf.ips[0].result, "pass");
    assert.ok(server.queries.some((q) => q.name === "big.test" && q.type === "TXT" && q.transport === "tcp"));
  });

  it("a domain list answering 127.255.255.254 is reported refused, never listed", async () => {
    const resolver = createResolver({ mode: "udp", host: server.host, port: server.port });
    const report = await runAudit(auditContext(resolver, "refused.test", lists, { ips: [] }));
    const dbl = report.blocklists.results.find((r) => r.list === "spamhaus-dbl")!;
    assert.equal(dbl.verdict.status, "unavailable");
    assert.ok(!report.findings.some((f) => f.id === "BLOCKLIST_DOMAIN_LISTED"));
    assert.ok(
      report.findings.some(
        (f) => f.id === "BLOCKLIST_UNAVAILABLE" && /public or open resolver/.test(f.evidence),
      ),
    );
  });

  it("a DMARC name that never answers is a lookup failure, not a missing record", async () => {
    // Long enough for the names that do answer on a loaded host (at 80 ms the first question once went
    // unanswered at load 20, and the audit took the whole resolver as unreachable).
    const resolver = createResolver(
      { mode: "udp", host: server.host, port: server.port },
      { timeoutMs: 1000, retries: 1 },
    );
    const report = await runAudit(auditContext(resolver, "slow.test", lists, { ips: [] }));
    const ids = report.findings.map((f) => f.id);
    assert.ok(ids.includes("DMARC_LOOKUP_FAILED"), ids.join(","));
    assert.deepEqual(
      report.dns.failures.find((f) => f.name === "_dmarc.slow.test"),
      {
        name: "_dmarc.slow.test",
        type: "TXT",
        reason: "timeout",
        attempts: 2,
      },
    );
    assert.ok(!ids.includes("DMARC_MISSING"));
  });
});
