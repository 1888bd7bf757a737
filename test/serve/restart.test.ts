import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Alert, Alerts, type Sink } from "../../src/serve/alerts.ts";
import { type ServeState, StateFile } from "../../src/serve/state.ts";
import { closeServer, listenLoopback } from "../../testkit/loopback.ts";
import { appleHour, type ServeProcess, sendgridSigner, spawnServe } from "../../testkit/serve.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-serve-restart-"));
const received: Alert[] = [];
const receiver = createServer((request, response) => {
  let text = "";
  request.setEncoding("utf8");
  request.on("data", (chunk) => {
    text += chunk;
  });
  request.on("end", () => {
    received.push((JSON.parse(text) as { alert: Alert }).alert);
    response.writeHead(200).end("ok");
  });
});
let hook = "";
before(async () => {
  hook = `http://127.0.0.1:${await listenLoopback(receiver)}/hook`;
});
after(async () => {
  await closeServer(receiver);
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface DashboardState {
  monitor: { checks: number; findings: { key: string }[] };
  openAlerts: Alert[];
}

async function dashboard(server: ServeProcess): Promise<DashboardState> {
  return (await (await fetch(`${server.url}/api/dashboard`)).json()) as DashboardState;
}

/** Waits until `done` holds (polling the dashboard); fails after a generous hang guard. */
/**
 * A serve stopped by SIGTERM drained its spool (exit 0), or met its stop bound on a loaded host and said the spool
 * keeps the rest for the next start (exit 1): both are what it promises; this test is about what a restart keeps.
 */
async function assertStopped(server: ServeProcess): Promise<void> {
  const code = await server.exited;
  if (code === 0) return;
  assert.equal(code, 1, server.stderr());
  assert.match(server.stderr(), /could not drain within \d+ s; the spool keeps the rest for the next start/);
}

async function until(server: ServeProcess, done: (state: DashboardState) => boolean, what: string) {
  for (let i = 0; i < 1200; i++) {
    const state = await dashboard(server);
    if (done(state)) return state;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}: ${server.stderr()}`);
}

const episodes = () => received.filter((alert) => alert.kind === "policy-episode");

test("kill -9 during an ongoing episode and restart: the episode is not alerted again, its alert stays open", {
  timeout: 240_000,
}, async () => {
  const signer = sendgridSigner();
  const env = { DELIVERLENS_SENDGRID_VERIFICATION_KEY: signer.publicKey };
  const db = join(dir, "live.duckdb");
  const args = ["--db", db, "--drain-interval", "50", "--detect-interval", "0.3", "--alert-webhook", hook];
  const statePath = `${db}.serve-state.json`;
  let raised: Alert;
  const first = await spawnServe(args, env);
  try {
    const post = async (events: object[]) => {
      const body = JSON.stringify(events);
      const response = await fetch(`${first.url}/webhooks/sendgrid`, {
        method: "POST",
        body,
        headers: signer.headers(body),
      });
      assert.equal(response.status, 200);
    };
    const start = 1_780_000_000 - (1_780_000_000 % 3600);
    for (let h = 0; h < 6; h++) await post(appleHour(start + h * 3600, 100, h === 2 ? 1 : 0, `base${h}`));
    await post(appleHour(start + 6 * 3600, 60, 30, "burst"));
    for (let i = 0; i < 1200 && episodes().length === 0; i++) await sleep(100);
    assert.equal(episodes().length, 1, `the episode alerted once: ${first.stderr()}`);
    raised = episodes()[0];
    // Killed once the delivery is recorded (a kill before that redelivers the alert, same id, at restart).
    const delivered = () => {
      try {
        return (JSON.parse(readFileSync(statePath, "utf8")) as ServeState).alerts.undelivered.length === 0;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 1200 && !delivered(); i++) await sleep(100);
    assert.ok(delivered(), "the delivery was recorded in the state file");

    first.child.kill("SIGKILL");
    assert.equal(await first.exited, "SIGKILL");
  } finally {
    await first.stop();
  }

  const second = await spawnServe(args, env);
  try {
    // Two passes after the restart that see the episode still holding in the data.
    const state = await until(
      second,
      (s) => s.monitor.checks >= 2 && s.monitor.findings.some((f) => f.key === "policy-episode:apple"),
      "two detection passes seeing the episode",
    );
    assert.deepEqual(
      episodes().map((alert) => alert.id),
      [raised.id],
      "no second alert for the same episode",
    );
    assert.deepEqual(
      state.openAlerts.filter((alert) => alert.kind === "policy-episode").map((alert) => alert.id),
      [raised.id],
      "the alert is still open after the restart",
    );
  } finally {
    second.child.kill("SIGTERM");
    await assertStopped(second);
  }

  // The control: without the state file, the same data alerts again (the test above can fail).
  rmSync(statePath);
  const third = await spawnServe(args, env);
  try {
    for (let i = 0; i < 1200 && episodes().length < 2; i++) await sleep(100);
    assert.equal(episodes().length, 2, "a start without saved state alerts the ongoing episode");
  } finally {
    third.child.kill("SIGTERM");
    await assertStopped(third);
  }
});

test("the state file: cooldowns survive a restart, a delivery cut by the crash is made after it, a bad file is ignored", async () => {
  const path = join(dir, "unit.serve-state.json");
  const file = new StateFile(path);
  let clock = Date.parse("2026-06-01T10:00:00Z");
  const sent: string[] = [];
  let reachable = false;
  const sink: Sink = {
    name: "hook",
    async send(alert) {
      if (!reachable) throw new Error("down");
      sent.push(alert.id);
    },
  };
  const monitor = { episodes: [], listed: [], diagnoses: [] };
  const make = () => {
    const alerts: Alerts = new Alerts({
      sinks: [sink],
      cooldownMs: 60_000,
      dashboard: () => "http://127.0.0.1:8025",
      now: () => clock,
      retryDelaysMs: [60_000],
      onChange: () => file.save({ version: 1, alerts: alerts.snapshot(), monitor }),
    });
    return alerts;
  };
  const input = {
    kind: "deferral-storm",
    key: "deferral-storm:yahoo",
    provider: "yahoo",
    severity: "high" as const,
    title: "yahoo: deferral storm",
    numbers: { deferred: 500 },
    topCause: null,
  };
  const first = make();
  const alert = first.raise(input);
  assert.ok(alert);
  await first.settle();
  first.stop();
  assert.deepEqual(sent, [], "the sink was down: not delivered before the 'crash'");

  reachable = true;
  clock += 30_000;
  const second = make();
  const saved = new StateFile(path).load();
  assert.ok(saved);
  second.restore(saved.alerts);
  await second.settle();
  assert.deepEqual(sent, [alert.id], "the undelivered alert went out after the restart, with its id");
  assert.equal(second.raise(input), null, "still within the cooldown: not raised again");
  assert.deepEqual(
    second.openAlerts().map((a) => a.id),
    [alert.id],
  );
  clock += 31_000;
  assert.ok(second.raise(input), "after the cooldown it is raised again");

  writeFileSync(path, "{not json");
  const log: string[] = [];
  assert.equal(
    new StateFile(path).load((line) => log.push(line)),
    null,
  );
  assert.match(log.join("\n"), /not valid .*starting afresh/);
  assert.equal(readFileSync(path, "utf8"), "{not json", "left for inspection, replaced at the next save");
});
