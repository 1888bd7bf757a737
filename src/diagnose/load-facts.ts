import { type OpenRules, SOURCE_AND_HEURISTIC, shareAppleEgress } from "../analytics/stats/opens.ts";
import {
  ATTEMPT_TYPES,
  CLASSIFIED_ROWS_SQL,
  engagedSql,
  filesWithoutSent,
  HARD_BOUNCE_SQL,
  knownSql,
  LAST_ATTEMPT_IP_SQL,
  LAST_ATTEMPT_POOL_SQL,
  LATEST_TIME_SQL,
  MESSAGE_KEY_SQL,
  messageSentSql,
  messageTimeSql,
  NOT_FUTURE_SQL,
  newAddressSql,
  type Period,
  POLICY_SQL,
  periodSql,
  RECIPIENT_KEY_SQL,
  TIER_SQL,
  TIERS,
  typeIs,
  unloggedFileSql,
} from "../measures/index.ts";
import { allThenClose, type Store } from "../store/index.ts";
import { sqlList } from "../util/sql.ts";
import {
  ATTRIBUTED_CATEGORIES,
  type Facts,
  type IpCategoryCount,
  type ReplyGroup,
  type SendCell,
  type TierCount,
  type WeekEngagement,
} from "./facts.ts";

/**
 * One row per message to a recipient, as measure `sent` counts it (so the cells' `sent` sums to `stats`'
 * daily `sent`), with the recipient's state at the send: `dormant` = no human engagement in the window
 * before (an ASOF join on its last one), `known` = first seen (its first event in the store, from
 * `RECIPIENTS_TABLE`, as `stats`' spike audience decides it) at least the window before — measure
 * `dormant` is both, `unknown_history` dormant and not known, `engaged` not dormant. Aggregated to
 * day × campaign × IP (and pool) × state. `policy` is measure `policy_bounced_message`, `newAddresses`
 * measure `new_address` (first seen on the send's day), `hardBounced` measure `hard_bounced_message`,
 * `policyAttributed` the policy-bounced messages whose reply names another cause (facts.ts).
 * Read from `CLASSIFIED_ROWS_SQL` (the stored rows and their classification), not the `events` view.
 */
const cellsSql = (
  humanEngagement: string,
  unloggedFiles: readonly number[],
  period: FactsPeriod,
  anyEngagement: boolean,
) => {
  const unlogged = unloggedFileSql(unloggedFiles);
  // Without a single click or human open (formats without opens: Postfix, PowerMTA), nobody is engaged:
  // the ASOF join, which sorts every message, is skipped.
  const engaged = anyEngagement
    ? `FROM attempts a ASOF LEFT JOIN engagement e ON a.rk = e.rk AND a.t > e.time`
    : "FROM attempts a CROSS JOIN (SELECT NULL::TIMESTAMP AS time) e";
  return `
WITH attempts AS (
  SELECT any_value(${RECIPIENT_KEY_SQL}) AS rk, ${messageTimeSql(unlogged)} AS t, ${messageSentSql(unlogged)} AS sent,
    any_value(campaign) AS campaign, ${LAST_ATTEMPT_IP_SQL} AS ip, ${LAST_ATTEMPT_POOL_SQL} AS pool,
    bool_or(${POLICY_SQL}) AS policy,
    bool_or(${typeIs("deferred")}) AS deferred,
    bool_or(${typeIs("deferred")} AND category = 'rate-limit') AS rate_deferred,
    bool_or(${HARD_BOUNCE_SQL}) AS hard,
    bool_or(${typeIs("bounced")} AND category IN ${sqlList(ATTRIBUTED_CATEGORIES)}) AS attributed
  FROM ${CLASSIFIED_ROWS_SQL}
  WHERE provider = $provider AND recipient IS NOT NULL AND type IN ${ATTEMPT_TYPES}${period.and}
  GROUP BY ${MESSAGE_KEY_SQL}, ${unlogged}
),
engagement AS (
  SELECT ${RECIPIENT_KEY_SQL} AS rk, time FROM event_rows WHERE provider = $provider AND ${humanEngagement}
),
joined AS (
  SELECT a.*, NOT ${engagedSql("e.time", "a.t")} AS dormant, ${knownSql("r.first", "a.t")} AS known,
    ${newAddressSql("r.first", "a.t")} AS fresh
  ${engaged}
  JOIN ${RECIPIENTS_TABLE} r ON r.rk = a.rk
)
SELECT day::VARCHAR AS day, coalesce(campaign, '(none)') AS campaign, coalesce(ip, '(unknown)') AS ip,
  coalesce(pool, '(none)') AS pool, dormant, known, sent, policy, deferred, "policyDeferred", "rateDeferred",
  "policyRateDeferred", "policyAttributed", "newAddresses", "hardBounced"
FROM (
  -- Grouped by the day as a DATE and the text columns as they are: formatted once per cell, not per message.
  SELECT t::DATE AS day, campaign, ip, pool, dormant, known,
    sum(sent)::BIGINT AS sent, count(*) FILTER (WHERE policy) AS policy, count(*) FILTER (WHERE deferred) AS deferred,
    count(*) FILTER (WHERE policy AND deferred) AS "policyDeferred",
    count(*) FILTER (WHERE rate_deferred) AS "rateDeferred",
    count(*) FILTER (WHERE policy AND rate_deferred) AS "policyRateDeferred",
    count(*) FILTER (WHERE policy AND (attributed OR rate_deferred)) AS "policyAttributed",
    coalesce(sum(sent) FILTER (WHERE fresh), 0)::BIGINT AS "newAddresses", count(*) FILTER (WHERE hard) AS "hardBounced"
  FROM joined GROUP BY ALL
)
ORDER BY day, campaign, ip, pool, dormant, known`;
};

