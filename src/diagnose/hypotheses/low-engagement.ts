import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, groupBy, notApplicable, pct, ratesText } from "../evidence.ts";
import { splitCells } from "../facts.ts";
import { mantelHaenszel } from "../stats.ts";
import type { Cause, DiagnoseContext } from "../types.ts";

const TITLE = "Sustained low engagement / list-quality decline";

/**
 * Dormant recipients (no click or human open in 90 days) bounce more than engaged ones on ordinary days.
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
  const confidence = contrastConfidence({ ratio, excess: excessOf(ratio), totalPolicy });
  const passed = confidence >= PASS_THRESHOLD;
  const trend = dormantTrend(context);
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

function dormantTrend(context: DiagnoseContext): { first: number; last: number } {
  const days = context.days.filter((d) => d.sent > 0);
  const third = Math.max(1, Math.floor(days.length / 3));
  const share = (slice: typeof days) => {
    const sent = slice.reduce((s, d) => s + d.sent, 0);
    return sent ? slice.reduce((s, d) => s + d.dormant, 0) / sent : 0;
  };
  return { first: share(days.slice(0, third)), last: share(days.slice(-third)) };
}
