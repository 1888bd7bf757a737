import assert from "node:assert/strict";
import { test } from "node:test";
import { PROVIDER_WARMUP, planCsv, WARMUP_TIERS, warmupPlan } from "../../src/diagnose/warmup.ts";

const tiers = [
  { tier: "0-30", recipients: 3000 },
  { tier: "31-90", recipients: 5000 },
  { tier: "91-180", recipients: 4000 },
  { tier: "181-365", recipients: 9000 },
  { tier: "365+", recipients: 9000 },
  { tier: "never", recipients: 2000 },
];

test("warm-up grows by the documented factor, most engaged tiers first, until the target", () => {
  const plan = warmupPlan("apple", 10_000, tiers, "2026-09-01");
  const byDate = new Map<string, { tier: string; max_messages: number }[]>();
  for (const row of plan.rows) byDate.set(row.date, [...(byDate.get(row.date) ?? []), row]);
  const totals = [...byDate.values()].map((rows) => rows.reduce((s, r) => s + r.max_messages, 0));
  assert.equal(totals[0], 200, "day one: the 200-message floor (2 % of 10,000 is 200)");
  assert.equal(totals.at(-1), 10_000);
  for (let i = 1; i < totals.length; i++) assert.ok(totals[i] <= Math.ceil(totals[i - 1] * 1.4) + 1);
  for (const rows of byDate.values()) {
    const order = rows.map((r) => WARMUP_TIERS.indexOf(r.tier as (typeof WARMUP_TIERS)[number]));
    assert.ok(
      order.every((o) => o >= 0),
      "dormant tiers are never scheduled",
    );
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    // A later tier only appears once the earlier ones are full.
    for (const r of rows.slice(0, -1)) {
      assert.equal(r.max_messages, tiers.find((t) => t.tier === r.tier)!.recipients);
    }
  }
  assert.equal([...byDate.keys()][0], "2026-09-01");
});

test("the plan is capped at the engaged recipients and writes the documented CSV columns", () => {
  const plan = warmupPlan("apple", 1_000_000, tiers, "2026-09-01");
  assert.equal(plan.eligible, 12_000);
  const csv = planCsv(plan).trim().split("\n");
  assert.equal(csv[0], "date,provider,tier,max_messages");
  assert.match(csv[1], /^2026-09-01,apple,0-30,\d+$/);
  const lastDay = csv.at(-1)!.split(",")[0];
  const total = csv.filter((l) => l.startsWith(lastDay)).reduce((s, l) => s + Number(l.split(",")[3]), 0);
  assert.equal(total, 12_000);
});

test("every provider setting has a source and a growth of at most +50 % a day", () => {
  for (const setting of PROVIDER_WARMUP) {
    assert.ok(setting.source.length > 10);
    assert.ok(setting.growth > 1 && setting.growth <= 1.5);
  }
  assert.equal(PROVIDER_WARMUP.at(-1)!.provider, "*");
});
