/**
 * The statistics behind every hypothesis: rate ratios with 95 % intervals (log method), Fisher's exact
 * test (one-sided, "the segment is worse"), the Mantel-Haenszel rate ratio over strata, and robust
 * location/scale (median, MAD). docs/DIAGNOSE.md explains how they are used.
 */

const Z95 = 1.959963984540054;

/** A 2×2 contrast: `a` events out of `n1` in the segment, `b` out of `n2` elsewhere. */
export interface Contrast {
  a: number;
  n1: number;
  b: number;
  n2: number;
}

export interface RateRatio {
  ratio: number;
  low: number;
  high: number;
}

/** Crude rate ratio with a 95 % interval on the log scale; 0.5 is added to empty cells (Haldane). */
export function rateRatio({ a, n1, b, n2 }: Contrast): RateRatio {
  if (n1 <= 0 || n2 <= 0) return { ratio: Number.NaN, low: Number.NaN, high: Number.NaN };
  const fix = a === 0 || b === 0 ? 0.5 : 0;
  const aa = a + fix;
  const bb = b + fix;
  const ratio = aa / n1 / (bb / n2);
  const se = Math.sqrt(Math.max(0, 1 / aa - 1 / (n1 + fix) + 1 / bb - 1 / (n2 + fix)));
  return { ratio, low: ratio * Math.exp(-Z95 * se), high: ratio * Math.exp(Z95 * se) };
}

/** log Γ(x) by the Lanczos approximation (g = 7, n = 9); accurate to ~15 digits for x > 0. */
export function logGamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const logChoose = (n: number, k: number): number => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Fisher's exact test, one-sided: P(X ≥ a) for the hypergeometric law of the segment's count given the
 * margins. Summed term by term with the pmf recurrence, so it stays exact and fast for large tables.
 */
export function fisherGreater({ a, n1, b, n2 }: Contrast): number {
  const total = n1 + n2;
  const events = a + b;
  if (n1 <= 0 || n2 <= 0 || events === 0) return 1;
  const maxX = Math.min(events, n1);
  const logNorm = logChoose(total, n1);
  let logPmf = logChoose(events, a) + logChoose(total - events, n1 - a) - logNorm;
  let pmf = Math.exp(logPmf);
  let sum = 0;
  for (let x = a; x <= maxX; x++) {
    sum += pmf;
    if (pmf < sum * 1e-17) break;
    const next = ((events - x) * (n1 - x)) / ((x + 1) * (total - events - n1 + x + 1));
    if (!(next > 0)) break;
    logPmf += Math.log(next);
    pmf = Math.exp(logPmf);
  }
  return Math.min(1, Math.max(sum, Number.MIN_VALUE));
}

export interface StratifiedRatio extends RateRatio {
  /** One-sided p-value of the Mantel-Haenszel estimate (normal approximation on log RR). */
  p: number;
  /** Events and trials summed over the strata, for display. */
  crude: Contrast;
}

/**
 * Mantel-Haenszel rate ratio across strata (e.g. days, engagement groups), with the Greenland-Robins
 * variance. Strata where either side is empty carry no information and drop out.
 */
export function mantelHaenszel(strata: readonly Contrast[]): StratifiedRatio {
  let r = 0;
  let s = 0;
  let v = 0;
  const crude: Contrast = { a: 0, n1: 0, b: 0, n2: 0 };
  for (const { a, n1, b, n2 } of strata) {
    if (n1 <= 0 || n2 <= 0) continue;
    const total = n1 + n2;
    r += (a * n2) / total;
    s += (b * n1) / total;
    v += (n1 * n2 * (a + b) - a * b * total) / (total * total);
    crude.a += a;
    crude.n1 += n1;
    crude.b += b;
    crude.n2 += n2;
  }
  if (r === 0 || s === 0) {
    const fallback = rateRatio(crude);
    return { ...fallback, p: fisherGreater(crude), crude };
  }
  const ratio = r / s;
  const se = Math.sqrt(Math.max(v, 0) / (r * s));
  const p = se > 0 ? normalUpperTail(Math.log(ratio) / se) : ratio > 1 ? 0 : 1;
  return { ratio, low: ratio * Math.exp(-Z95 * se), high: ratio * Math.exp(Z95 * se), p, crude };
}

/** A single contrast as a StratifiedRatio, with Fisher's exact p (no strata to adjust for). */
export function crudeRatio(contrast: Contrast): StratifiedRatio {
  return { ...rateRatio(contrast), p: fisherGreater(contrast), crude: { ...contrast } };
}

/** P(Z ≥ z) for a standard normal Z (Abramowitz-Stegun 7.1.26 via erfc, |error| < 1.5e-7). */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  const upper = erfc / 2;
  return z >= 0 ? upper : 1 - upper;
}

