import { spikesOf } from "../analytics-bridge.ts";
import { contrastConfidence, excessOf, PASS_THRESHOLD, round2 } from "../confidence.ts";
import { contrastEvidence, fmtP, MEASURE, notApplicable, pct, ratesText } from "../evidence.ts";
import { splitCells } from "../facts.ts";
import type { SpikeAudience } from "../spike-audience.ts";
import { crudeRatio } from "../stats.ts";
import type { Cause, DiagnoseContext, Evidence } from "../types.ts";

const TITLE = "Volume spike to less-engaged recipients";
/** Confidence kept when the spikes' audience was not less engaged than usual: never enough to pass. */
const UNSUPPORTED_WEIGHT = 0.3;

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
      "No volume spike: no day exceeded 1.5× (and 3 MADs) the program's typical send size, its trailing 28-day daily volume and its same-weekday volume, and no campaign's send 1.5× the program's usual largest send",
    );
  }
  const audience = context.spikeAudience;
  // The spikes whose own audience was worse than usual (less engaged, or a list never mailed before) are
  // the ones this hypothesis is about; a spike to the usual audience counts as an ordinary day, unless no
  // spike had such an audience.
  const judged = audience.supported ? audience.supportedDays : spikeDays;
  const onSpike = (cell: { day: string }) => judged.has(cell.day);
  // Campaigns another cause already explains (content) do not count for or against the spike.
  const explained = context.explainedCampaigns ?? new Set<string>();
  const ratio = crudeRatio(
    splitCells(
      facts.cells.filter((c) => !explained.has(c.campaign)),
      onSpike,
    ),
  );
  const spikes = spikesOf(facts.provider, context.days);
  const otherDays = context.days.filter((d) => d.sent > 0 && !judged.has(d.day)).length;
  // Supported spikes, and the days right after them that carried on to the same audience (spike-audience.ts).
  const judgedSpikes = [...judged].filter((day) => spikeDays.has(day)).length;
  const carried = judged.size - judgedSpikes;
  const some = judgedSpikes < spikeDays.size || carried > 0;
  const contrast = contrastConfidence({ ratio, excess: excessOf(ratio), totalPolicy });
  // The hypothesis is "a burst of mail to recipients who do not engage": without a worse audience the
  // bounces on those days are some other cause's (content, a window of deferrals…), so it cannot pass.
  const confidence = audience.supported ? contrast : Math.round(contrast * UNSUPPORTED_WEIGHT * 100) / 100;
  const passed = confidence >= PASS_THRESHOLD;
  const spikeText = spikes
    .slice(0, 5)
    .map(
      (s) =>
        `${s.day}: ${s.sent.toLocaleString("en-US")} vs baseline ${Math.round(Math.max(s.baseline, s.sendSize, s.weekdayBaseline)).toLocaleString("en-US")}`,
    )
    .join("; ");
  const sends = (context.sendSpikes ?? []).filter((s) => !spikes.some((d) => d.day === s.day));
  const sendText = sends
    .slice(0, 5)
    .map(
      (s) =>
        `${s.campaign} on ${s.day}: ${s.sent.toLocaleString("en-US")} messages vs ${s.usual.toLocaleString("en-US")} in the usual largest send`,
    )
    .join("; ");
  return {
    id: "volume-spike",
    title: TITLE,
    confidence,
    passed,
    subjects: [...spikeDays].sort(),
    evidence: [
      contrastEvidence(
        "policy_bounce_rate_spike_days",
        (judgedSpikes < spikeDays.size
          ? `on the ${judgedSpikes} of ${spikeDays.size} spike days whose audience was worse than usual`
          : `on the ${spikeDays.size} spike days`) +
          (carried > 0
            ? ` and the ${carried === 1 ? "day" : `${carried} days`} right after them that reached the same audience`
            : ""),
        `on the other ${otherDays} sending days`,
        ratio,
        "",
        [MEASURE.spike],
      ),
      {
        text:
          `${pct(audience.spike)} of recipients on ${some ? "those" : "spike"} days had no click or human open in the previous 90 days ` +
          `vs ${pct(audience.baseline)} on the other days of the 4 weeks before them` +
          (audience.supported ? "" : ": the spikes' audience was not less engaged than usual"),
        metric: "dormant_share_spike_days",
        value: round4(audience.spike),
        baseline: round4(audience.baseline),
        ratio: round2(audience.ratio.ratio),
        ciLow: round2(audience.ratio.low),
        ciHigh: round2(audience.ratio.high),
        measures: [MEASURE.spike, MEASURE.sent, MEASURE.dormant],
      },
      newListEvidence(audience, some),
      ...(spikeText
        ? [
            {
              text: `Spike days (volume vs the usual send size and trailing baselines): ${spikeText}`,
              measures: [MEASURE.spike, MEASURE.sent],
            },
          ]
        : []),
      ...(sendText
        ? [
            {
              text: `Send spikes (one campaign's send vs the largest the program regularly sends in one go, trailing 28 days): ${sendText}`,
              measures: [MEASURE.sendSpike, MEASURE.sent],
            },
          ]
        : []),
    ],
    actions: [
      "Stop sending to recipients with no click or human open in 90+ days from the marketing stream (see the suppression segment)",
      "Return to full volume with the warm-up plan (`deliverlens plan --target N`): most engaged tiers first",
      "Cap day-over-day volume increases to Apple at +50 % of the previous comparable send",
    ],
    rulesOut: [],
    against: passed
      ? undefined
      : audience.supported || contrast < PASS_THRESHOLD
        ? `Spike days do not explain the bounces: policy-bounce rate ${ratesText(ratio)} on other days`
        : `The spikes' audience was neither less engaged than usual (${pct(audience.spike)} dormant vs ${pct(audience.baseline)}) nor a new list (${pct(audience.newList.share)} new addresses vs ${pct(audience.newList.baseline)}), so their bounces point elsewhere`,
  };
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/**
 * The second reading of a worse audience: a list the program never mailed (measure `new_address`) with
 * the hard-bounce burst of old or unvetted addresses (measure `hard_bounced_message`).
 */
function newListEvidence(audience: SpikeAudience, some: boolean): Evidence {
  const { share, baseline, ratio, hard } = audience.newList;
  const days = some ? "those" : "spike";
  const found = audience.newListDays.size > 0;
  return {
    text:
      `${pct(share)} of the messages on ${days} days went to addresses first mailed that day vs ${pct(baseline)} on the other days of the 4 weeks before them; ` +
      `${pct(hard.crude.n1 ? hard.crude.a / hard.crude.n1 : 0)} of ${days === "spike" ? "the spike days'" : "those days'"} messages hard-bounced (address unknown) vs ${pct(hard.crude.n2 ? hard.crude.b / hard.crude.n2 : 0)} (${fmtP(hard.p)})` +
      (found ? ": a list never mailed before (an import or an old list)" : ""),
    metric: "new_address_share_spike_days",
    value: round4(share),
    baseline: round4(baseline),
    ratio: round2(ratio.ratio),
    ciLow: round2(ratio.low),
    ciHigh: round2(ratio.high),
    test: "Fisher's exact test on the hard-bounce rate",
    p: hard.p,
    measures: [MEASURE.spike, MEASURE.sent, MEASURE.newAddress, MEASURE.hardBouncedMessage],
  };
}
