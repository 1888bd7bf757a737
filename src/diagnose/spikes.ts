import type { DayTotal } from "./facts.ts";
import { quantile, scaledMad } from "./stats.ts";

/**
 * Volume spikes per provider, documented in docs/DIAGNOSE.md "Thresholds":
 * a day is a spike when its volume is at least SPIKE_FACTOR × the 90th percentile of the trailing
 * BASELINE_DAYS days (so regular campaign days set the baseline, not the quiet days between them),
 * and exceeds that baseline by more than SPIKE_MADS robust deviations of the trailing send days (days
 * with at least half the baseline volume, so the quiet days between campaigns do not inflate the spread). Practitioners warn at +50 % over
 * the previous comparable send (event-sources-and-landscape.md §3), hence 1.5.
 */
export const SPIKE_FACTOR = 1.5;
export const SPIKE_MADS = 3;
export const BASELINE_DAYS = 28;
export const MIN_HISTORY_DAYS = 7;
export const MIN_SPIKE_VOLUME = 50;

export interface Spike {
  day: string;
  sent: number;
  baseline: number;
}

export function findSpikes(days: readonly DayTotal[]): Spike[] {
  const spikes: Spike[] = [];
  for (let i = MIN_HISTORY_DAYS; i < days.length; i++) {
    const trailing = days.slice(Math.max(0, i - BASELINE_DAYS), i).map((d) => d.sent);
    const baseline = quantile(trailing, 0.9);
    const spread = scaledMad(trailing.filter((sent) => sent >= baseline / 2));
    const { sent, day } = days[i];
    if (
      sent >= MIN_SPIKE_VOLUME &&
      sent >= SPIKE_FACTOR * baseline &&
      sent - baseline > SPIKE_MADS * spread
    ) {
      spikes.push({ day, sent, baseline: Math.round(baseline) });
    }
  }
  return spikes;
}
