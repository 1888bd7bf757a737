import type { DayStats } from "../analytics/stats/daily.ts";
import { dayStats } from "../analytics/stats/day-stats.ts";
import { type Episode, findEpisodes } from "../analytics/stats/episodes.ts";
import { findSpikes, type Spike } from "../analytics/stats/spikes.ts";
import type { DayTotal } from "./facts.ts";

/**
 * Spikes and episodes come from the analytics measurements (src/analytics/stats/), so `stats` and
 * `diagnose` always name the same days; this adapts the diagnosis' day totals to their input.
 */
export type { Episode };
export type DiagnoseSpike = Omit<Spike, "unengagedShare" | "baselineUnengagedShare">;

function asDayStats(provider: string, days: readonly DayTotal[]): DayStats[] {
  return days.map((d) =>
    dayStats(provider, d.day, {
      sent: d.sent,
      deferredRecipients: d.deferred,
      bounced: d.policy,
      policyBounces: d.policy,
    }),
  );
}

export function spikesOf(provider: string, days: readonly DayTotal[]): DiagnoseSpike[] {
  return findSpikes(asDayStats(provider, days));
}

export function episodesOf(provider: string, days: readonly DayTotal[]): Episode[] {
  return findEpisodes(asDayStats(provider, days));
}
