import { type OpenRules, SOURCE_AND_HEURISTIC } from "../analytics/stats/opens.ts";
import type { Store } from "../store/index.ts";
import {
  type Facts,
  POLICY_CATEGORIES,
  type ReplyGroup,
  type SendCell,
  type TierCount,
  type WeekEngagement,
} from "./facts.ts";

const POLICY_LIST = POLICY_CATEGORIES.map((c) => `'${c}'`).join(", ");

/**
 * One row per message to a recipient (however many attempts; the message is its id, else its campaign,
 * else the day, as in `stats`), with its engagement state at send time (ASOF join on the recipient's last
 * human engagement, as `stats` decides it), aggregated to day × campaign × IP (and pool) × dormant.
 */
const cellsSql = (humanEngagement: string) => `
WITH attempts AS (
  SELECT hash(recipient) AS rk, min(time) AS t, any_value(campaign) AS campaign, any_value(sending_ip) AS ip,
    any_value(pool) AS pool,
    bool_or(type = 'bounced' AND category IN (${POLICY_LIST})) AS policy,
    bool_or(type = 'deferred') AS deferred,
    bool_or(type = 'deferred' AND category = 'rate-limit') AS rate_deferred
  FROM events
  WHERE provider = $provider AND recipient IS NOT NULL
    AND type IN ('sent', 'delivered', 'deferred', 'bounced')
  GROUP BY hash(recipient), hash(coalesce(message_id, campaign, time::DATE::VARCHAR))
),
engagement AS (
  SELECT hash(recipient) AS rk, time FROM events WHERE provider = $provider AND ${humanEngagement}
),
joined AS (
  SELECT a.*, e.time AS last_engaged
  FROM attempts a ASOF LEFT JOIN engagement e ON a.rk = e.rk AND a.t > e.time
)
SELECT t::DATE::VARCHAR AS day, coalesce(campaign, '(none)') AS campaign,
  coalesce(ip, '(unknown)') AS ip, coalesce(pool, '(none)') AS pool,
  (last_engaged IS NULL OR t - last_engaged > INTERVAL 90 DAY) AS dormant,
  count(*) AS sent, count(*) FILTER (WHERE policy) AS policy, count(*) FILTER (WHERE deferred) AS deferred,
  count(*) FILTER (WHERE policy AND deferred) AS "policyDeferred",
  count(*) FILTER (WHERE rate_deferred) AS "rateDeferred",
  count(*) FILTER (WHERE policy AND rate_deferred) AS "policyRateDeferred"
FROM joined
GROUP BY ALL
ORDER BY day, campaign, ip, dormant`;

/** Distinct replies with addresses replaced, so per-recipient wording groups together. */
const REPLIES_SQL = `
SELECT type, coalesce(category, 'unknown') AS category, provider_code AS "providerCode", status,
  reply_code AS "replyCode",
  regexp_replace(coalesce(reply, ''), '[^\\s<>()\\[\\]"'',;:]+@[^\\s<>()\\[\\]"'',;:]+', '<recipient>', 'g') AS reply,
  count(*) AS count, min(time) AS "firstSeen", max(time) AS "lastSeen",
  coalesce(list(DISTINCT sending_ip ORDER BY sending_ip) FILTER (WHERE sending_ip IS NOT NULL), []) AS ips
FROM events
WHERE provider = $provider AND type IN ('bounced', 'deferred')
GROUP BY ALL
ORDER BY count DESC, reply
LIMIT 200`;

/** Engagement tiers of the provider's recipients as of the latest event in the store. */
const tiersSql = (humanEngagement: string) => `
WITH as_of AS (SELECT max(time) AS t FROM events),
last AS (
  SELECT max(time) FILTER (WHERE ${humanEngagement}) AS engaged
  FROM events WHERE provider = $provider AND recipient IS NOT NULL GROUP BY hash(recipient)
)
SELECT CASE
    WHEN engaged IS NULL THEN 'never'
    WHEN date_diff('day', engaged, (SELECT t FROM as_of)) <= 30 THEN '0-30'
    WHEN date_diff('day', engaged, (SELECT t FROM as_of)) <= 90 THEN '31-90'
    WHEN date_diff('day', engaged, (SELECT t FROM as_of)) <= 180 THEN '91-180'
    WHEN date_diff('day', engaged, (SELECT t FROM as_of)) <= 365 THEN '181-365'
    ELSE '365+' END AS tier,
  count(*) AS recipients
FROM last GROUP BY tier`;

/**
 * Per week (Monday first) of the provider's mail: messages delivered and human engagement events (clicks and
 * opens not judged machine, as `stats` decides them) — the engagement rate's numerator and denominator.
 * Engagement is counted in the week it happened.
 */
const weeksSql = (humanEngagement: string) => `
SELECT strftime(date_trunc('week', time), '%Y-%m-%d') AS week,
  count(*) FILTER (WHERE type = 'delivered') AS delivered,
  count(*) FILTER (WHERE ${humanEngagement}) AS engaged
FROM event_rows
WHERE provider = $provider AND type IN ('delivered', 'open', 'click')
GROUP BY ALL
ORDER BY week`;

export const TIER_ORDER = ["0-30", "31-90", "91-180", "181-365", "365+", "never"] as const;

/**
 * Everything the hypotheses need for one provider. `opens` tells machine opens from human ones (from
 * `loadAppleEgress`, given Apple's published egress ranges as for `stats --apple-egress`).
 */
export async function loadFacts(
  store: Store,
  provider: string,
  opens: OpenRules = SOURCE_AND_HEURISTIC,
): Promise<Facts> {
  const params = { provider };
  // One DuckDB connection runs one query at a time: await each in turn.
  const cells = await store.all<SendCell>(cellsSql(opens.humanEngagement), params);
  const replies = await store.all<ReplyGroup>(REPLIES_SQL, params);
  const tiers = await loadTiers(store, provider, opens);
  const weeks = await store.all<WeekEngagement>(weeksSql(opens.humanEngagement), params);
  const asOf = await latestEvent(store);
  const domains = await store.all<{ d: string }>(
    "SELECT DISTINCT sending_domain AS d FROM events WHERE sending_domain IS NOT NULL ORDER BY d LIMIT 20",
  );
  return { provider, asOf, cells, replies, tiers, weeks, sendingDomains: domains.map((row) => row.d) };
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
  return (await store.one<{ t: string | null }>("SELECT max(time) AS t FROM events"))?.t ?? null;
}
