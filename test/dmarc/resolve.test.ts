import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { aggregateXml } from "../../testkit/dmarc-reports.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";

/** `dmarc` asks no DNS question without --resolve; with it, sources get PTR names grouped by operator. */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-resolve-"));
let server: TestDnsServer;
before(async () => {
  server = await startDnsServer({
    "10.2.0.192.in-addr.arpa": { PTR: ["o1.esp-mail.example.net"] },
    "11.2.0.192.in-addr.arpa": { PTR: ["o2.esp-mail.example.net"] },
    "o1.esp-mail.example.net": { A: ["192.0.2.10"] },
    "o2.esp-mail.example.net": { A: ["192.0.2.11"] },
  });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("dmarc --resolve groups sources by their PTR's registrable domain; without it, no DNS query", async () => {
  const begin = Date.UTC(2026, 6, 1) / 1000;
  const report = join(dir, "r.xml");
  writeFileSync(
    report,
    aggregateXml({
      reportId: "res-1",
      begin,
      end: begin + 86_399,
      rows: [
        { ip: "192.0.2.10", count: 40 },
        { ip: "192.0.2.11", count: 10 },
        { ip: "203.0.113.5", count: 3, dkim: "fail", spf: "fail" },
      ],
    }),
  );
  const db = join(dir, "r.duckdb");
  assert.equal((await spawnCli(["ingest", report, "--db", db])).status, 0);
  const offline = await spawnCli(["dmarc", "--db", db, "--resolver", server.url, "--json"]);
  assert.equal(offline.status, 0, offline.stderr);
  assert.equal(server.queries.length, 0, "no --resolve: no DNS question at all");
  assert.deepEqual(JSON.parse(offline.stdout).operators, []);
  // Every name here answers: the timeout only has to outlast a loaded host (this process serves the answers).
  const resolving = ["dmarc", "--db", db, "--resolve", "--resolver", server.url, "--timeout", "2000"];
  const online = await spawnCli([...resolving, "--json"]);
  assert.equal(online.status, 0, online.stderr);
  const summary = JSON.parse(online.stdout);
  const ptr = Object.fromEntries(
    summary.sources.map((s: { sourceIp: string; ptr: string | null }) => [s.sourceIp, s.ptr]),
  );
  assert.deepEqual(ptr, {
    "192.0.2.10": "o1.esp-mail.example.net",
    "192.0.2.11": "o2.esp-mail.example.net",
    "203.0.113.5": null,
  });
  assert.deepEqual(
    summary.operators.map((o: { operator: string; sources: number; messages: number }) => [
      o.operator,
      o.sources,
      o.messages,
    ]),
    [
      ["example.net", 2, 50],
      ["(no PTR)", 1, 3],
    ],
  );
  const text = await spawnCli(resolving);
  assert.match(text.stdout, /Per operator \(PTR domain\)\n {2}example\.net/);
});
