/**
 * `deliverlens/stats`: the measurements of `deliverlens stats` and `hygiene` over an open store (see
 * deliverlens/store): per provider and day, policy-bounce episodes, volume spikes, engagement tiers, the
 * suppression list. Functions and types only.
 */
export { type HygieneOptions, type HygieneSummary, hygiene } from "../analytics/hygiene/hygiene.ts";
export type { StatsQuery } from "../analytics/stats/query.ts";
export { computeStats, type StatsOptions, type StatsReport } from "../analytics/stats/report.ts";
