export { type DayStats, dailyStats, type ProviderTotals, totalsByProvider } from "./daily.ts";
export {
  engagementTiers,
  humanEngagementSql,
  type ProviderEngagement,
  type RecipientEngagement,
  recipientEngagement,
  TIERS,
  type Tier,
} from "./engagement.ts";
export {
  EPISODE_DEFAULTS,
  type Episode,
  type EpisodeOptions,
  type EpisodeSummary,
  findEpisodes,
  median,
  summarizeEpisodes,
} from "./episodes.ts";
export {
  loadAppleEgress,
  type OpenRules,
  openRules,
  parseEgressCsv,
  SOURCE_AND_HEURISTIC,
  shareAppleEgress,
} from "./opens.ts";
export { POLICY_CATEGORIES, type ResolvedQuery, resolveQuery, type StatsQuery } from "./query.ts";
export { computeStats, STATS_SCHEMA_VERSION, type StatsOptions, type StatsReport } from "./report.ts";
export {
  composeSpikes,
  type DayComposition,
  dailyComposition,
  findSpikes,
  SPIKE_DEFAULTS,
  type Spike,
  type SpikeOptions,
} from "./spikes.ts";
