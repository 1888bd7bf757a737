import { spikesOf } from "../analytics-bridge.ts";
import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, notApplicable, pct, ratesText } from "../evidence.ts";
import { splitCells } from "../facts.ts";
import { crudeRatio } from "../stats.ts";
import type { Cause, DiagnoseContext } from "../types.ts";

const TITLE = "Volume spike to less-engaged recipients";

/**
 * Policy bounces concentrated on spike days. The rate ratio is crude on purpose: pulling in
 * less-engaged recipients is the mechanism this hypothesis names, so it is not adjusted away; the
 * composition is reported beside it, and a sustained engagement effect is low-engagement's to claim.
 */
export function volumeSpike(context: DiagnoseContext): Cause {
  const { facts, spikeDays, totalPolicy } = context;
  if (spikeDays.size === 0) {
    return notApplicable(
      "volume-spike",
      TITLE,
      "No volume spike: no day exceeded 1.5× both its trailing 28-day and same-weekday baselines (and 3 MADs)",
    );
  }
  const onSpike = (cell: { day: string }) => spikeDays.has(cell.day);
  // Campaigns another cause already explains (content) do not count for or against the spike.
  const explained = context.explainedCampaigns ?? new Set<string>();
  const ratio = crudeRatio(
    splitCells(
      facts.cells.filter((c) => !explained.has(c.campaign)),
      onSpike,
    ),
  );
  const composition = dormantShare(context, onSpike);
  const spikes = spikesOf(facts.provider, context.days);
  const otherDays = context.days.filter((d) => d.sent > 0 && !spikeDays.has(d.day)).length;
  let confidence = contrastConfidence({ ratio, excess: excessOf(ratio), totalPolicy });
  // A spike whose audience was no less engaged than usual is a weaker explanation.
  if (composition.spike <= composition.other) confidence = Math.round(confidence * 80) / 100;
  const passed = confidence >= PASS_THRESHOLD;
  const spikeText = spikes
    .slice(0, 5)
    .map(
      (s) =>
        `${s.day}: ${s.sent.toLocaleString("en-US")} vs baseline ${Math.round(Math.max(s.baseline, s.weekdayBaseline)).toLocaleString("en-US")}`,
    )
    .join("; ");
  return {
    id: "volume-spike",
    title: TITLE,
    confidence,
    passed,
    subjects: spikes.map((s) => s.day),
    evidence: [
      contrastEvidence(
        "policy_bounce_rate_spike_days",
        `on the ${spikeDays.size} spike days`,
        `on the other ${otherDays} sending days`,
        ratio,
        "",
      ),
      {
        text:
          `${pct(composition.spike)} of recipients on spike days had no click or human open in the previous 90 days ` +
          `vs ${pct(composition.other)} on other days`,
        metric: "dormant_share_spike_days",
        value: round4(composition.spike),
        baseline: round4(composition.other),
      },
      { text: `Spike days (volume vs trailing baseline): ${spikeText}` },
    ],
    actions: [
      "Stop sending to recipients with no click or human open in 90+ days from the marketing stream (see the suppression segment)",
      "Return to full volume with the warm-up plan (`deliverlens plan --target N`): most engaged tiers first",
      "Cap day-over-day volume increases to Apple at +50 % of the previous comparable send",
    ],
    rulesOut: [],
    against: passed
      ? undefined
      : `Spike days do not explain the bounces: policy-bounce rate ${ratesText(ratio)} on other days`,
  };
}

function dormantShare(context: DiagnoseContext, inSegment: (cell: { day: string }) => boolean) {
  const sums = { spike: 0, spikeDormant: 0, other: 0, otherDormant: 0 };
  for (const cell of context.facts.cells) {
    if (inSegment(cell)) {
      sums.spike += cell.sent;
      if (cell.dormant) sums.spikeDormant += cell.sent;
    } else {
      sums.other += cell.sent;
      if (cell.dormant) sums.otherDormant += cell.sent;
    }
  }
  return {
    spike: sums.spike ? sums.spikeDormant / sums.spike : 0,
    other: sums.other ? sums.otherDormant / sums.other : 0,
  };
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
