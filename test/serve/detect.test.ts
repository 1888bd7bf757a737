import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { DETECT_DEFAULTS, detect, emptyHour, type HourRow, parseWarmupPlan } from "../../src/serve/detect.ts";
import { appleHour, sendgridService } from "../../testkit/serve.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-serve-detect-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const hour = (h: number) => new Date(Date.UTC(2026, 5, 1, h)).toISOString().replace(".000Z", "Z");
const row = (provider: string, h: number, fields: Partial<HourRow>): HourRow => ({
  ...emptyHour(provider, hour(h)),
  sent: 1000,
  delivered: 1000,
  ...fields,
});

describe("detect (pure)", () => {
  const now = `${hour(10).slice(0, 13)}:42:00Z`;
  const quiet = (provider: string) => Array.from({ length: 10 }, (_, h) => row(provider, h, { policy: 1 }));

  test("a policy-bounce hour far above the provider's baseline opens an episode; a quiet one does not", () => {
    const hot = [...quiet("apple"), row("apple", 10, { sent: 400, policy: 40, topCode: "CS01" })];
    const { findings } = detect(now, hot);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.provider, f.numbers.policyBounces, f.numbers.topCode]),
      [["policy-episode", "apple", 40, "CS01"]],
    );
    const calm = [...quiet("apple"), row("apple", 10, { sent: 400, policy: 1 })];
    assert.deepEqual(detect(now, calm).findings, []);
  });

  test("complaints: not observable at Gmail and Apple, never 0 %; Yahoo against the 0.1 % / 0.3 % lines", () => {
    const rows = [
      ...quiet("google"),
      ...quiet("yahoo").map((r) => ({ ...r, complaints: 4 })),
      ...quiet("microsoft").map((r) => ({ ...r, complaints: 1 })),
    ];
    const { views, findings } = detect(now, rows);
    assert.equal(views.find((v) => v.provider === "google")?.complaintRate, "not observable");
    assert.equal(views.find((v) => v.provider === "microsoft")?.complaintRate, 0.001);
    const kinds = findings.map((f) => [f.provider, f.severity, f.numbers.line]);
    assert.deepEqual(kinds, [
      ["microsoft", "high", 0.001],
      ["yahoo", "critical", 0.003],
    ]);
  });

  test("a deferral storm and a pace above the warm-up plan", () => {
    const rows = [...quiet("yahoo"), row("yahoo", 10, { sent: 800, delivered: 300, deferred: 500 })];
    const plan = parseWarmupPlan(
      `date,provider,tier,max_messages\n2026-06-01,yahoo,0-30,5000\n2026-06-01,yahoo,31-90,1000\n`,
    );
    const { findings } = detect(now, rows, DETECT_DEFAULTS, plan);
    assert.deepEqual(
      findings.map((f) => f.kind),
      ["deferral-storm", "warmup-exceeded"],
    );
    const warm = findings.find((f) => f.kind === "warmup-exceeded");
    assert.equal(warm?.numbers.planned, 6000);
    assert.equal(warm?.severity, "critical", "10,800 sent today is over the plan, not just on pace");
    assert.throws(() => parseWarmupPlan("a,b\n"), /not a warm-up plan/);
  });
});

test("an episode injected into the live stream raises its alert, with the diagnosis' top cause, within 2 detection intervals", {
  timeout: 120_000,
}, async () => {
  const { service, post: signedPost } = await sendgridService(join(dir, "live.duckdb"), {
    drainIntervalMs: 50,
    detectIntervalMs: 400,
  });
  const post = async (events: object[]) => assert.equal(await signedPost(events), 200);
  try {
    const start = 1_780_000_000 - (1_780_000_000 % 3600);
    for (let h = 0; h < 6; h++) await post(appleHour(start + h * 3600, 100, h === 2 ? 1 : 0, `base${h}`));
    await service.intake.drain();
    const calm = service.monitor.state.checks;
    while (service.monitor.state.checks < calm + 2) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(service.alerts.openAlerts().length, 0, "a quiet program raises nothing");

    await post(appleHour(start + 6 * 3600, 60, 30, "burst"));
    await service.intake.drain();
    const injected = service.monitor.state.checks;
    let alert = service.alerts.openAlerts().find((a) => a.kind === "policy-episode");
    while (!alert && service.monitor.state.checks <= injected + 3) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      alert = service.alerts.openAlerts().find((a) => a.kind === "policy-episode");
    }
    assert.ok(alert, "the episode raised an alert");
    assert.ok(
      service.monitor.state.checks - injected <= 2,
      `within 2 intervals (${service.monitor.state.checks - injected})`,
    );
    assert.equal(alert.provider, "apple");
    assert.equal(alert.numbers.policyBounces, 30);
    assert.equal(alert.numbers.topCode, "CS01");
    assert.ok(alert.topCause?.title, "the diagnosis' top cause is in the alert");
    assert.match(alert.link, /\/#provider-apple$/);
  } finally {
    await service.close();
  }
});
