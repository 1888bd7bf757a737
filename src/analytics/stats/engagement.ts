import type { Store } from "../../store/index.ts";
import { HUMAN_ENGAGEMENT_SQL } from "./opens.ts";
import type { ResolvedQuery } from "./query.ts";

/** Engagement tiers by days since the last click or human open (event-sources-and-landscape.md §3). */
export const TIERS = ["0-30", "31-90", "91-180", "181-365", "365+", "never"] as const;
export type Tier = (typeof TIERS)[number];

export const TIER_SQL = (engaged: string, asOf: string) => `CASE
  WHEN ${engaged} IS NULL THEN 'never'
  WHEN date_diff('day', ${engaged}, ${asOf}) <= 30 THEN '0-30'
  WHEN date_diff('day', ${engaged}, ${asOf}) <= 90 THEN '31-90'
  WHEN date_diff('day', ${engaged}, ${asOf}) <= 180 THEN '91-180'
  WHEN date_diff('day', ${engaged}, ${asOf}) <= 365 THEN '181-365'
  ELSE '365+' END`;

export interface ProviderEngagement {
  provider: string;
  recipients: number;
  tiers: Record<Tier, number>;
}

/**
 * Per provider: recipients by tier, as of the query's as-of instant (recipients seen up to then). One
 * grouping by recipient, its provider (a recipient's provider follows from its domain, so it has one) and
 * last click or human open; no engagement is "never". Recipients are grouped by a 64-bit hash of the
 * address: the same groups (collisions are negligible for a count) at a fraction of the cost.
 */
export async function engagementTiers(store: Store, q: ResolvedQuery): Promise<ProviderEngagement[]> {
  const rows = await store.all<{ provider: string; tier: Tier; n: number }>(
    `WITH last AS (
      SELECT any_value(provider) AS provider, max(time) FILTER (WHERE ${HUMAN_ENGAGEMENT_SQL}) AS engaged
      FROM event_rows WHERE ${q.where} AND recipient IS NOT NULL GROUP BY hash(recipient)
    )
    SELECT provider, ${TIER_SQL("engaged", "$as_of::TIMESTAMP")} AS tier, count(*) AS n
    FROM last GROUP BY ALL ORDER BY provider, tier`,
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
      SELECT recipient, any_value(provider) AS provider, max(time) FILTER (WHERE ${HUMAN_ENGAGEMENT_SQL}) AS engaged
      FROM event_rows WHERE ${q.where} AND recipient IS NOT NULL GROUP BY recipient
    )
    SELECT recipient, provider, engaged AS lastEngaged, ${TIER_SQL("engaged", "$as_of::TIMESTAMP")} AS tier
    FROM last ORDER BY recipient`,
    q.params,
  );
}
