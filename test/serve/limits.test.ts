import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { createResolver } from "../../src/dns/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { startDnsServer } from "../../testkit/dns-server.ts";
import { dnsblZones } from "../../testkit/dns-zones-blocklists.ts";
import { sendgridEvents, sendgridService } from "../../testkit/serve.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-serve-limits-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("past --max-backlog webhooks get 503 with Retry-After (nothing dropped); a drain reopens intake", async () => {
  const { service, post } = await sendgridService(join(dir, "backlog.duckdb"), {
    drainIntervalMs: 600_000,
    maxBacklog: 50,
  });
  try {
    assert.equal(await post(sendgridEvents(60, "a")), 200, "the backlog is checked before a batch");
    const body = JSON.stringify(sendgridEvents(10, "b"));
    const refused = await fetch(`${service.url}/webhooks/sendgrid`, { method: "POST", body });
    assert.equal(refused.status, 503);
    assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
    await service.intake.drain();
    assert.equal(await post(sendgridEvents(10, "b")), 200);
    assert.equal(service.intake.counters.overloaded, 1);
  } finally {
    await service.close();
  }
});

test("a slow client gets 408 while the others are served; a bearer token guards the API, not the webhooks", async () => {
  const { service, post } = await sendgridService(join(dir, "slow.duckdb"), {
    limits: { requestMs: 1_000 },
    token: "t0ken",
  });
  try {
    const url = new URL(service.url);
    const socket = connect(Number(url.port), url.hostname);
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    const closed = new Promise((resolve) => socket.on("close", resolve));
    socket.write(
      "POST /webhooks/sendgrid HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{",
    );
    // While it dawdles, others are served.
    assert.equal(await post(sendgridEvents(5, "fast")), 200);
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
    await closed;
    assert.match(answer, /^HTTP\/1\.1 408/);

    assert.equal((await fetch(`${service.url}/api/stats`)).status, 401);
    const wrong = await fetch(`${service.url}/api/stats`, { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 403);
    const good = await fetch(`${service.url}/api/stats`, { headers: { authorization: "Bearer t0ken" } });
    assert.equal(good.status, 200);
    assert.equal((await fetch(`${service.url}/`)).status, 200, "the dashboard shell holds no data");
    assert.equal((await fetch(`${service.url}/api/dashboard.html`)).status, 401);
  } finally {
    await service.close();
  }
});

test("serve refuses a non-loopback bind without DELIVERLENS_TOKEN, and bad options, with exit 2", async () => {
  const open = await spawnCli(["serve", "--host", "0.0.0.0", "--db", join(dir, "x.duckdb")]);
  assert.equal(open.status, 2);
  assert.match(open.stderr, /DELIVERLENS_TOKEN/);
  const port = await spawnCli(["serve", "--port", "70000", "--db", join(dir, "x.duckdb")]);
  assert.equal(port.status, 2);
  const smtp = await spawnCli([
    "serve",
    "--alert-smtp",
    "smtp://127.0.0.1:25",
    "--db",
    join(dir, "x.duckdb"),
  ]);
  assert.equal(smtp.status, 2);
  assert.match(smtp.stderr, /--alert-to/);
});

test("--ip: a new blocklist listing raises a critical alert; a delisting resolves it; 'could not ask' is not a listing", async () => {
  const data = await loadBlocklists();
  const LISTED = "192.0.2.66";
  const dns = await startDnsServer(dnsblZones(data, {}));
  const { service } = await sendgridService(join(dir, "bl.duckdb"), {
    blocklists: {
      targets: { ips: [LISTED] },
      data,
      resolver: () =>
        createResolver({ mode: "udp", host: dns.host, port: dns.port }, { timeoutMs: 10_000, retries: 1 }),
      intervalMs: 600_000,
    },
  });
  try {
    await service.monitor.checkBlocklists();
    assert.equal(service.alerts.openAlerts().length, 0, "clean");
    dns.setZones(
      dnsblZones(data, { listings: [{ list: "spamhaus-zen", target: LISTED, answer: "127.0.0.3" }] }),
    );
    await service.monitor.checkBlocklists();
    const open = service.alerts.openAlerts();
    assert.deepEqual(
      open.map((a) => [a.kind, a.severity, a.numbers.target, a.numbers.list]),
      [["blocklist", "critical", LISTED, "spamhaus-zen"]],
    );
    dns.setZones(
      dnsblZones(data, { faulty: [{ list: "spamhaus-zen", fault: "servfail", targets: [LISTED] }] }),
    );
    await service.monitor.checkBlocklists();
    assert.equal(service.alerts.openAlerts().length, 1, "an unanswered query neither lists nor delists");
    assert.ok((service.monitor.state.blocklist?.unknown ?? 0) > 0);
    dns.setZones(dnsblZones(data, {}));
    await service.monitor.checkBlocklists();
    assert.equal(service.alerts.openAlerts().length, 0, "a clear answer resolves the listing");
  } finally {
    await service.close();
    dns.close();
  }
});