/**
 * The provider's recipients, one row each (temp table `RECIPIENTS_TABLE`, made once per `loadFacts` and read
 * by the cells, the tiers and the cohorts): `rk` the address hash, `first` its first event in the store
 * (up to the window's end: history before the window counts), whether it ever engaged (`ever_engaged`),
 * and over the window only `engaged` (its last click or human open), `delivered`, `engagements`, and `seen`
 * (it has an event in the window).
 */
const RECIPIENTS_TABLE = "facts_recipients";
const recipientsTableSql = (humanEngagement: string, period: FactsPeriod) => {
  const inWindow = period.from ? "time >= $from::DATE" : "true";
  const until = period.to ? " AND time < $to::DATE + INTERVAL 1 DAY" : "";
  return `CREATE OR REPLACE TEMP TABLE ${RECIPIENTS_TABLE} AS
SELECT ${RECIPIENT_KEY_SQL} AS rk, min(time) AS first,
  max(time) FILTER (WHERE ${humanEngagement} AND ${inWindow}) AS engaged,
  count(*) FILTER (WHERE ${typeIs("delivered")} AND ${inWindow}) AS delivered,
  count(*) FILTER (WHERE ${humanEngagement} AND ${inWindow}) AS engagements,
  bool_or(${inWindow}) AS seen,
  bool_or(${humanEngagement}) AS ever_engaged
FROM event_rows WHERE provider = $provider AND recipient IS NOT NULL${until} GROUP BY 1`;
};

/** The provider's first and last day with any event: `stats`' window for it (no window flags). */
const windowSql = (period: FactsPeriod) => `
SELECT min(time)::DATE::VARCHAR AS "from", max(time)::DATE::VARCHAR AS "to" FROM event_rows
WHERE provider = $provider AND ${NOT_FUTURE_SQL}${period.and}`;

/**
 * Measure `policy_bounce` per day (the bounce's day, as `stats` counts it), sending IP and category, in one
 * pass: summed per day for the daily series, per IP and category to tell which IP's bounces cite
 * authentication or a blocklist.
 */
const policyBouncesSql = (period: FactsPeriod) => `
SELECT time::DATE::VARCHAR AS day, coalesce(sending_ip, '(unknown)') AS ip, category, count(*) AS count
FROM ${CLASSIFIED_ROWS_SQL} WHERE provider = $provider AND ${POLICY_SQL}${period.and}
GROUP BY ALL ORDER BY day, ip, category`;

