import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, groupBy, notApplicable, pct, ratesText } from "../evidence.ts";
import { type SendCell, splitCells } from "../facts.ts";
import { mantelHaenszel, type StratifiedRatio } from "../stats.ts";
import type { Cause, DiagnoseContext } from "../types.ts";

const TITLE = "Sustained low engagement / list-quality decline";

/**
 * Dormant recipients (no click or human open in 90 days) bounce more than engaged ones on ordinary days,
 * or (see declineContrast) the whole list bounces more as its dormant share grows.
 * Spike days are left out (they belong to volume-spike) and the ratio is stratified by day, so a bad day
 * or a bad campaign does not pass for an engagement effect.
 */
export function lowEngagement(context: DiagnoseContext): Cause {
  const { facts, spikeDays, totalPolicy } = context;
  const ordinary = facts.cells.filter((cell) => !spikeDays.has(cell.day));
  const dormantSent = ordinary.reduce((sum, c) => sum + (c.dormant ? c.sent : 0), 0);
  if (dormantSent === 0) {
    return notApplicable("low-engagement", TITLE, "No mail went to dormant recipients outside spike days");
  }
  const strata = [...groupBy(ordinary, (c) => c.day).values()].map((cells) =>
    splitCells(cells, (c) => c.dormant),
  );
  const ratio = mantelHaenszel(strata);
  const trend = dormantTrend(context);
  const decline = declineContrast(context, ordinary);
  const confidence = Math.max(
    contrastConfidence({ ratio, excess: excessOf(ratio), totalPolicy }),
    trend.last >= DORMANT_RISE * trend.first
      ? Math.round(
          contrastConfidence({ ratio: decline, excess: excessOf(decline), totalPolicy }) * TREND_WEIGHT * 100,
        ) / 100
      : 0,
  );
  const passed = confidence >= PASS_THRESHOLD;
  return {
    id: "low-engagement",
    title: TITLE,
    confidence,
    passed,
    evidence: [
      contrastEvidence(
        "policy_bounce_rate_dormant",
        "to recipients with no click or human open in 90 days",
        "to engaged recipients",
        ratio,
        "day (spike days excluded)",
      ),
      contrastEvidence(
        "policy_bounce_rate_last_third",
        "in the last third of the period",
        "in the first third",
        decline,
        "engagement (spike days and campaigns explained by content excluded)",
      ),
      {
        text: `Dormant share of recipients: ${pct(trend.first)} in the first third of the period, ${pct(trend.last)} in the last third`,
        metric: "dormant_share_trend",
        value: Math.round(trend.last * 10_000) / 10_000,
        baseline: Math.round(trend.first * 10_000) / 10_000,
      },
    ],
    actions: [
      "Apply a sunset policy: stop marketing mail to recipients with no click or human open in 180 days (opens at Apple are unreliable: Mail Privacy Protection)",
      "Run the re-engagement plan for the 91–180-day tier before sunsetting it",
      "Suppress the segment exported with `deliverlens hygiene --export`; never reactivate suppressed addresses (Apple postmaster page)",
    ],
    rulesOut: [],
    against: passed
      ? undefined
      : `Dormant recipients bounce about as often as engaged ones (${ratesText(ratio)})`,
  };
}

/**
 * The second reading of a list-quality decline: the whole list bouncing more as it goes dormant (domain
 * reputation), not only the dormant recipients. It counts when the dormant share rose by DORMANT_RISE or
 * more, at TREND_WEIGHT, since other causes that start mid-period also raise the late rate.
 */
const DORMANT_RISE = 1.25;
const TREND_WEIGHT = 0.8;

function declineContrast(context: DiagnoseContext, ordinary: readonly SendCell[]): StratifiedRatio {
  const days = [...new Set(ordinary.map((c) => c.day))].sort();
  const third = Math.max(1, Math.floor(days.length / 3));
  const first = new Set(days.slice(0, third));
  const last = new Set(days.slice(-third));
  const explained = context.explainedCampaigns ?? new Set<string>();
  const windows = ordinary.filter((c) => (first.has(c.day) || last.has(c.day)) && !explained.has(c.campaign));
  return mantelHaenszel(
    [true, false].map((dormant) =>
      splitCells(
        windows.filter((c) => c.dormant === dormant),
        (c) => last.has(c.day),
      ),
    ),
  );
}

function dormantTrend(context: DiagnoseContext): { first: number; last: number } {
  const days = context.days.filter((d) => d.sent > 0);
  const third = Math.max(1, Math.floor(days.length / 3));
  const share = (slice: typeof days) => {
    const sent = slice.reduce((s, d) => s + d.sent, 0);
    return sent ? slice.reduce((s, d) => s + d.dormant, 0) / sent : 0;
  };
  return { first: share(days.slice(0, third)), last: share(days.slice(-third)) };
}
