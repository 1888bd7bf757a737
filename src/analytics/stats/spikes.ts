import {
  ATTEMPT_TYPES,
  ENGAGEMENT_WINDOW_DAYS,
  RECIPIENT_KEY_SQL,
  recipientStateSql,
} from "../../measures/index.ts";
import type { Params, Store } from "../../store/index.ts";
import { DAY_MS } from "../../util/dates.ts";
import type { DayStats } from "./daily.ts";
import { humanEngagementSql } from "./engagement.ts";
import { groupByProvider, median } from "./episodes.ts";
import type { ResolvedQuery } from "./query.ts";

/**
 * Volume spikes per provider: a day whose `sent` exceeds EVERY robust baseline —
 * the trailing `windowDays` (all days, zero-volume days included: the recent daily volume), the program's
 * typical send size (the median of its sending days in that window, the days at or above `minRatio` × the
 * daily median: what it normally sends in one go, so an off-schedule campaign to the usual audience is
 * not a spike) and the same weekday over the previous `weekdayWeeks` weeks (so a weekly sender's big
 * campaign day is not a spike either) — by more than `madK` × 1.4826 × MAD and by the factor `minRatio`,
 * with at least `minVolume` recipients.
 * Defaults and their sources: 3 MADs is the Hampel identifier's usual cut (Leys et al., 2013, "Detecting
 * outliers: do not use standard deviation around the mean, use absolute deviation around the median");
 * 1.5× is the practitioners' "do not increase more than 50 % over the previous send"
 * (e.g. https://www.alexshakhov.com/ on send-volume increases); 28 days is four weeks of the rolling
 * averages practitioners compare day-over-day volume against.
 */
export interface SpikeOptions {
  windowDays: number;
  weekdayWeeks: number;
  madK: number;
  minRatio: number;
  minVolume: number;
  minHistoryDays: number;
}

export const SPIKE_DEFAULTS: SpikeOptions = {
  windowDays: 28,
  weekdayWeeks: 4,
  madK: 3,
  minRatio: 1.5,
  minVolume: 100,
  minHistoryDays: 14,
};

export interface Spike {
  provider: string;
  day: string;
  sent: number;
  baseline: number;
  mad: number;
  weekdayBaseline: number;
  /** The program's typical send size in the trailing window (median of its sending days). */
  sendSize: number;
  ratio: number;
  /** Share of the day's recipients with no click or human open in the 90 days before it (dormant + unknown). */
  unengagedShare: number | null;
  /** The same share over the provider's non-spike days in the trailing window. */
  baselineUnengagedShare: number | null;
  /** Share of the day's recipients that were `dormant` (not engaged in 90 days, known for 90 days). */
  dormantShare: number | null;
  baselineDormantShare: number | null;
  /** Share of the day's recipients of `unknown_history` (not engaged, known for less than 90 days). */
  unknownShare: number | null;
  baselineUnknownShare: number | null;
}

/** The spike itself, before its audience's composition is measured. */
export type SpikeDay = Omit<
  Spike,
  | "unengagedShare"
  | "baselineUnengagedShare"
  | "dormantShare"
  | "baselineDormantShare"
  | "unknownShare"
  | "baselineUnknownShare"
>;

