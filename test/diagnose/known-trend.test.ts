import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext } from "../../src/diagnose/context.ts";
import type { SendCell } from "../../src/diagnose/facts.ts";
import { cohortTrend, dormantTrend } from "../../src/diagnose/hypotheses/low-engagement.ts";
import { appleFacts, sendCell } from "../../testkit/diagnose-facts.ts";

/**
 * Issue 10 flaw 2: the dormant share's trend counts only recipients whose history can be judged. A
 * 180-day program of 1,000 messages a day: before day 90 nobody has been known for the 90-day window,
 * so the 60 % of recipients without a recent click or human open are `unknown_history`, not dormant; from
 * day 90 the known recipients' dormant share grows from 10 % to 30 %, beside a steady 20 % of new ones.
 */
const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);

function cells(): SendCell[] {
  const out: SendCell[] = [];
  const cell = (d: number, dormant: boolean, known: boolean, sent: number): SendCell =>
    sendCell({ day: day(d), dormant, known, sent });
  for (let d = 0; d < 180; d++) {
    if (d < 90) {
      out.push(cell(d, true, false, 600), cell(d, false, false, 400));
      continue;
    }
    const share = 0.1 + (0.2 * (d - 90)) / 89;
    out.push(
      cell(d, true, false, 200),
      cell(d, true, true, Math.round(800 * share)),
      cell(d, false, true, Math.round(800 * (1 - share))),
    );
  }
  return out;
}

const facts = appleFacts(cells());

test("the dormant-share trend counts known recipients only, from the day anyone can be known", () => {
  const trend = dormantTrend(buildContext(facts));
  assert.equal(trend.judged, true);
  assert.equal(trend.from, day(90));
  // Known recipients: ~13 % dormant in the first third of days 90–179, ~27 % in the last (a rise), where
  // the share of every recipient without recent engagement (unknown history included) reads 60 % → 42 %.
  assert.ok(trend.first > 0.1 && trend.first < 0.17, JSON.stringify(trend));
  assert.ok(trend.last > 0.23 && trend.last < 0.3, JSON.stringify(trend));
});

test("with fewer than three weeks of days after the engagement window, the dormant trend is not judged", () => {
  const short = { ...facts, cells: facts.cells.filter((c) => c.day < day(100)) };
  assert.equal(dormantTrend(buildContext(short)).judged, false);
});

test("engagement by signup cohort: later signups engaging less is read as a list-quality decline", () => {
  const cohorts = [
    { cohort: "2026-01", recipients: 4000, delivered: 40_000, engaged: 8000 },
    { cohort: "2026-02", recipients: 500, delivered: 3000, engaged: 250 },
    { cohort: "2026-03", recipients: 600, delivered: 2500, engaged: 180 },
  ];
  const trend = cohortTrend(buildContext({ ...facts, cohorts }))!;
  assert.equal(trend.declined, true);
  assert.ok(Math.abs(trend.first - 0.2) < 1e-9 && trend.later < 0.08, JSON.stringify(trend));
  // Newer signups as engaged as the old list: no decline.
  const healthy = cohorts.map((c, i) => (i === 0 ? c : { ...c, engaged: Math.round(c.delivered * 0.22) }));
  assert.equal(cohortTrend(buildContext({ ...facts, cohorts: healthy }))!.declined, false);
});
