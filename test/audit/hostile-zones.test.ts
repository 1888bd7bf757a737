import assert from "node:assert/strict";
import dgram from "node:dgram";
import { describe, it } from "node:test";
import { runAudit } from "../../src/audit/audit.ts";
import { loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { checkBlocklists } from "../../src/audit/blocklists.ts";
import { auditContext } from "../../src/audit/context.ts";
import { auditSpf } from "../../src/audit/spf.ts";
import { SPF_EXPANSION_LIMITS } from "../../src/audit/spf-tree.ts";
import { createResolver, type ZoneData } from "../../src/dns/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { dnsblZones } from "../../testkit/dns-zones-blocklists.ts";
import { bindLoopback } from "../../testkit/loopback.ts";

const lists = await loadBlocklists();

/** Every name under fan.test answers with `width` includes of other names under fan.test. */
function fanOutZone(width: number): ZoneData {
  const includes = Array.from({ length: width }, (_, i) => `include:i${i}.fan.test`).join(" ");
  return {
    "fan.test": { TXT: [`v=spf1 ${includes} -all`] },
    "*.fan.test": { TXT: [`v=spf1 ${includes} -all`] },
  };
}

describe("SPF expansion is bounded for the whole tree (RFC 7208 §4.6.4 budget)", () => {
  for (const width of [8, 12]) {
    it(`a zone that answers every name with ${width} includes: bounded questions, nodes and report`, async () => {
      const resolver = createResolver({ mode: "zones", zones: fanOutZone(width) });
      const { section, findings } = await auditSpf(
        auditContext(resolver, "fan.test", lists, { ips: ["192.0.2.1"] }),
      );
      const asked = resolver.log.filter((q) => !q.fromCache).length;
      // One TXT per expanded include (at most the expansion limit) plus the receiver's own evaluation.
      assert.ok(asked <= SPF_EXPANSION_LIMITS.terms + 1 + 12, `asked ${asked} questions`);
      assert.ok(section.truncated, "the section says where the expansion stopped");
      const tooMany = findings.find((f) => f.id === "SPF_TOO_MANY_LOOKUPS");
      assert.match(tooMany?.evidence ?? "", new RegExp(`more than ${SPF_EXPANSION_LIMITS.terms}`));
      assert.ok(JSON.stringify(section).length < 20_000, "the report stays small");
      assert.equal(section.ips[0].result, "permerror");
    });
  }

  it("a record under the limit is expanded whole and counted exactly", async () => {
    const zones: ZoneData = {
      "ok.test": { TXT: ["v=spf1 include:a.ok.test include:b.ok.test mx -all"], MX: [] },
      "a.ok.test": { TXT: ["v=spf1 ip4:192.0.2.0/24 include:c.ok.test -all"] },
      "b.ok.test": { TXT: ["v=spf1 a -all"], A: ["198.51.100.7"] },
      "c.ok.test": { TXT: ["v=spf1 ip4:203.0.113.0/24 -all"] },
    };
    const resolver = createResolver({ mode: "zones", zones });
    const { section } = await auditSpf(auditContext(resolver, "ok.test", lists, { ips: ["203.0.113.5"] }));
    assert.equal(section.lookups, 5);
    assert.equal(section.truncated, null);
    assert.equal(section.ips[0].result, "pass");
    assert.deepEqual(section.ips[0].matched, [
      "include:a.ok.test",
      "include:c.ok.test",
      "ip4:203.0.113.0/24",
    ]);
  });
});

describe("blocklists that answer every name are unavailable, never LISTED", () => {
  for (const answer of ["127.255.255.254", "127.0.0.2"]) {
    it(`every list's zone answers ${answer} to every name`, async () => {
      const zones: ZoneData = Object.fromEntries(
        lists.lists.flatMap((list) => [
          [list.zone, { A: [answer] }],
          [`*.${list.zone}`, { A: [answer] }],
        ]),
      );
      const resolver = createResolver({ mode: "zones", zones });
      const report = await checkBlocklists(
        resolver,
        { ips: ["192.0.2.1"], domains: ["example.test"] },
        lists,
      );
      for (const result of report.results) {
        assert.notEqual(result.verdict.status, "listed", `${result.list}: ${JSON.stringify(result.verdict)}`);
      }
      for (const list of lists.lists) {
        const probe = report.probes.find((p) => p.list === list.id);
        assert.equal(probe?.ok, false, `${list.id} probe must fail`);
      }
    });
  }

  it("a healthy zone (only its test point listed) passes every negative probe", async () => {
    const zones = dnsblZones(lists);
    const report = await checkBlocklists(
      createResolver({ mode: "zones", zones }),
      { ips: ["192.0.2.1"] },
      lists,
    );
    assert.ok(
      report.probes.every((p) => p.ok),
      JSON.stringify(report.probes.filter((p) => !p.ok)),
    );
    assert.ok(report.results.every((r) => r.verdict.status === "clear"));
  });
});

describe("before believing 'does not exist', the resolver must answer names that must exist", () => {
  it("a resolver answering NXDOMAIN for everything: one untrusted-DNS finding, no MISSING findings", async () => {
    const resolver = createResolver({ mode: "zones", zones: {} });
    const report = await runAudit(auditContext(resolver, "real.test", lists, { ips: ["192.0.2.1"] }));
    assert.equal(report.dns.domain, "untrusted");
    const ids = report.findings.map((f) => f.id);
    assert.ok(ids.includes("DNS_ANSWERS_UNTRUSTED"), ids.join());
    for (const id of ids) assert.ok(!id.endsWith("_MISSING"), `${id} must not be claimed`);
  });

  it("a domain that really does not exist (the test points answer): one finding, not three", async () => {
    const resolver = createResolver({ mode: "zones", zones: dnsblZones(lists) });
    const report = await runAudit(auditContext(resolver, "nonexistent.test", lists));
    assert.equal(report.dns.domain, "nxdomain");
    const ids = report.findings.map((f) => f.id);
    assert.ok(ids.includes("DOMAIN_NOT_FOUND"));
    for (const id of ["SPF_MISSING", "DMARC_MISSING", "MX_MISSING"]) assert.ok(!ids.includes(id), id);
  });

  it("a TXT lookup that timed out is 'could not check', never *_INVALID", async () => {
    const zones: ZoneData = {
      ...dnsblZones(lists),
      "slow.test": { TXT: ["v=spf1 -all"], MX: [{ exchange: "mx.slow.test", priority: 1 }] },
      "mx.slow.test": { A: ["192.0.2.25"] },
      "_mta-sts.slow.test": { fault: "timeout" },
      "_smtp._tls.slow.test": { fault: "timeout" },
      "default._bimi.slow.test": { fault: "timeout" },
    };
    const report = await runAudit(auditContext(createResolver({ mode: "zones", zones }), "slow.test", lists));
    const ids = report.findings.map((f) => f.id);
    for (const id of ["MTA_STS_LOOKUP_FAILED", "TLS_RPT_LOOKUP_FAILED", "BIMI_LOOKUP_FAILED"])
      assert.ok(ids.includes(id), id);
    for (const id of ["MTA_STS_INVALID", "TLS_RPT_INVALID", "BIMI_INVALID"]) assert.ok(!ids.includes(id), id);
  });
});

describe("a resolver that never answers fails the audit fast", () => {
  it("exit 1 with one clear finding after the first question, not a timeout per question", async () => {
    const silent = dgram.createSocket("udp4");
    const port = await bindLoopback(silent);
    try {
      const run = await spawnCli([
        "audit",
        "--resolver",
        `udp://127.0.0.1:${port}`,
        "--timeout",
        "200",
        "--domain",
        "quiet.test",
        "--ip",
        "192.0.2.1",
        "--json",
      ]);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /did not answer/);
      const report = JSON.parse(run.stdout);
      assert.equal(report.dns.unreachable, true);
      assert.deepEqual(
        report.findings.map((f: { id: string }) => f.id),
        ["DNS_RESOLVER_UNREACHABLE"],
      );
      assert.equal(report.dns.questions, 1, "only the first question went to the network");
    } finally {
      silent.close();
    }
  });
});
