import { type OpenRules, SOURCE_AND_HEURISTIC } from "../analytics/stats/opens.ts";
import type { Store } from "../store/index.ts";

/**
 * The suppression/sunset segment for one provider (docs/DIAGNOSE.md "Prescriptions"), as of the latest
 * event in the store, with `opens` telling machine opens from human ones (`loadAppleEgress`): hard bounces (recipient category), complaints, unsubscribes, and recipients with
 * no click or human open in SUNSET_DAYS (never-engaged ones once MIN_MESSAGES_NEVER messages reached a
 * final outcome, delivered or bounced).
 * `deliverlens hygiene` gives the full list-hygiene picture; this is the part the diagnosis prescribes.
 */
export const SUNSET_DAYS = 180;
export const MIN_MESSAGES_NEVER = 3;
/** The re-engagement tier: last human engagement 91–180 days ago. */
export const REENGAGE_FROM_DAYS = 90;

const segmentSql = (key: string, opens: OpenRules) => `
WITH as_of AS (SELECT max(time) AS t FROM events),
r AS (
  SELECT ${key} AS recipient,
    bool_or(type = 'bounced' AND category = 'recipient') AS hard,
    bool_or(type = 'complaint') AS complained,
    bool_or(type = 'unsubscribe') AS unsubscribed,
    max(time) FILTER (WHERE ${opens.humanEngagement}) AS engaged,
    count(*) FILTER (WHERE type IN ('delivered', 'bounced')) AS messages
  FROM events WHERE provider = $provider AND recipient IS NOT NULL GROUP BY ${key}
)
SELECT recipient, CASE
    WHEN hard THEN 'hard-bounce'
    WHEN complained THEN 'complaint'
    WHEN unsubscribed THEN 'unsubscribed'
    WHEN engaged IS NULL AND messages >= ${MIN_MESSAGES_NEVER} THEN 'never-engaged'
    WHEN date_diff('day', engaged, (SELECT t FROM as_of)) > ${SUNSET_DAYS} THEN 'dormant-${SUNSET_DAYS}d'
    WHEN date_diff('day', engaged, (SELECT t FROM as_of)) > ${REENGAGE_FROM_DAYS} THEN 're-engage'
  END AS reason
FROM r`;

export interface Segments {
  suppress: { reason: string; recipients: number }[];
  suppressTotal: number;
  reengage: number;
}

export async function segmentCounts(
  store: Store,
  provider: string,
  opens: OpenRules = SOURCE_AND_HEURISTIC,
): Promise<Segments> {
  const rows = await store.all<{ reason: string; n: number }>(
    `SELECT reason, count(*) AS n FROM (${segmentSql("hash(recipient)", opens)}) WHERE reason IS NOT NULL GROUP BY reason ORDER BY reason`,
    { provider },
  );
  const suppress = rows
    .filter((r) => r.reason !== "re-engage")
    .map((r) => ({ reason: r.reason, recipients: r.n }));
  return {
    suppress,
    suppressTotal: suppress.reduce((s, r) => s + r.recipients, 0),
    reengage: rows.find((r) => r.reason === "re-engage")?.n ?? 0,
  };
}

/** CSV `address,reason` of the suppression segment (re-engagement candidates excluded), sorted. */
export async function suppressionCsv(
  store: Store,
  provider: string,
  opens: OpenRules = SOURCE_AND_HEURISTIC,
): Promise<string> {
  const rows = await store.all<{ recipient: string; reason: string }>(
    `SELECT recipient, reason FROM (${segmentSql("recipient", opens)}) WHERE reason IS NOT NULL AND reason <> 're-engage' ORDER BY recipient`,
    { provider },
  );
  return `address,reason\n${rows.map((r) => `${csvField(r.recipient)},${r.reason}`).join("\n")}${rows.length ? "\n" : ""}`;
}

/** Quote a CSV field when needed; a leading formula character is neutralised for spreadsheets. */
export function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
