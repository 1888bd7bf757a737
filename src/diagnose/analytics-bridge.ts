import type { DayStats } from "../analytics/stats/daily.ts";
import { dayStats } from "../analytics/stats/day-stats.ts";
import { type Episode, findEpisodes } from "../analytics/stats/episodes.ts";
import { findSpikes, type SpikeDay } from "../analytics/stats/spikes.ts";
import type { DayTotal } from "./facts.ts";

/**
 * Spikes and episodes come from the analytics measurements (src/analytics/stats/), so `stats` and
 * `diagnose` always name the same days; this adapts the diagnosis' day totals to their input: measure
 * `sent` and measure `policy_bounce` (on the bounce's day), the same daily numbers `stats` uses.
 */
export type { Episode };
export type DiagnoseSpike = SpikeDay;

function asDayStats(provider: string, days: readonly DayTotal[]): DayStats[] {
  return days.map((d) =>
    dayStats(provider, d.day, {
      sent: d.sent,
      deferredRecipients: d.deferred,
      bounced: d.policyBounces,
      policyBounces: d.policyBounces,
    }),
  );
}

export function spikesOf(provider: string, days: readonly DayTotal[]): DiagnoseSpike[] {
  return findSpikes(asDayStats(provider, days));
}

export function episodesOf(provider: string, days: readonly DayTotal[]): Episode[] {
  return findEpisodes(asDayStats(provider, days));
}