/** Distinct replies with addresses replaced, so per-recipient wording groups together. */
const repliesSql = (period: FactsPeriod) => `
SELECT type, coalesce(category, 'unknown') AS category, provider_code AS "providerCode", status,
  reply_code AS "replyCode",
  regexp_replace(coalesce(reply, ''), '[^\\s<>()\\[\\]"'',;:]+@[^\\s<>()\\[\\]"'',;:]+', '<recipient>', 'g') AS reply,
  count(*) AS count, min(time) AS "firstSeen", max(time) AS "lastSeen",
  coalesce(list(DISTINCT sending_ip ORDER BY sending_ip) FILTER (WHERE sending_ip IS NOT NULL), []) AS ips
FROM ${CLASSIFIED_ROWS_SQL}
WHERE provider = $provider AND ${typeIs("bounced", "deferred")}${period.and}
GROUP BY ALL
ORDER BY count DESC, reply
LIMIT 200`;

/** Engagement tiers (measure `engagement_tier`) of the provider's recipients as of the latest event. */
const tiersSql = (humanEngagement: string) => `
WITH as_of AS (${LATEST_TIME_SQL}),
last AS (
  SELECT max(time) FILTER (WHERE ${humanEngagement}) AS engaged
  FROM events WHERE provider = $provider AND recipient IS NOT NULL GROUP BY ${RECIPIENT_KEY_SQL}
)
SELECT ${TIER_SQL("engaged", "(SELECT t FROM as_of)")} AS tier, count(*) AS recipients
FROM last GROUP BY tier`;

/**
 * The tiers and the signup cohorts from `RECIPIENTS_TABLE`: per recipient with an event in the window, its
 * last human engagement in it (tier, as of the store's latest event: `stats --from/--to`'s tiers), its
 * first event (measure `signup_cohort`: the month it was first mailed or seen, before the window
 * included), messages delivered and human engagements in the window (measure `engagement_rate` per cohort).
 */
const RECIPIENT_GROUPS_SQL = `
WITH as_of AS (${LATEST_TIME_SQL})
SELECT 'tier' AS kind, ${TIER_SQL("engaged", "(SELECT t FROM as_of)")} AS key, count(*) AS recipients,
  0::BIGINT AS delivered, 0::BIGINT AS engaged
FROM ${RECIPIENTS_TABLE} WHERE seen GROUP BY ALL
UNION ALL
SELECT 'cohort' AS kind, strftime(first, '%Y-%m') AS key, count(*) AS recipients,
  sum(delivered)::BIGINT AS delivered, sum(engagements)::BIGINT AS engaged
FROM ${RECIPIENTS_TABLE} WHERE seen GROUP BY ALL`;

/**
 * Per week (Monday first) of the provider's mail: messages delivered and human engagement events (clicks and
 * opens not judged machine, as `stats` decides them) — the engagement rate's numerator and denominator.
 * Engagement is counted in the week it happened.
 */
const weeksSql = (humanEngagement: string, period: FactsPeriod) => `
SELECT strftime(w, '%Y-%m-%d') AS week, delivered, engaged FROM (
  -- Grouped by the week's start as a TIMESTAMP: formatted once per week, not once per event.
  SELECT date_trunc('week', time) AS w,
    count(*) FILTER (WHERE ${typeIs("delivered")}) AS delivered,
    count(*) FILTER (WHERE ${humanEngagement}) AS engaged
  FROM event_rows
  WHERE provider = $provider AND ${typeIs("delivered", "open", "click")}${period.and}
  GROUP BY w
)
ORDER BY week`;

export const TIER_ORDER = TIERS;

/** One row of `RECIPIENT_GROUPS_SQL`: a tier or a signup cohort. */
interface RecipientGroup {
  kind: string;
  key: string;
  recipients: number;
  delivered: number;
  engaged: number;
}

/**
 * The days a diagnosis covers: `YYYY-MM-DD`, both inclusive, UTC, either end open — `stats --from/--to`'s
 * window (measures `periodSql`). Omitted: every day of the store.
 */
export type FactsWindow = Period;

/** The window as SQL: ` AND …` to append to a WHERE on `time` ("" when open), and its parameters. */
interface FactsPeriod {
  from: string | null;
  to: string | null;
  and: string;
  params: Record<string, string>;
}

function factsPeriod(window: FactsWindow): FactsPeriod {
  const { clauses, params } = periodSql(window);
  return {
    from: window.from ?? null,
    to: window.to ?? null,
    and: clauses.map((clause) => ` AND ${clause}`).join(""),
    params,
  };
}

/**
 * Everything the hypotheses need for one provider. `opens` tells machine opens from human ones (from
 * `loadAppleEgress`, given Apple's published egress ranges as for `stats --apple-egress`).
 */
