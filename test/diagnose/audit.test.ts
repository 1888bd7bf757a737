import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";
import { auditZones, BROKEN_DOMAIN, BROKEN_IP } from "../../testkit/dns-zones.ts";
import { generateScenario } from "../../testkit/scenarios.ts";
import { storeScenario } from "../../testkit/scenarios-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-diagnose-audit-"));
const db = join(dir, "clean.duckdb");
let server: TestDnsServer;

const diagnose = (...args: string[]) => spawnCli(["diagnose", "--db", db, "--json", ...args]);

before(async () => {
  const scenario = generateScenario({
    cause: "clean",
    strength: 0,
    noise: 0,
    seed: 3,
    recipients: 800,
    days: 45,
  });
  (await storeScenario(scenario.events, db)).close();
  server = await startDnsServer(auditZones(await loadBlocklists()));
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("--domain/--ip run the sender audit over DNS: a live listing and auth findings become evidence", async () => {
  const run = await diagnose("--resolver", server.url, "--domain", BROKEN_DOMAIN, "--ip", BROKEN_IP);
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.meta.offline, false);
  const blocklist = report.causes.find((c: { id: string }) => c.id === "blocklist");
  const live = blocklist.evidence.map((e: { text: string }) => e.text).join("\n");
  assert.match(live, new RegExp(`Live lookup: ${BROKEN_IP.replaceAll(".", "\\.")} is listed on Spamhaus`));
  assert.ok(blocklist.passed && blocklist.confidence >= 0.6);
  const auth = report.causes.find((c: { id: string }) => c.id === "authentication");
  assert.ok(auth.evidence.some((e: { text: string }) => e.text.startsWith("Audit: ")));
  assert.ok(report.prescriptions.dns.length > 3, "the audit's own fixes join the DNS prescriptions");
  assert.ok(server.queries.some((q) => q.name.endsWith("zen.spamhaus.org")));
});

test("--offline asks the DNS server nothing", async () => {
  const before = server.queries.length;
  const run = await diagnose("--offline", "--resolver", server.url, "--domain", BROKEN_DOMAIN);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).meta.offline, true);
  assert.equal(server.queries.length, before);
});
