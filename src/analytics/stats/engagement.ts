import { RECIPIENT_KEY_SQL, TIER_SQL, TIERS, type Tier, typeIs } from "../../measures/index.ts";
import { type Store, WITHOUT_ROOT_DOT_SQL } from "../../store/index.ts";
import type { ResolvedQuery } from "./query.ts";

/** Engagement tiers (measure `engagement_tier`): defined in src/measures. */
export { TIER_SQL, TIERS, type Tier } from "../../measures/index.ts";

/**
 * Clicks and human opens up to the as-of instant, of every provider and from the store's start (recency
 * looks before `--from`): provider, recipient hash `r`, time. A FROM source.
 */
export const humanEngagementSql = (
  q: ResolvedQuery,
): string => `(SELECT provider, ${RECIPIENT_KEY_SQL} AS r, time
  FROM event_rows WHERE time <= $as_of::TIMESTAMP AND ${RECIPIENT_KEY_SQL} IS NOT NULL AND ${typeIs("open", "click")}
    AND ${q.opens.humanEngagement})`;

export interface ProviderEngagement {
  provider: string;
  recipients: number;
  tiers: Record<Tier, number>;
}

/**
 * Per provider: recipients by tier, as of the query's as-of instant (recipients seen up to then): one
 * grouping of the rows by (provider, recipient) that takes each recipient's last click or human open, so
 * every recipient gets its tier ("never" without one) in the same pass that counts them (a recipient's
 * provider follows from its domain, so it has one), by their stored key (measures `RECIPIENT_KEY_SQL`).
 */
export async function engagementTiers(store: Store, q: ResolvedQuery): Promise<ProviderEngagement[]> {
  const rows = await store.all<{ provider: string; tier: Tier; n: number }>(
    `WITH engaged AS (
      SELECT provider, max(time) FILTER (WHERE ${q.opens.humanEngagement}) AS engaged
      FROM event_rows WHERE ${q.where} AND ${RECIPIENT_KEY_SQL} IS NOT NULL GROUP BY provider, ${RECIPIENT_KEY_SQL}
    )
    SELECT provider, ${TIER_SQL("engaged", "$as_of::TIMESTAMP")} AS tier, count(*) AS n FROM engaged
    GROUP BY ALL ORDER BY provider, tier`,
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

/**
 * Per recipient (for exports and the diagnosis; one address by its stored key, shown without a root dot): last
 * human engagement and tier, ordered by address.
 */
export async function recipientEngagement(store: Store, q: ResolvedQuery): Promise<RecipientEngagement[]> {
  return store.all<RecipientEngagement>(
    `WITH last AS (
      SELECT ${WITHOUT_ROOT_DOT_SQL("any_value(recipient)")} AS recipient, any_value(provider) AS provider,
        max(time) FILTER (WHERE ${q.opens.humanEngagement}) AS engaged
      FROM event_rows WHERE ${q.where} AND recipient IS NOT NULL GROUP BY ${RECIPIENT_KEY_SQL}
    )
    SELECT recipient, provider, engaged AS lastEngaged, ${TIER_SQL("engaged", "$as_of::TIMESTAMP")} AS tier
    FROM last ORDER BY recipient`,
    q.params,
  );
}
