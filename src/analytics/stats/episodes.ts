import { DAY_MS } from "../../util/dates.ts";
import type { DayStats } from "./daily.ts";

/**
 * Policy-bounce episodes: runs of "hot" days per provider. A day is hot when it has at least `minCount`
 * policy bounces and a policy-bounce rate of at least `minRate` and `baselineFactor` × the provider's
 * median daily rate. Hot days at most `maxGapDays` apart join one episode.
 * Defaults: 3 bounces echoes KumoMTA's TSA automation, which acts on 3 matching Apple rejections an hour
 * (KumoMTA's traffic-shaping automation counts matching responses per hour: https://docs.kumomta.com/userguide/configuration/trafficshaping/); 0.5 % is a tenth of SendGrid's 5 % bounce ceiling and SES's 5 % review line
 * (https://docs.aws.amazon.com/ses/latest/dg/reputationdashboard-messages.html).
 */
export interface EpisodeOptions {
  minCount: number;
  minRate: number;
  baselineFactor: number;
  maxGapDays: number;
}

export const EPISODE_DEFAULTS: EpisodeOptions = {
  minCount: 3,
  minRate: 0.005,
  baselineFactor: 5,
  maxGapDays: 1,
};

export interface Episode {
  provider: string;
  start: string;
  end: string;
  days: number;
  policyBounces: number;
  sent: number;
  rate: number;
  providerCodes: Record<string, number>;
}

export interface EpisodeSummary {
  provider: string;
  episodes: number;
  months: number;
  perMonth: number;
  /** Days between one episode's end and the next one's start. */
  gapsDays: number[];
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function findEpisodes(days: DayStats[], options: EpisodeOptions = EPISODE_DEFAULTS): Episode[] {
  const episodes: Episode[] = [];
  for (const [provider, series] of groupByProvider(days)) {
    const baseline = median(series.filter((d) => d.sent > 0).map((d) => d.policyBounces / d.sent));
    const threshold = Math.max(options.minRate, options.baselineFactor * baseline);
    let current: Episode | null = null;
    for (const day of series) {
      const hot =
        day.policyBounces >= options.minCount && day.sent > 0 && day.policyBounces / day.sent >= threshold;
      if (!hot) continue;
      if (current && dayNumber(day.day) - dayNumber(current.end) <= options.maxGapDays + 1) {
        current.end = day.day;
      } else {
        current = {
          provider,
          start: day.day,
          end: day.day,
          days: 0,
          policyBounces: 0,
          sent: 0,
          rate: 0,
          providerCodes: {},
        };
        episodes.push(current);
      }
    }
    for (const episode of episodes.filter((e) => e.provider === provider)) {
      for (const day of series) {
        if (day.day < episode.start || day.day > episode.end) continue;
        episode.policyBounces += day.policyBounces;
        episode.sent += day.sent;
        for (const [code, n] of Object.entries(day.policyByProviderCode)) {
          episode.providerCodes[code] = (episode.providerCodes[code] ?? 0) + n;
        }
      }
      episode.days = dayNumber(episode.end) - dayNumber(episode.start) + 1;
      episode.rate = episode.sent > 0 ? episode.policyBounces / episode.sent : 0;
    }
  }
  return episodes.sort((a, b) => a.provider.localeCompare(b.provider) || a.start.localeCompare(b.start));
}

export function summarizeEpisodes(episodes: Episode[], days: DayStats[]): EpisodeSummary[] {
  const out: EpisodeSummary[] = [];
  for (const [provider, series] of groupByProvider(days)) {
    const mine = episodes.filter((e) => e.provider === provider);
    const span = series.length ? dayNumber(series[series.length - 1].day) - dayNumber(series[0].day) + 1 : 0;
    const months = span / 30.4375;
    const gapsDays = mine.slice(1).map((e, i) => dayNumber(e.start) - dayNumber(mine[i].end) - 1);
    out.push({
      provider,
      episodes: mine.length,
      months,
      perMonth: months > 0 ? mine.length / months : 0,
      gapsDays,
    });
  }
  return out;
}

export function groupByProvider(days: DayStats[]): Map<string, DayStats[]> {
  const groups = new Map<string, DayStats[]>();
  for (const day of days) {
    const list = groups.get(day.provider) ?? [];
    list.push(day);
    groups.set(day.provider, list);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