export async function loadFacts(
  store: Store,
  provider: string,
  opens: OpenRules = SOURCE_AND_HEURISTIC,
  window: FactsWindow = {},
): Promise<Facts> {
  const period = factsPeriod(window);
  const params = { provider, ...period.params };
  // Two connections, each running its queries in turn: the per-message cells (the heaviest) on this one
  // while the others run on a fork, so both cores stay busy through each query's single-threaded phases.
  const other = await store.fork();
  // The fork needs the Apple egress IPs the rules may read (a temp table of this connection); both tasks
  // wait for the copy, which reads this connection (one query at a time).
  const shared = opens.proxyIps > 0 ? shareAppleEgress(store, other) : Promise.resolve();
  const [mine, theirs] = await allThenClose(other, [
    (async () => {
      await shared;
      const unlogged = await filesWithoutSent(store);
      await store.run(recipientsTableSql(opens.humanEngagement, period), params);
      const any = await store.one<{ engaged: boolean | null }>(
        `SELECT bool_or(ever_engaged) AS engaged FROM ${RECIPIENTS_TABLE}`,
      );
      const cells = await store.all<SendCell>(
        cellsSql(opens.humanEngagement, unlogged, period, any?.engaged === true),
        params,
      );
      const rows = await store.all<RecipientGroup>(RECIPIENT_GROUPS_SQL);
      await store.run(`DROP TABLE ${RECIPIENTS_TABLE}`);
      return { cells, rows };
    })(),
    (async () => {
      await shared;
      return {
        policyRows: await other.all<{ day: string } & IpCategoryCount>(policyBouncesSql(period), params),
        span: await other.one<{ from: string | null; to: string | null }>(windowSql(period), params),
        replies: await other.all<ReplyGroup>(repliesSql(period), params),
        weeks: await other.all<WeekEngagement>(weeksSql(opens.humanEngagement, period), params),
        asOf: await latestEvent(other),
        domains: await other.all<{ d: string }>(
          "SELECT DISTINCT sending_domain AS d FROM event_rows WHERE sending_domain IS NOT NULL ORDER BY d LIMIT 20",
        ),
      };
    })(),
  ]);
  const { cells, rows } = mine;
  const { policyRows, span, replies, weeks, asOf, domains } = theirs;
  const policyByDay = sumBy(policyRows, (r) => r.day).map(([day, policyBounces]) => ({ day, policyBounces }));
  const policyByIp = sumBy(policyRows, (r) => `${r.ip}\u0000${r.category}`).map(([key, count]) => {
    const [ip, category] = key.split("\u0000");
    return { ip, category, count };
  });
  const tiers = TIER_ORDER.map((tier) => ({
    tier,
    recipients: rows.find((t) => t.kind === "tier" && t.key === tier)?.recipients ?? 0,
  }));
  const cohorts = rows
    .filter((row) => row.kind === "cohort")
    .map(({ key, recipients, delivered, engaged }) => ({ cohort: key, recipients, delivered, engaged }))
    .sort((x, y) => (x.cohort < y.cohort ? -1 : 1));
  return {
    provider,
    asOf,
    cells,
    replies,
    tiers,
    weeks,
    cohorts,
    sendingDomains: domains.map((row) => row.d),
    policyByDay,
    policyByIp,
    window: span?.from && span.to ? { from: span.from, to: span.to } : undefined,
  };
}

/** Sums of `count` per key, in the rows' order of first appearance. */
function sumBy<T extends { count: number }>(rows: readonly T[], key: (row: T) => string): [string, number][] {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(key(row), (sums.get(key(row)) ?? 0) + Number(row.count));
  return [...sums];
}

/** Recipients of the provider per engagement tier (every tier present, in TIER_ORDER). */
export async function loadTiers(
  store: Store,
  provider: string,
  opens: OpenRules = SOURCE_AND_HEURISTIC,
): Promise<TierCount[]> {
  const rows = await store.all<TierCount>(tiersSql(opens.humanEngagement), { provider });
  return TIER_ORDER.map((tier) => ({ tier, recipients: rows.find((t) => t.tier === tier)?.recipients ?? 0 }));
}

export async function latestEvent(store: Store): Promise<string | null> {
  return (await store.one<{ t: string | null }>(LATEST_TIME_SQL))?.t ?? null;
}
