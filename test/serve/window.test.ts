import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { recentWindow } from "../../src/serve/monitor.ts";
import { appleHour, sendgridService } from "../../testkit/serve.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-serve-window-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SBL =
  "550 5.7.1 Mail from IP 192.0.2.10 was rejected due to listing in Spamhaus SBL. For details please see http://www.spamhaus.org/query/bl?ip=192.0.2.10";
const HME1 = "554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks";

test("recentWindow: whole UTC days ending on the episode's day", () => {
  assert.deepEqual(recentWindow("2026-06-14T03:00:00Z", 14), { from: "2026-06-01", to: "2026-06-14" });
  assert.deepEqual(recentWindow("2026-03-01T23:00:00Z", 1), { from: "2026-03-01", to: "2026-03-01" });
});

test("an episode's alert carries the diagnosis of the recent window, not an older, different problem", {
  timeout: 120_000,
}, async () => {
  const { service, post: signedPost } = await sendgridService(join(dir, "w.duckdb"), {
    drainIntervalMs: 50,
    detectIntervalMs: 3_600_000,
  });
  const post = async (events: object[]) => assert.equal(await signedPost(events), 200);
  try {
    const day = 1_780_000_000 - (1_780_000_000 % 86_400);
    // 40 days earlier: a Spamhaus listing (blocklist), worse than anything recent.
    const old = day - 40 * 86_400;
    for (let h = 0; h < 12; h++)
      await post(appleHour(old + h * 3600, 100, h >= 6 && h < 9 ? 60 : 0, `old${h}`, "spring", SBL));
    // Today: a quiet morning, then Apple refuses for failed authentication.
    for (let h = 0; h < 6; h++) await post(appleHour(day + h * 3600, 100, 0, `base${h}`));
    await post(appleHour(day + 6 * 3600, 60, 30, "burst", "summer", HME1));
    await service.monitor.check();

    const alert = service.alerts.openAlerts().find((a) => a.kind === "policy-episode");
    assert.ok(alert, "the episode raised an alert");
    const today = new Date(day * 1000).toISOString().slice(0, 10);
    const from = new Date((day - 13 * 86_400) * 1000).toISOString().slice(0, 10);
    assert.deepEqual(
      [alert.topCause?.id, alert.topCause?.from, alert.topCause?.to],
      ["authentication", from, today],
    );
    // The control: over the whole store the older listing would have been the cause.
    const whole = await service.monitor.diagnose("apple");
    assert.equal(whole[0]?.id, "blocklist");
  } finally {
    await service.close();
  }
});