/** One-sided p that a rate ratio exceeds 1, from its 95 % interval (the log-scale normal it was built on). */
export function ratioGreaterP(ratio: RateRatio): number {
  if (!(ratio.low > 0 && ratio.high > ratio.low)) return 1;
  const se = Math.log(ratio.high / ratio.low) / (2 * Z95);
  return normalUpperTail(Math.log(ratio.ratio) / se);
}

/**
 * Fisher's method: the p-value of k independent one-sided tests together, P(χ²(2k) ≥ −2 Σ ln p_i)
 * (closed form for even degrees of freedom). Several weak signals that agree add up to a strong one.
 */
export function fisherCombined(ps: readonly number[]): number {
  if (ps.length === 0) return 1;
  const half = -ps.reduce((s, p) => s + Math.log(Math.min(1, Math.max(p, 1e-300))), 0);
  let term = 1;
  let sum = 1;
  for (let i = 1; i < ps.length; i++) {
    term *= half / i;
    sum += term;
  }
  return Math.min(1, Math.exp(-half) * sum);
}

/** P(X ≥ k) for X ~ Poisson(lambda). */
export function poissonGreater(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  let logPmf = -lambda + k * Math.log(lambda) - logGamma(k + 1);
  let pmf = Math.exp(logPmf);
  let sum = 0;
  for (let x = k; x < k + 100_000; x++) {
    sum += pmf;
    if (pmf < sum * 1e-17 && x > lambda) break;
    logPmf += Math.log(lambda / (x + 1));
    pmf = Math.exp(logPmf);
  }
  return Math.min(1, Math.max(sum, Number.MIN_VALUE));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median absolute deviation scaled by 1.4826 so it estimates σ for normal data. */
export function scaledMad(values: readonly number[]): number {
  const center = median(values);
  return 1.4826 * median(values.map((value) => Math.abs(value - center)));
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/**
 * P(X ≥ observed) when X ~ Poisson(expected · e^(σZ)), Z standard normal: a Poisson–log-normal tail, the
 * test of "worse than the natural spread between peers" (σ = that spread on the log scale). Integrated on
 * a grid over Z in [−6, 6].
 */
export function overdispersedGreater(observed: number, expected: number, sigma: number): number {
  if (sigma <= 0) return poissonGreater(observed, expected);
  const steps = 120;
  let total = 0;
  let weight = 0;
  for (let i = 0; i <= steps; i++) {
    const z = -6 + (12 * i) / steps;
    const density = Math.exp(-0.5 * z * z);
    total += density * poissonGreater(observed, expected * Math.exp(sigma * z));
    weight += density;
  }
  return Math.min(1, total / weight);
}

/**
 * The typical rate of a set of peers (campaigns) and their spread on the log scale beyond Poisson noise.
 * Rate: pooled over the peers, leaving out gross suspects (Poisson tail p < SUSPECT_P against everyone
 * else), so one disastrous campaign does not raise everybody's expectation. σ: method of moments — for
 * a Poisson count with a log-normal multiplier, E[(O − E)² − O] = E²·(e^(σ²) − 1) — one estimate per
 * peer, the top PEER_TRIM share dropped and the mean divided by TRIM_CONSISTENCY, which keeps a trimmed
 * mean of χ²₁-like terms unbiased (mean of χ²₁ below its 90th percentile = 0.6232 of the full mean), as
 * 1.4826 does for the MAD.
 */
export const PEER_TRIM = 0.1;
export const TRIM_CONSISTENCY = 0.6232;
export const SUSPECT_P = 1e-6;

export interface PeerSpread {
  rate: number;
  sigma: number;
}

export function peerSpread(peers: readonly { events: number; trials: number }[]): PeerSpread {
  const all = peers.filter((p) => p.trials > 0);
  const events = all.reduce((s, p) => s + p.events, 0);
  const trials = all.reduce((s, p) => s + p.trials, 0);
  const ordinary = all.filter((p) => {
    const others = (events - p.events) / Math.max(1, trials - p.trials);
    return poissonGreater(p.events, p.trials * others) >= SUSPECT_P;
  });
  const base = ordinary.length >= 2 ? ordinary : all;
  const rate =
    base.reduce((s, p) => s + p.events, 0) /
    Math.max(
      1,
      base.reduce((s, p) => s + p.trials, 0),
    );
  if (rate === 0) return { rate, sigma: 0 };
  const estimates = all
    .map((p) => ((p.events - p.trials * rate) ** 2 - p.events) / (p.trials * rate) ** 2)
    .sort((x, y) => x - y);
  const kept = estimates.slice(0, Math.max(1, estimates.length - Math.ceil(estimates.length * PEER_TRIM)));
  const alpha = kept.reduce((s, x) => s + x, 0) / kept.length / TRIM_CONSISTENCY;
  return { rate, sigma: Math.sqrt(Math.log(1 + Math.max(0, alpha))) };
}
