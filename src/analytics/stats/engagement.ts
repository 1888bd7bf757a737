import { TIER_SQL, TIERS, type Tier } from "../../measures/index.ts";
import type { Store } from "../../store/index.ts";
import type { ResolvedQuery } from "./query.ts";

/** Engagement tiers (measure `engagement_tier`): defined in src/measures. */
export { TIER_SQL, TIERS, type Tier } from "../../measures/index.ts";

/**
 * Clicks and human opens up to the as-of instant, of every provider and from the store's start (recency
 * looks before `--from`): provider, recipient hash `r`, time. A FROM source; `loadHumanEngagement` makes
 * it a temp table the measurements of one connection share.
 */
export const humanEngagementSql = (q: ResolvedQuery): string => `(SELECT provider, hash(recipient) AS r, time
  FROM event_rows WHERE time <= $as_of::TIMESTAMP AND recipient IS NOT NULL AND type IN ('open', 'click')
    AND ${q.opens.humanEngagement})`;

/** `humanEngagementSql` materialized once as the temp table `human_engagement`; returns its name. */
export async function loadHumanEngagement(store: Store, q: ResolvedQuery): Promise<string> {
  await store.run(`CREATE OR REPLACE TEMP TABLE human_engagement AS SELECT * FROM ${humanEngagementSql(q)}`, {
    as_of: q.params.as_of,
  });
  return "human_engagement";
}

export interface ProviderEngagement {
  provider: string;
  recipients: number;
  tiers: Record<Tier, number>;
}

/**
 * Per provider: recipients by tier, as of the query's as-of instant (recipients seen up to then). The
 * engaged recipients' last click or human open comes from the engagement rows alone (`human`, a FROM
 * source shaped like `humanEngagementSql`); "never" is the provider's distinct recipients minus them (a
 * recipient's provider follows from its domain, so it has one). Recipients are grouped by a 64-bit hash of the address: the same groups (collisions are
 * negligible for a count) at a fraction of the cost, and only the distinct count reads every row.
 */
export async function engagementTiers(
  store: Store,
  q: ResolvedQuery,
  human: string = humanEngagementSql(q),
): Promise<ProviderEngagement[]> {
  const rows = await store.all<{ provider: string; tier: Tier; n: number }>(
    `WITH engaged AS (
      SELECT provider, max(time) AS engaged FROM ${human} WHERE ${q.where} GROUP BY provider, r
    ), tiers AS (
      SELECT provider, ${TIER_SQL("engaged", "$as_of::TIMESTAMP")} AS tier, count(*) AS n FROM engaged GROUP BY ALL
    ), recipients AS (
      -- Distinct (provider, address hash) pairs first, then counted: a plain grouping parallelises where
      -- count(DISTINCT …) per provider does not.
      SELECT provider, count(*) AS n FROM (
        SELECT DISTINCT provider, hash(recipient) FROM event_rows WHERE ${q.where} AND recipient IS NOT NULL
      ) GROUP BY provider
    )
    SELECT provider, tier, n FROM tiers
    UNION ALL
    SELECT provider, 'never', r.n - coalesce((SELECT sum(t.n) FROM tiers t WHERE t.provider = r.provider), 0)
    FROM recipients r
    ORDER BY provider, tier`,
    q.params,
  );
  const out = new Map<string, ProviderEngagement>();
  for (const row of rows) {
    const entry = out.get(row.provider) ?? {
      provider: row.provider,
      recipients: 0,
      tiers: Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>,
    };
    entry.tiers[row.tier] = row.n;
    entry.recipients += row.n;
    out.set(row.provider, entry);
  }
  return [...out.values()].sort(
    (a, b) => b.recipients - a.recipients || a.provider.localeCompare(b.provider),
  );
}

export interface RecipientEngagement {
  recipient: string;
  provider: string;
  lastEngaged: string | null;
  tier: Tier;
}

/** Per recipient (for exports and the diagnosis): last human engagement and tier, ordered by address. */
export async function recipientEngagement(store: Store, q: ResolvedQuery): Promise<RecipientEngagement[]> {
  return store.all<RecipientEngagement>(
    `WITH last AS (
      SELECT recipient, any_value(provider) AS provider, max(time) FILTER (WHERE ${q.opens.humanEngagement}) AS engaged
      FROM event_rows WHERE ${q.where} AND recipient IS NOT NULL GROUP BY recipient
    )
    SELECT recipient, provider, engaged AS lastEngaged, ${TIER_SQL("engaged", "$as_of::TIMESTAMP")} AS tier
    FROM last ORDER BY recipient`,
    q.params,
  );
}
