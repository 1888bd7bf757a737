import { MEASURES, type MeasureId } from "../measures/index.ts";
import { round2 } from "./confidence.ts";
import type { StratifiedRatio } from "./stats.ts";
import type { CauseId, Evidence } from "./types.ts";

export function pct(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  const value = x * 100;
  return `${value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2)} %`;
}

export const fmtRatio = (x: number): string => (Number.isFinite(x) ? x.toFixed(x >= 10 ? 0 : 1) : "n/a");

export function fmtP(p: number): string {
  if (p < 1e-6) return "p < 1e-6";
  return p < 0.001 ? `p = ${p.toExponential(1)}` : `p = ${p.toFixed(3)}`;
}

const rateOf = (events: number, trials: number): number => (trials > 0 ? events / trials : Number.NaN);

/**
 * The standard evidence line of a contrast: "<metric> X in <segment> vs Y in <rest> (rate ratio R [lo–hi], p)".
 * `strata` says what the ratio was adjusted for.
 */
/**
 * Measure ids (the named measures of issue 10, src/measures) the diagnosis' numbers use, taken from the
 * measures catalog so an id cited in evidence is always one `docs/MEASURES.md` defines. A contrast counts
 * messages (`sent`) and those that ended in a policy bounce (`policy_bounced_message`); segments add theirs.
 */
export const MEASURE = {
  sent: MEASURES.sent.id,
  delivered: MEASURES.delivered.id,
  policyBounce: MEASURES.policy_bounce.id,
  policyBouncedMessage: MEASURES.policy_bounced_message.id,
  humanEngagement: MEASURES.human_engagement.id,
  engagementRate: MEASURES.engagement_rate.id,
  signupCohort: MEASURES.signup_cohort.id,
  dormant: MEASURES.dormant.id,
  unknownHistory: MEASURES.unknown_history.id,
  engagementTier: MEASURES.engagement_tier.id,
  spike: MEASURES.spike.id,
  sendSpike: MEASURES.send_spike.id,
  episode: MEASURES.episode.id,
  deferredAttempts: MEASURES.deferred_attempts.id,
  newAddress: MEASURES.new_address.id,
  hardBouncedMessage: MEASURES.hard_bounced_message.id,
} as const satisfies Record<string, MeasureId>;
const CONTRAST_MEASURES: MeasureId[] = [MEASURE.sent, MEASURE.policyBouncedMessage];

export function contrastEvidence(
  metric: string,
  segment: string,
  rest: string,
  ratio: StratifiedRatio,
  strata: string,
  measures: readonly MeasureId[] = [],
): Evidence {
  const value = rateOf(ratio.crude.a, ratio.crude.n1);
  const baseline = rateOf(ratio.crude.b, ratio.crude.n2);
  const test = strata
    ? `Mantel-Haenszel rate ratio stratified by ${strata}, 95 % CI; one-sided p`
    : "rate ratio, 95 % CI; Fisher's exact test, one-sided p";
  return {
    text:
      `Policy-bounce rate ${pct(value)} ${segment} vs ${pct(baseline)} ${rest} ` +
      `(rate ratio ${fmtRatio(ratio.ratio)} [${fmtRatio(ratio.low)}–${fmtRatio(ratio.high)}], ${fmtP(ratio.p)})`,
    metric,
    value: round6(value),
    baseline: round6(baseline),
    test,
    p: ratio.p,
    ratio: round2(ratio.ratio),
    ciLow: round2(ratio.low),
    ciHigh: round2(ratio.high),
    measures: [...new Set([...CONTRAST_MEASURES, ...measures])],
  };
}

export const round6 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : 0);

/** A hypothesis that does not apply to this data at all. */
export function notApplicable(id: CauseId, title: string, reason: string) {
  return {
    id,
    title,
    confidence: 0,
    passed: false,
    evidence: [{ text: reason }],
    actions: [],
    rulesOut: [],
    against: reason,
  };
}

/** "X % vs Y %" for the two sides of a contrast. */
export function ratesText(ratio: StratifiedRatio): string {
  return `${pct(rateOf(ratio.crude.a, ratio.crude.n1))} vs ${pct(rateOf(ratio.crude.b, ratio.crude.n2))}`;
}

/** Group cells by a key, keeping insertion order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
