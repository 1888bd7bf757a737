import { DAY_MS } from "../util/dates.ts";
import type { DayTotal } from "./facts.ts";
import { type RateRatio, rateRatio } from "./stats.ts";

/**
 * Was the spikes' audience less engaged than the program's usual one? The claim `volume-spike` rests on
 * (providers react to a burst of mail to recipients who do not engage, not to volume as such). Each spike
 * day's recipients with no click or human open in the previous 90 days, against the same share over the
 * non-spike sending days of its trailing BASELINE_DAYS (the baseline `stats` reports beside each spike), so
 * the early days of the data, when every recipient's history is still short, do not set the comparison.
 *
 * Less engaged = the dormant share is higher by at least MIN_SHARE_RATIO (lower 95 % bound of the ratio of
 * shares) and by at least MIN_SHARE_POINTS in absolute terms.
 */
export const BASELINE_DAYS = 28;
export const MIN_SHARE_RATIO = 1.1;
export const MIN_SHARE_POINTS = 0.05;

export interface SpikeAudience {
  /** Dormant share on the spike days. */
  spike: number;
  /** Dormant share on the non-spike days of the spikes' trailing windows. */
  baseline: number;
  ratio: RateRatio;
  lessEngaged: boolean;
}

export function spikeAudience(days: readonly DayTotal[], spikeDays: ReadonlySet<string>): SpikeAudience {
  const sums = { a: 0, n1: 0, b: 0, n2: 0 };
  const window = new Set<string>();
  for (const day of spikeDays) {
    const end = Date.parse(`${day}T00:00:00Z`);
    for (let k = 1; k <= BASELINE_DAYS; k++)
      window.add(new Date(end - k * DAY_MS).toISOString().slice(0, 10));
  }
  for (const d of days) {
    if (spikeDays.has(d.day)) {
      sums.a += d.dormant;
      sums.n1 += d.sent;
    } else if (window.has(d.day)) {
      sums.b += d.dormant;
      sums.n2 += d.sent;
    }
  }
  const spike = sums.n1 ? sums.a / sums.n1 : 0;
  const baseline = sums.n2 ? sums.b / sums.n2 : 0;
  const ratio = rateRatio(sums);
  const lessEngaged =
    sums.n1 > 0 && sums.n2 > 0 && ratio.low >= MIN_SHARE_RATIO && spike - baseline >= MIN_SHARE_POINTS;
  return { spike, baseline, ratio, lessEngaged };
}
