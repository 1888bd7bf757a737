import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext } from "../../src/diagnose/context.ts";
import { diagnoseContext } from "../../src/diagnose/engine.ts";
import type { Facts, ReplyGroup, SendCell } from "../../src/diagnose/facts.ts";
import { signalOf, TEXT_SIGNALS } from "../../src/diagnose/text-signals.ts";

function facts(cells: SendCell[], replies: ReplyGroup[] = []): Facts {
  return {
    provider: "apple",
    asOf: "2026-03-31T00:00:00.000Z",
    cells,
    replies,
    tiers: [],
    sendingDomains: ["news.example.com"],
  };
}

/** 60 days, two campaigns a day on two IPs, a uniform policy-bounce rate of `perMille` ‰. */
function program(perMille: number, tweak: (cell: SendCell) => SendCell = (c) => c): SendCell[] {
  const cells: SendCell[] = [];
  for (let d = 0; d < 60; d++) {
    const day = new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    for (const campaign of [`a-${d}`, `b-${d}`]) {
      for (const ip of ["192.0.2.1", "192.0.2.2"]) {
        for (const dormant of [false, true]) {
          const sent = 500;
          cells.push(
            tweak({
              day,
              campaign,
              ip,
              pool: ip === "192.0.2.1" ? "shared" : "dedicated",
              dormant,
              sent,
              policy: Math.round((sent * perMille) / 1000),
              deferred: 10,
              policyDeferred: 0,
              rateDeferred: 0,
              policyRateDeferred: 0,
            }),
          );
        }
      }
    }
  }
  return cells;
}

test("a uniform program has no cause: insufficient-evidence comes first", () => {
  const result = diagnoseContext(buildContext(facts(program(2))));
  assert.equal(result.causes[0].id, "insufficient-evidence");
  assert.ok(result.causes.slice(1).every((c) => !c.passed));
});

test("too few policy bounces: insufficient-evidence with confidence 1, even with a big contrast", () => {
  const cells = program(0, (c) =>
    c.ip === "192.0.2.1" && c.day === "2026-01-05" && c.campaign.startsWith("a") && !c.dormant
      ? { ...c, policy: 10 }
      : c,
  );
  const result = diagnoseContext(buildContext(facts(cells)));
  assert.equal(result.causes[0].id, "insufficient-evidence");
  assert.equal(result.causes[0].confidence, 1);
});

test("one bad IP is ranked first, with its rate ratio and a p-value as evidence", () => {
  const cells = program(2, (c) => (c.ip === "192.0.2.2" ? { ...c, policy: 12 } : c));
  const result = diagnoseContext(buildContext(facts(cells)));
  const top = result.causes[0];
  assert.equal(top.id, "ip-reputation");
  assert.ok(top.passed && top.confidence > 0.5);
  assert.equal(top.subjects?.length, 1);
  assert.match(top.evidence[0].text, /192\.0\.2\.2|dedicated/);
  const main = top.evidence[0];
  assert.ok(main.ratio! > 4 && main.ciLow! > 3 && main.p! < 1e-6, JSON.stringify(main));
  assert.match(main.test!, /Mantel-Haenszel/);
  assert.ok(top.rulesOut.some((r) => r.startsWith("content:")));
});

test("dormant recipients bouncing on ordinary days is low-engagement, not a campaign or IP", () => {
  const cells = program(1, (c) => (c.dormant ? { ...c, policy: 10 } : c));
  const result = diagnoseContext(buildContext(facts(cells)));
  assert.equal(result.causes[0].id, "low-engagement");
});

test("deferred messages that end in policy bounces point at rate limits", () => {
  const cells = program(1, (c) => ({
    ...c,
    deferred: 50,
    policy: c.policy + 8,
    policyDeferred: 8,
    rateDeferred: 50,
    policyRateDeferred: 8,
  }));
  const result = diagnoseContext(buildContext(facts(cells)));
  assert.equal(result.causes[0].id, "rate-limit");
});

test("bounce texts citing Spamhaus DBL make blocklist the cause", () => {
  const replies: ReplyGroup[] = [
    {
      type: "bounced",
      category: "blocklist",
      providerCode: null,
      status: "5.7.1",
      replyCode: 550,
      reply: TEXT_SIGNALS[0].example,
      count: 400,
      firstSeen: "2026-02-01T10:00:00.000Z",
      lastSeen: "2026-03-01T10:00:00.000Z",
      ips: ["192.0.2.1"],
    },
  ];
  const cells = program(1);
  cells[100] = { ...cells[100], policy: cells[100].policy + 400 };
  const result = diagnoseContext(buildContext(facts(cells, replies)));
  assert.equal(result.causes[0].id, "blocklist");
  assert.ok(result.causes[0].actions.some((a) => a.includes("spamhaus")));
});

test("every text signal's example matches its own entry and no earlier one", () => {
  for (const signal of TEXT_SIGNALS) {
    assert.equal(signalOf(signal.example, "unknown")?.id, signal.id, signal.example);
    assert.ok(signal.source.length > 0);
  }
  assert.equal(signalOf("550 5.7.1 [CS01] Message rejected due to local policy", "reputation"), null);
});

test("the whole list bouncing more as it goes dormant is low-engagement (the decline reading)", () => {
  const cells = program(1, (c) => {
    const late = c.day >= "2026-02-10";
    const sent = c.dormant ? (late ? 900 : 200) : late ? 300 : 800;
    return { ...c, sent, policy: Math.round((sent * (late ? 8 : 1)) / 1000) };
  });
  const result = diagnoseContext(buildContext(facts(cells)));
  assert.equal(result.causes[0].id, "low-engagement");
  assert.ok(
    result.causes[0].evidence.some((e) => e.metric === "policy_bounce_rate_last_third" && e.ratio! > 4),
  );
});

test("policy bounces on days under rate-limit pressure point at rate limits even without message links", () => {
  const heavy = (day: string) => day >= "2026-02-05" && day <= "2026-02-12";
  const cells = program(1, (c) =>
    heavy(c.day) ? { ...c, rateDeferred: 100, policy: c.policy + 6 } : { ...c, rateDeferred: 2 },
  );
  const result = diagnoseContext(buildContext(facts(cells)));
  assert.equal(result.causes[0].id, "rate-limit");
  assert.ok(result.causes[0].evidence.some((e) => e.metric === "policy_bounce_rate_rate_limit_days"));
});
