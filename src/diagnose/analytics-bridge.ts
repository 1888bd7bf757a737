import type { DayStats } from "../analytics/stats/daily.ts";
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
  return days.map((d) => ({
    provider,
    day: d.day,
    sent: d.sent,
    delivered: 0,
    deferredAttempts: 0,
    deferredRecipients: d.deferred,
    bounced: d.policy,
    bouncedByCategory: {},
    policyBounces: d.policy,
    policyByProviderCode: {},
    dropped: 0,
    humanOpens: 0,
    machineOpens: 0,
    clicks: 0,
    unsubscribes: 0,
    complaints: 0,
  }));
}

export function spikesOf(provider: string, days: readonly DayTotal[]): DiagnoseSpike[] {
  return findSpikes(asDayStats(provider, days));
}

export function episodesOf(provider: string, days: readonly DayTotal[]): Episode[] {
  return findEpisodes(asDayStats(provider, days));
}
