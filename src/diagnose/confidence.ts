import type { StratifiedRatio } from "./stats.ts";

/**
 * Confidence of a hypothesis from its main contrast (docs/DIAGNOSE.md "Confidence"):
 *   gate:        at least MIN_EVENTS policy bounces in the segment, one-sided p ≤ MAX_P and the lower 95 %
 *                bound of the rate ratio ≥ MIN_RATIO_LOW; otherwise 0;
 *   coverage:    excess policy bounces in the segment / all policy bounces (how much it explains);
 *   effect:      ln(lower bound) / ln(10), capped at 1 (a tenfold rate is as strong as it gets);
 *   significance (−log10 p − 3) / 5, capped at 1 (p = 1e-8 → 1).
 *   confidence = 0.4·coverage + 0.35·effect + 0.25·significance.
 */
export const MIN_EVENTS = 8;
export const MAX_P = 0.001;
export const MIN_RATIO_LOW = 1.5;
/** A cause is reported as found when its confidence reaches this. */
export const PASS_THRESHOLD = 0.35;

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

export interface ContrastScore {
  ratio: StratifiedRatio;
  /** Policy bounces in the segment above what the comparison rate predicts. */
  excess: number;
  totalPolicy: number;
}

export function passesGate({ ratio }: ContrastScore): boolean {
  return ratio.crude.a >= MIN_EVENTS && ratio.p <= MAX_P && ratio.low >= MIN_RATIO_LOW;
}

export function contrastConfidence(score: ContrastScore): number {
  if (!passesGate(score)) return 0;
  const coverage = clamp01(score.excess / Math.max(1, score.totalPolicy));
  const effect = clamp01(Math.log(score.ratio.low) / Math.log(10));
  const significance = clamp01((-Math.log10(Math.max(score.ratio.p, 1e-300)) - 3) / 5);
  return round2(0.4 * coverage + 0.35 * effect + 0.25 * significance);
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Excess events in the segment: observed minus the segment's size at the comparison rate. */
export function excessOf(ratio: StratifiedRatio): number {
  const { a, n1, b, n2 } = ratio.crude;
  return Math.max(0, a - (n2 > 0 ? (n1 * b) / n2 : 0));
}
