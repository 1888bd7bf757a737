import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";

/**
 * `audit`'s check of external report destinations (RFC 7489 §7.1, RFC 9990 §4: a destination outside the
 * domain must publish `<domain>._report._dmarc.<destination>` TXT "v=DMARC1"), against the loopback DNS
 * server: unauthorised, authorised, and a destination whose DNS cannot be asked (never called unauthorised).
 */

let server: TestDnsServer;
before(async () => {
  server = await startDnsServer({
    "_dmarc.ext.test": {
      TXT: [
        "v=DMARC1; p=none; rua=mailto:a@reports.example,mailto:b@ok.example,mailto:c@down.example,mailto:d@ext.test",
      ],
    },
    "ext.test._report._dmarc.ok.example": { TXT: ["v=DMARC1"] },
    "ext.test._report._dmarc.down.example": { fault: "servfail" },
  });
});
after(() => server.close());

test("audit: an external rua destination is authorised by its _report._dmarc record, or flagged; DNS failure is not 'unauthorised'", async () => {
  const run = await spawnCli([
    "audit",
    "--domain",
    "ext.test",
    "--resolver",
    server.url,
    "--timeout",
    "500",
    "--json",
  ]);
  const report = JSON.parse(run.stdout);
  const byDomain = Object.fromEntries(
    report.dmarc.destinations.map((d: { domain: string; external: boolean; authorized: boolean | null }) => [
      d.domain,
      [d.external, d.authorized],
    ]),
  );
  assert.deepEqual(byDomain, {
    "reports.example": [true, false],
    "ok.example": [true, true],
    "down.example": [true, null],
    "ext.test": [false, null],
  });
  const unauthorised = report.findings.filter(
    (f: { id: string }) => f.id === "DMARC_EXTERNAL_REPORTS_UNAUTHORIZED",
  );
  assert.equal(unauthorised.length, 1);
  assert.match(unauthorised[0].evidence, /ext\.test\._report\._dmarc\.reports\.example/);
  assert.doesNotMatch(JSON.stringify(unauthorised), /down\.example/);
  const queried = server.queries.map((q: { name: string }) => q.name.toLowerCase());
  assert.ok(queried.includes("ext.test._report._dmarc.ok.example"));
});
