import {
  CLASSIFIED_ROWS_SQL,
  dayDeferredSql,
  dayKindsSql,
  daySummaryCovers,
  filesWithoutSent,
  firstAttemptsCover,
  firstAttemptsSql,
  POLICY_CATEGORIES,
  POLICY_SQL,
  summaryDeferredSql,
  summaryFirstAttemptsSql,
  summaryKindsSql,
  typeIs,
} from "../../measures/index.ts";
import type { Store } from "../../store/index.ts";
import type { ResolvedQuery } from "./query.ts";

const POLICY_CATEGORY: ReadonlySet<string> = new Set(POLICY_CATEGORIES);

/**
 * One provider's day, in the named measures of src/measures (docs/MEASURES.md): `sent` is measure `sent`
 * (a message to a recipient once, however many tries), `policyBounces` is `policy_bounce`.
 */
export interface DayStats {
  provider: string;
  day: string;
  sent: number;
  delivered: number;
  deferredAttempts: number;
  deferredRecipients: number;
  bounced: number;
  bouncedByCategory: Record<string, number>;
  policyBounces: number;
  policyByProviderCode: Record<string, number>;
  dropped: number;
  humanOpens: number;
  machineOpens: number;
  clicks: number;
  unsubscribes: number;
  complaints: number;
}

/** The events of `kinds` rows matching `condition`, as a BIGINT like count(*). */
const total = (condition: string) => `coalesce(sum(n) FILTER (WHERE ${condition}), 0)::BIGINT`;

export async function dailyStats(store: Store, q: ResolvedQuery): Promise<DayStats[]> {
  const unlogged = await filesWithoutSent(store);
  const covers = await daySummaryCovers(store, { as_of: q.params.as_of }, 0);
  // The first attempts (every message of the formats without sent events) from the day summary where it
  // keeps them for this query; else their grouping, the longest query, runs on a second connection while
  // this one counts the rest. Either is added to `sent` below.
  const kept = unlogged.length > 0 && covers && !q.from && (await firstAttemptsCover(store, unlogged));
  const firstAttempts =
    unlogged.length && !kept ? countFirstAttempts(store, q, unlogged) : Promise.resolve([]);
  firstAttempts.catch(() => {}); // awaited below, after the other queries (or their failure)
  try {
    const [rows, breakdown] = await countEvents(store, q, false, covers);
    const firsts = kept
      ? await store.all<FirstAttempts>(
          `SELECT provider, ${DAY}, pairs FROM (${summaryFirstAttemptsSql(q.dayWhere)})`,
          q.params,
        )
      : await firstAttempts;
    const byDay = new Map<string, DayStats>();
    const days = rows.map((row) => {
      const day: DayStats = { ...row, bouncedByCategory: {}, policyByProviderCode: {} };
      byDay.set(`${row.provider}\u0000${row.day}`, day);
      return day;
    });
    for (const b of breakdown) {
      const day = byDay.get(`${b.provider}\u0000${b.day}`);
      if (!day) continue;
      if (b.kind === "category") {
        day.bouncedByCategory[b.key] = b.n;
        if (POLICY_CATEGORY.has(b.key)) day.policyBounces += b.n;
      } else day.policyByProviderCode[b.key] = b.n;
    }
    for (const first of firsts) {
      const day = byDay.get(`${first.provider}\u0000${first.day}`);
      if (day) day.sent += first.pairs;
    }
    return days;
  } finally {
    await firstAttempts.catch(() => {});
  }
}

type FirstAttempts = { provider: string; day: string; pairs: number };
const DAY = "strftime(d, '%Y-%m-%d') AS day";

/** Messages by the day of their first attempt (`firstAttemptsSql`), on a connection of their own. */
async function countFirstAttempts(store: Store, q: ResolvedQuery, unlogged: number[]) {
  const own = await store.fork();
  try {
    return await own.all<FirstAttempts>(
      `SELECT provider, ${DAY}, pairs FROM (${firstAttemptsSql(q.where, unlogged)})`,
      q.params,
    );
  } finally {
    own.close();
  }
}

/**
 * The daily counts but the first attempts, and the bounces' breakdown by category and provider code.
 * The counts come from the day summary when it holds exactly what the rows would give
 * (`daySummaryCovers`), else from the rows; `fromRows` forces the rows (the parity test).
 */
