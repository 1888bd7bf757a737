import type { DayTotal } from "./facts.ts";
import { median } from "./stats.ts";

/**
 * Policy-bounce episodes: runs of days whose policy bounces exceed both EPISODE_MIN_BOUNCES and
 * EPISODE_FACTOR × the program's median daily rate (days with sends), merged across gaps of up to
 * EPISODE_GAP_DAYS quiet days. docs/DIAGNOSE.md "Thresholds".
 */
export const EPISODE_MIN_BOUNCES = 3;
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
  const active = days.filter((d) => d.sent > 0);
  const rates = active.map((d) => d.policy / d.sent);
  const floor = Math.max(EPISODE_FACTOR * median(rates), 1e-4);
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
