import { CLASSIFIED_ROWS_SQL, MEASURES } from "../../measures/index.ts";
import { allThenClose, SCHEMA_VERSION, type Store } from "../../store/index.ts";
import { VERSION } from "../../util/version.ts";
import { stopwatch } from "../stopwatch.ts";
import { type DayStats, dailyStats, type ProviderTotals, totalsByProvider } from "./daily.ts";
import { engagementTiers, type ProviderEngagement } from "./engagement.ts";
import {
  EPISODE_DEFAULTS,
  type Episode,
  type EpisodeOptions,
  type EpisodeSummary,
  findEpisodes,
  summarizeEpisodes,
} from "./episodes.ts";
import { loadAppleEgress, shareAppleEgress } from "./opens.ts";
import { POLICY_SQL, type ResolvedQuery, resolveQuery, type StatsQuery } from "./query.ts";
import {
  composeSpikes,
  compositionDays,
  dailyComposition,
  findSpikes,
  SPIKE_DEFAULTS,
  type Spike,
  type SpikeOptions,
} from "./spikes.ts";

/** Version of the stats JSON layout (docs/STORE.md). */
export const STATS_SCHEMA_VERSION = 1;

export interface StatsOptions {
  appleEgressCsv?: string | null;
  spikes?: Partial<SpikeOptions>;
  episodes?: Partial<EpisodeOptions>;
}

export interface StatsReport {
  schemaVersion: number;
  /** The only part that differs between two runs over the same store. */
  meta: { generatedAt: string; deliverlensVersion: string; store: string; storeSchema: number };
  query: { provider: string | null; from: string | null; to: string | null; asOf: string | null };
  units: Record<string, string>;
  /** The named measures behind these numbers (src/measures, docs/MEASURES.md), by id. */
  measures: typeof MEASURES;
  thresholds: { spikes: SpikeOptions; episodes: EpisodeOptions };
  totals: ProviderTotals[];
  applePolicyShare: { apple: number; all: number; share: number | null };
  daily: DayStats[];
  episodes: Episode[];
  episodeSummary: EpisodeSummary[];
  spikes: Spike[];
  engagement: ProviderEngagement[];
}

export const UNITS = {
  sent: "messages to recipients (measure sent): a (message, recipient) once however many attempts, on the day of its first attempt (the source's per-recipient sent events where it logs them)",
  deferredAttempts: "deferral events (every retry counts)",
  deferredRecipients: "distinct recipients deferred that day",
  policyBounces:
    "bounce events the classifier puts in reputation, content, blocklist or authentication (measure policy_bounce)",
  machineOpens:
    "opens flagged by the source (sg_machine_open), in Apple's egress ranges (--apple-egress), or from 17.0.0.0/8, at every recipient provider (measure machine_open)",
  recency: "as of query.asOf (latest event in the store unless --as-of), never the wall clock",
  rate: "fraction 0..1",
};

/** Every measurement of `deliverlens stats`, as one deterministic object (explicit ORDER BY everywhere). */
export async function computeStats(
  store: Store,
  query: StatsQuery,
  options: StatsOptions = {},
): Promise<StatsReport> {
  const spikeOptions = { ...SPIKE_DEFAULTS, ...options.spikes };
  const episodeOptions = { ...EPISODE_DEFAULTS, ...options.episodes };
  const lap = stopwatch();
  const opens = await loadAppleEgress(store, options.appleEgressCsv ?? null);
  const q = await resolveQuery(store, query, opens);
  // Daily counts on this connection while a second one measures the engagement tiers and then the spike
  // composition (which waits for the spikes the daily counts give; it reads engagement only around them).
  const other = await store.fork();
  // Both tasks wait for the copy: it reads this connection, which runs one query at a time.
  const shared = shareAppleEgress(store, other);
  const daily = (async () => {
    await shared;
    const daily = await dailyStats(store, q);
    lap("daily");
    return daily;
  })();
  const [{ days, share }, { engagement, composed }] = await allThenClose(other, [
    (async () => {
      const days = await daily;
      return { days, share: await applePolicyShare(store, q, days) };
    })(),
    (async () => {
      await shared;
      const engagement = await engagementTiers(other, q);
      lap("engagement");
      const spikes = findSpikes(await daily, spikeOptions);
      const window = compositionDays(spikes, spikeOptions.windowDays);
      const composition = spikes.length ? await dailyComposition(other, q, window) : [];
      lap("spikes");
      return { engagement, composed: composeSpikes(spikes, composition, spikeOptions.windowDays) };
    })(),
  ]);
  const episodes = findEpisodes(days, episodeOptions);
  return {
    schemaVersion: STATS_SCHEMA_VERSION,
    meta: {
      generatedAt: new Date().toISOString(),
      deliverlensVersion: VERSION,
      store: store.path,
      storeSchema: SCHEMA_VERSION,
    },
    query: { provider: q.provider, from: q.from, to: q.to, asOf: q.asOf },
    units: UNITS,
    measures: MEASURES,
    thresholds: { spikes: spikeOptions, episodes: episodeOptions },
    totals: totalsByProvider(days),
    applePolicyShare: share,
    daily: days,
    episodes,
    episodeSummary: summarizeEpisodes(episodes, days),
    spikes: composed,
    engagement,
  };
}

/**
 * Apple's share of every provider's policy bounces in the period (the provider filter does not apply).
 * Without a provider filter the daily counts already hold every provider's policy bounces of the period:
 * summed from them rather than read again.
 */
async function applePolicyShare(store: Store, q: ResolvedQuery, days: DayStats[]) {
  let apple = 0;
  let all = 0;
  if (q.provider) {
    const { provider: _provider, ...params } = q.params;
    const row = await store.one<{ apple: number; all: number }>(
      `SELECT count(*) FILTER (WHERE provider = 'apple') AS apple, count(*) AS "all" FROM ${CLASSIFIED_ROWS_SQL}
       WHERE ${q.periodWhere} AND ${POLICY_SQL}`,
      params,
    );
    apple = row?.apple ?? 0;
    all = row?.all ?? 0;
  } else {
    for (const day of days) {
      all += day.policyBounces;
      if (day.provider === "apple") apple += day.policyBounces;
    }
  }
  return { apple, all, share: all > 0 ? apple / all : null };
}