export async function countEvents(
  store: Store,
  q: ResolvedQuery,
  fromRows = false,
  covers?: boolean, // daySummaryCovers without the egress ranges, when the caller knows it
) {
  const summary =
    !fromRows &&
    q.opens.proxyIps === 0 &&
    (covers ?? (await daySummaryCovers(store, { as_of: q.params.as_of }, q.opens.proxyIps)));
  const kinds = summary ? summaryKindsSql(q.dayWhere) : dayKindsSql(q.where, q.opens.machineOpen);
  const deferred = summary ? summaryDeferredSql(q.dayWhere) : dayDeferredSql(q.where);
  const rows = await store.all<Omit<DayStats, "bouncedByCategory" | "policyByProviderCode">>(
    // No shared CTE: DuckDB would materialize every column of the period to share it.
    // Events are first counted by (provider, day, type, machine?) — a few thousand groups, each
    // predicate evaluated once per row — then pivoted: half the time of eleven FILTERs over every row.
    // Stored rows (`event_rows`), not the classified `events` view: policy bounces come from the
    // per-category breakdown below, which reads only bounces through the view's join.
    // A distinct aggregate slows every other aggregate of its GROUP BY: deferred recipients apart.
    `WITH kinds AS (${kinds}),
    counts AS (
      SELECT provider, d,
        ${total(typeIs("sent"))} AS logged,
        ${total(typeIs("delivered"))} AS delivered,
        ${total(typeIs("deferred"))} AS deferredAttempts,
        ${total(typeIs("bounced"))} AS bounced,
        0::BIGINT AS policyBounces,
        ${total(typeIs("dropped"))} AS dropped,
        ${total(`${typeIs("open")} AND NOT machine`)} AS humanOpens,
        ${total(`${typeIs("open")} AND machine`)} AS machineOpens,
        ${total(typeIs("click"))} AS clicks,
        ${total(typeIs("unsubscribe"))} AS unsubscribes,
        ${total(typeIs("complaint"))} AS complaints
      FROM kinds GROUP BY ALL
    ),
    deferred AS (${deferred})
    SELECT provider, strftime(d, '%Y-%m-%d') AS day, c.logged AS sent,
      c.delivered, c.deferredAttempts, coalesce(x.deferredRecipients, 0) AS deferredRecipients,
      c.* EXCLUDE (provider, d, logged, delivered, deferredAttempts)
    FROM counts c LEFT JOIN deferred x USING (provider, d)
    ORDER BY provider, day`,
    q.params,
  );
  // Bounces with their classification, read once (stored rows joined to their reply's classification),
  // counted per category and per provider code.
  const breakdown = await store.all<{ provider: string; day: string; kind: string; key: string; n: number }>(
    `WITH bounces AS (
      SELECT provider, time::DATE AS d, type, category, provider_code, count(*) AS n
      FROM ${CLASSIFIED_ROWS_SQL} WHERE ${q.where} AND ${typeIs("bounced")} GROUP BY ALL
    )
    SELECT provider, strftime(d, '%Y-%m-%d') AS day, 'category' AS kind,
        coalesce(category, 'unclassified') AS key, sum(n)::BIGINT AS n
      FROM bounces GROUP BY provider, d, category
    UNION ALL
    SELECT provider, strftime(d, '%Y-%m-%d'), 'code', coalesce(provider_code, 'none'), sum(n)::BIGINT
      FROM bounces WHERE ${POLICY_SQL} GROUP BY provider, d, provider_code
    ORDER BY 1, 2, 3, 4`,
    q.params,
  );
  return [rows, breakdown] as const;
}

type Counted = Omit<DayStats, "provider" | "day" | "bouncedByCategory" | "policyByProviderCode">;
export type ProviderTotals = { provider: string } & Counted;

/** Totals per provider over the days (sums of the daily units). */
export function totalsByProvider(days: DayStats[]): ProviderTotals[] {
  const totals = new Map<string, ProviderTotals>();
  for (const { provider, day: _day, bouncedByCategory: _c, policyByProviderCode: _p, ...counts } of days) {
    const total = totals.get(provider) ?? ({ provider } as ProviderTotals);
    for (const [key, value] of Object.entries(counts) as [keyof Counted, number][]) {
      total[key] = (total[key] ?? 0) + value;
    }
    totals.set(provider, total);
  }
  return [...totals.values()].sort((a, b) => b.sent - a.sent || a.provider.localeCompare(b.provider));
}