export function findSpikes(days: DayStats[], options: SpikeOptions = SPIKE_DEFAULTS): SpikeDay[] {
  const spikes: SpikeDay[] = [];
  for (const [provider, series] of groupByProvider(days)) {
    const volume = new Map(series.map((d) => [Date.parse(`${d.day}T00:00:00Z`) / DAY_MS, d.sent]));
    const first = Math.min(...volume.keys());
    for (const d of series) {
      const n = Date.parse(`${d.day}T00:00:00Z`) / DAY_MS;
      if (n - first < options.minHistoryDays || d.sent < options.minVolume) continue;
      const window = range(Math.max(first, n - options.windowDays), n).map((k) => volume.get(k) ?? 0);
      const weekdays = range(1, options.weekdayWeeks + 1)
        .map((w) => n - 7 * w)
        .filter((k) => k >= first)
        .map((k) => volume.get(k) ?? 0);
      const baseline = median(window);
      const mad = median(window.map((v) => Math.abs(v - baseline)));
      const weekdayBaseline = median(weekdays);
      const weekdayMad = median(weekdays.map((v) => Math.abs(v - weekdayBaseline)));
      const exceeds = (base: number, spread: number) =>
        d.sent > base + options.madK * 1.4826 * spread && d.sent >= options.minRatio * base;
      // Sending days: at or above minRatio × the daily median (every non-empty day when that median is 0).
      const sending = window.filter((v) => v > 0 && v >= options.minRatio * baseline);
      const sendSize = sending.length ? median(sending) : baseline;
      const sendMad = sending.length ? median(sending.map((v) => Math.abs(v - sendSize))) : mad;
      // The day-to-day MAD of a program that sends on some days only measures its schedule (about half
      // the days sending: the median falls between quiet and sending days), not its noise: the daily
      // reference is judged with the sending days' spread when there are sending days.
      const dailySpread = sending.length ? Math.min(mad, sendMad) : mad;
      if (
        exceeds(baseline, dailySpread) &&
        exceeds(sendSize, sendMad) &&
        exceeds(weekdayBaseline, weekdayMad)
      ) {
        spikes.push({
          provider,
          day: d.day,
          sent: d.sent,
          baseline,
          mad,
          weekdayBaseline,
          sendSize,
          ratio: d.sent / Math.max(1, baseline),
        });
      }
    }
  }
  return spikes;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

export interface DayComposition {
  provider: string;
  day: string;
  recipients: number;
  /** No click or human open in the engagement window before the day: dormant + unknown. */
  unengaged: number;
  dormant: number;
  unknown: number;
}

/**
 * Per provider and day: recipients attempted, and their state that day (measures `dormant`,
 * `unknown_history`): an ASOF join finds each one's latest earlier engagement (`human` is a FROM source
 * shaped like `humanEngagementSql`), its first event in the store says how long it has been known. With
 * `days`, only those days are measured (spikes and their trailing windows), which keeps `stats` fast on
 * big stores.
 */
export async function dailyComposition(
  store: Store,
  q: ResolvedQuery,
  days: string[] | null = null,
  human: string = humanEngagementSql(q),
): Promise<DayComposition[]> {
  const sorted = days ? [...days].sort() : [];
  // The day range first: it lets DuckDB skip the row groups outside it (time zone maps) before the IN.
  const only = days
    ? `AND time >= $earliest::DATE AND time < $latest::DATE + INTERVAL 1 DAY
       AND time::DATE IN (SELECT unnest(from_json($days, '["DATE"]')))`
    : "";
  const earliest = days ? `AND time >= $earliest::DATE - ${ENGAGEMENT_WINDOW_DAYS + 1}` : "";
  const params: Params = days
    ? {
        days: JSON.stringify(sorted),
        earliest: sorted[0] ?? "1970-01-01",
        latest: sorted.at(-1) ?? "1970-01-01",
      }
    : {};
  return store.all<DayComposition>(
    // Recipients by their stored 64-bit key: integer DISTINCTs and ASOF join keys.
    `WITH sends AS (
      SELECT DISTINCT provider, ${RECIPIENT_KEY_SQL} AS r, time::DATE AS d FROM event_rows
      WHERE ${q.where} AND type IN ${ATTEMPT_TYPES} AND ${RECIPIENT_KEY_SQL} IS NOT NULL ${only}
    ), engaged AS (
      SELECT DISTINCT r, time::DATE AS d FROM ${human} WHERE r IN (SELECT r FROM sends) ${earliest}
    ), known AS (
      -- Known for the window on day d means first seen by d − window: only rows older than the last
      -- measured day − window can make anyone known (zone maps skip the recent row groups).
      SELECT ${RECIPIENT_KEY_SQL} AS r, min(time)::DATE AS known FROM event_rows
      WHERE time < ${days ? "$latest::DATE" : "$as_of::TIMESTAMP::DATE"} - ${ENGAGEMENT_WINDOW_DAYS - 1}
        AND ${RECIPIENT_KEY_SQL} IN (SELECT r FROM sends)
      GROUP BY 1
    ), last AS (
      SELECT s.provider, s.d, ${recipientStateSql("e.d", "k.known", "s.d")} AS state FROM sends s
      ASOF LEFT JOIN engaged e ON s.r = e.r AND s.d > e.d
      LEFT JOIN known k ON k.r = s.r
    )
    SELECT provider, strftime(d, '%Y-%m-%d') AS day, count(*) AS recipients,
      count(*) FILTER (WHERE state <> 'engaged') AS unengaged,
      count(*) FILTER (WHERE state = 'dormant') AS dormant,
      count(*) FILTER (WHERE state = 'unknown') AS unknown
    FROM last GROUP BY ALL ORDER BY provider, day`,
    { ...q.params, ...params },
  );
}

/** The days a spike's composition needs: the spike day and its trailing window. */
export function compositionDays(spikes: { day: string }[], windowDays = SPIKE_DEFAULTS.windowDays): string[] {
  const days = new Set<string>();
  for (const spike of spikes) {
    const end = Date.parse(`${spike.day}T00:00:00Z`);
    for (let k = 0; k <= windowDays; k++) days.add(new Date(end - k * DAY_MS).toISOString().slice(0, 10));
  }
  return [...days].sort();
}

/** Adds each spike's composition and the trailing non-spike baseline of the same measure. */
export function composeSpikes(
  spikes: SpikeDay[],
  composition: DayComposition[],
  windowDays = SPIKE_DEFAULTS.windowDays,
): Spike[] {
  const key = (provider: string, day: string) => `${provider}\u0000${day}`;
  const byDay = new Map(composition.map((c) => [key(c.provider, c.day), c]));
  const spikeDays = new Set(spikes.map((s) => key(s.provider, s.day)));
  return spikes.map((spike) => {
    const own = byDay.get(key(spike.provider, spike.day));
    const end = Date.parse(`${spike.day}T00:00:00Z`);
    const base = { recipients: 0, unengaged: 0, dormant: 0, unknown: 0 };
    for (const c of composition) {
      const at = Date.parse(`${c.day}T00:00:00Z`);
      if (c.provider !== spike.provider || at >= end || at < end - windowDays * DAY_MS) continue;
      if (spikeDays.has(key(c.provider, c.day))) continue;
      base.recipients += c.recipients;
      base.unengaged += c.unengaged;
      base.dormant += c.dormant;
      base.unknown += c.unknown;
    }
    const share = (of: typeof base | undefined, key: "unengaged" | "dormant" | "unknown") =>
      of && of.recipients > 0 ? of[key] / of.recipients : null;
    return {
      ...spike,
      unengagedShare: share(own, "unengaged"),
      baselineUnengagedShare: share(base, "unengaged"),
      dormantShare: share(own, "dormant"),
      baselineDormantShare: share(base, "dormant"),
      unknownShare: share(own, "unknown"),
      baselineUnknownShare: share(base, "unknown"),
    };
  });
}
