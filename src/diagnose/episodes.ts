import type { DayTotal } from "./facts.ts";

/**
 * Policy-bounce episodes: runs of days with at least EPISODE_MIN_BOUNCES policy bounces at a rate of at
 * least EPISODE_FACTOR × the program's overall rate, merged across gaps of up to EPISODE_GAP_DAYS quiet
 * days. docs/DIAGNOSE.md "Thresholds".
 */
export const EPISODE_MIN_BOUNCES = 5;
export const EPISODE_FACTOR = 3;
export const EPISODE_GAP_DAYS = 1;

export interface Episode {
  start: string;
  end: string;
  policyBounces: number;
  sent: number;
  rate: number;
}

export function findEpisodes(days: readonly DayTotal[]): Episode[] {
  const sent = days.reduce((sum, d) => sum + d.sent, 0);
  const policy = days.reduce((sum, d) => sum + d.policy, 0);
  const floor = Math.max((EPISODE_FACTOR * policy) / Math.max(1, sent), 1e-4);
  const episodes: Episode[] = [];
  let current: Episode | null = null;
  let quiet = 0;
  for (const day of days) {
    const hot = day.policy >= EPISODE_MIN_BOUNCES && day.sent > 0 && day.policy / day.sent >= floor;
    if (hot) {
      if (!current) {
        current = { start: day.day, end: day.day, policyBounces: 0, sent: 0, rate: 0 };
        episodes.push(current);
      }
      current.end = day.day;
      current.policyBounces += day.policy;
      current.sent += day.sent;
      current.rate = Math.round((current.policyBounces / current.sent) * 1e6) / 1e6;
      quiet = 0;
    } else if (current && ++quiet > EPISODE_GAP_DAYS) {
      current = null;
    }
  }
  return episodes;
}
