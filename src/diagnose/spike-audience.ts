import { DAY_MS } from "../util/dates.ts";
import type { DayTotal } from "./facts.ts";
import { type RateRatio, rateRatio } from "./stats.ts";

/**
 * Was a spike's audience less engaged than the program's usual one? The claim `volume-spike` rests on
 * (providers react to a burst of mail to recipients who do not engage, not to volume as such). Each spike
 * day's recipients with no click or human open in the previous 90 days, against the same share over the
 * non-spike sending days of its trailing BASELINE_DAYS (the baseline `stats` reports beside each spike), so
 * the early days of the data, when every recipient's history is still short, do not set the comparison.
 *
 * Each spike is judged on its own: a program that sometimes adds a third send to its engaged segment has
 * spikes to an audience as engaged as ever, and pooling them with a reactivation send to long-inactive
 * addresses would hide the one spike the hypothesis is about. The spikes whose audience was less engaged
 * (the dormant share higher by at least MIN_SHARE_RATIO at the lower 95 % bound of the ratio of shares and
 * by at least MIN_SHARE_POINTS in absolute terms) are `lessEngagedDays`; the shares reported are theirs
 * (every spike's when none was).
 */
export const BASELINE_DAYS = 28;
export const MIN_SHARE_RATIO = 1.1;
export const MIN_SHARE_POINTS = 0.05;

export interface SpikeAudience {
  /** Dormant share on the spike days (the less-engaged ones when any). */
  spike: number;
  /** Dormant share on the non-spike days of those spikes' trailing windows. */
  baseline: number;
  ratio: RateRatio;
  lessEngaged: boolean;
  /** The spike days whose own audience was less engaged than the days before them. */
  lessEngagedDays: Set<string>;
}

interface Shares {
  a: number;
  n1: number;
  b: number;
  n2: number;
}

function trailing(day: string): Set<string> {
  const end = Date.parse(`${day}T00:00:00Z`);
  const window = new Set<string>();
  for (let k = 1; k <= BASELINE_DAYS; k++) window.add(new Date(end - k * DAY_MS).toISOString().slice(0, 10));
  return window;
}

function sharesOf(
  days: readonly DayTotal[],
  spikes: Iterable<string>,
  spikeDays: ReadonlySet<string>,
): Shares {
  const sums = { a: 0, n1: 0, b: 0, n2: 0 };
  const chosen = new Set(spikes);
  const window = new Set<string>();
  for (const day of chosen) for (const d of trailing(day)) window.add(d);
  for (const d of days) {
    if (chosen.has(d.day)) {
      sums.a += d.dormant;
      sums.n1 += d.sent;
    } else if (window.has(d.day) && !spikeDays.has(d.day)) {
      sums.b += d.dormant;
      sums.n2 += d.sent;
    }
  }
  return sums;
}

const lessEngagedShares = (sums: Shares, ratio: RateRatio): boolean =>
  sums.n1 > 0 &&
  sums.n2 > 0 &&
  ratio.low >= MIN_SHARE_RATIO &&
  sums.a / sums.n1 - sums.b / sums.n2 >= MIN_SHARE_POINTS;

export function spikeAudience(days: readonly DayTotal[], spikeDays: ReadonlySet<string>): SpikeAudience {
  const lessEngagedDays = new Set(
    [...spikeDays].filter((day) => {
      const sums = sharesOf(days, [day], spikeDays);
      return lessEngagedShares(sums, rateRatio(sums));
    }),
  );
  const sums = sharesOf(days, lessEngagedDays.size ? lessEngagedDays : spikeDays, spikeDays);
  const ratio = rateRatio(sums);
  return {
    spike: sums.n1 ? sums.a / sums.n1 : 0,
    baseline: sums.n2 ? sums.b / sums.n2 : 0,
    ratio,
    lessEngaged: lessEngagedDays.size > 0,
    lessEngagedDays,
  };
}
