import { LATEST_TIME_SQL, periodDaysSql, periodSql } from "../../measures/index.ts";
import type { Params, Store } from "../../store/index.ts";
import { isCalendarDay } from "../../util/dates.ts";
import { type OpenRules, SOURCE_AND_HEURISTIC } from "./opens.ts";

/** What a measurement covers. Dates are `YYYY-MM-DD`, inclusive, UTC. */
export interface StatsQuery {
  provider?: string | null;
  from?: string | null;
  to?: string | null;
  /** Recency is measured as of this day's end; default the latest event in the store (never the clock). */
  asOf?: string | null;
}

/** A query with its as-of instant resolved and its SQL filter built (named parameters only). */
export interface ResolvedQuery {
  provider: string | null;
  from: string | null;
  to: string | null;
  /** ISO 8601 UTC instant. */
  asOf: string | null;
  /** `WHERE` body over `events` for the period (and provider when set). */
  where: string;
  /** The same for the period alone, every provider (measures that compare providers). */
  periodWhere: string;
  /** `where` over whole days (`day`) and `provider`, for the day summary (src/measures/day-counts.ts). */
  dayWhere: string;
  params: Params;
  /** How machine opens are told from human ones (`loadAppleEgress` on the query's connection). */
  opens: OpenRules;
}

export { ATTEMPT_TYPES, POLICY_CATEGORIES, POLICY_SQL } from "../../measures/index.ts";

export async function resolveQuery(
  store: Store,
  query: StatsQuery,
  opens: OpenRules = SOURCE_AND_HEURISTIC,
): Promise<ResolvedQuery> {
  const latest = await store.one<{ t: string | null }>(LATEST_TIME_SQL);
  const asOf = query.asOf ? `${query.asOf}T23:59:59.999Z` : (latest?.t ?? null);
  const period = periodSql(query);
  const clauses = ["time <= $as_of::TIMESTAMP", ...period.clauses];
  const params: Params = { as_of: (asOf ?? "9999-12-31T00:00:00Z").replace("Z", ""), ...period.params };
  const periodWhere = clauses.join(" AND ");
  const days = ["day <= $as_of::TIMESTAMP::DATE", ...periodDaysSql(query)];
  if (query.provider) {
    clauses.push("provider = $provider");
    days.push("provider = $provider");
    params.provider = query.provider;
  }
  return {
    provider: query.provider ?? null,
    from: query.from ?? null,
    to: query.to ?? null,
    asOf,
    where: clauses.join(" AND "),
    periodWhere,
    dayWhere: days.join(" AND "),
    params,
    opens,
  };
}

/** A YYYY-MM-DD day that exists on the calendar. */
export function isDate(value: string): boolean {
  return isCalendarDay(value);
}
