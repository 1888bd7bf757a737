import {
  ENGAGEMENT_WINDOW_DAYS,
  HARD_BOUNCE_SQL,
  type OpenRules,
  RECIPIENT_KEY_SQL,
  SUNSET_DAYS,
  typeIs,
} from "../../measures/index.ts";
import { type Store, WITHOUT_ROOT_DOT_SQL } from "../../store/index.ts";
import { csvField } from "../../util/csv.ts";
import { type OutputOptions, openOutput, SIGNATURES } from "../../util/output.ts";
import { sqlString } from "../../util/sql.ts";
import { resolveQuery } from "../stats/query.ts";
import { disposableDomains, ROLE_LOCAL_PARTS, TYPO_DOMAINS } from "./lists.ts";

/** Messages after which a never-engaged address is suppressed (however recently it was first mailed). */
export const MIN_MESSAGES_NEVER = 3;

/** Suppression reasons, strongest first: an address gets the first that applies. */
export const HYGIENE_REASONS = {
  "hard-bounce": "the receiver said the address does not exist (classifier category: recipient)",
  complaint: "the recipient reported the mail as spam",
  unsubscribe: "the recipient unsubscribed",
  "repeated-soft-bounce": "soft bounces on several days and no delivery since",
  "typo-domain": "the domain looks like a typo of a big provider's",
  disposable: "a disposable-address domain",
  "role-account": "a role address (RFC 2142), not a person",
  dormant: "no click or human open for longer than the dormant threshold (or never, and known that long)",
  "never-engaged": `never a click or human open in ${MIN_MESSAGES_NEVER}+ delivered or bounced messages`,
} as const;
export type HygieneReason = keyof typeof HYGIENE_REASONS;

/**
 * Measures `suppress` and `reengage` (src/measures): the one suppression segment, which `diagnose`
 * prescribes for its provider (`provider`) and `hygiene` reports for every provider (or `--provider`).
 * Defaults: 180 days dormant is the sunset (SUNSET_DAYS, the long end of the 90/120/180-day consensus
 * for weekly senders); 3 soft-bounce days follows listmonk's per-type bounce-count actions.
 */
export interface HygieneOptions {
  dormantDays: number;
  softBounceDays: number;
  asOf?: string | null;
  /** Only this provider's recipients (diagnose's segment); all providers when absent. */
  provider?: string | null;
  /** How machine opens are told from human ones (default: source flags and 17.0.0.0/8). */
  opens?: OpenRules;
}
export const HYGIENE_DEFAULTS: HygieneOptions = { dormantDays: SUNSET_DAYS, softBounceDays: 3 };

export interface HygieneSummary {
  asOf: string | null;
  /** The provider the counts are limited to, null for all. */
  provider: string | null;
  recipients: number;
  suppress: number;
  byReason: Record<HygieneReason, number>;
  /** Every reason that applies, counted per address (an address can have several). */
  allReasons: Record<HygieneReason, number>;
  /** Measure `reengage`: not suppressed, last engaged 91 days to the dormant threshold ago. */
  reengage: number;
}

const SOFT_SQL = `(${typeIs("bounced")} AND category IN ('mailbox', 'transient', 'rate-limit', 'unknown') AND NOT coalesce(permanent, false))`;

/** The recipient's domain, as the `events` view's `recipient_domain`. */
const DOMAIN_SQL = "CASE WHEN strpos(recipient, '@') > 0 THEN split_part(recipient, '@', -1) END";

async function buildFlags(store: Store, options: HygieneOptions) {
  const q = await resolveQuery(store, { asOf: options.asOf, provider: options.provider }, options.opens);
  await store.run("CREATE OR REPLACE TEMP TABLE hygiene_domains (domain VARCHAR, kind VARCHAR)");
  // Domain names hold no whitespace: one space-joined string splits far faster than a JSON array parses.
  await store.run(
    `INSERT INTO hygiene_domains SELECT unnest(string_split($typo, ' ')), 'typo'
    UNION ALL SELECT unnest(string_split($disposable, ' ')), 'disposable'`,
    {
      typo: TYPO_DOMAINS.map((t) => t.typo).join(" "),
      disposable: disposableDomains()
        .filter((domain) => !/\s/.test(domain))
        .join(" "),
    },
  );
  await store.run(
    // Recipients grouped by their stored key (measure RECIPIENT_KEY_SQL: `c@gmail.com.` is `c@gmail.com`), the
    // address kept with any_value and shown without a root dot: integer groups, and only the bounces go through
    // the classification join (`events`); the rest reads `event_rows`.
    `CREATE OR REPLACE TEMP TABLE hygiene AS
    WITH r AS (
      SELECT ${RECIPIENT_KEY_SQL} AS h, ${WITHOUT_ROOT_DOT_SQL("any_value(recipient)")} AS recipient, min(time) AS first_seen,
        bool_or(${typeIs("complaint")}) AS complaint,
        bool_or(${typeIs("unsubscribe")}) AS unsubscribe,
        max(time) FILTER (WHERE ${typeIs("delivered")}) AS last_delivered,
        max(time) FILTER (WHERE ${q.opens.humanEngagement}) AS engaged,
        count(*) FILTER (WHERE ${typeIs("delivered", "bounced")}) AS messages
      FROM event_rows WHERE ${q.where} AND recipient IS NOT NULL GROUP BY 1
    ), b AS (
      SELECT ${RECIPIENT_KEY_SQL} AS h, bool_or(${HARD_BOUNCE_SQL}) AS hard,
        count(DISTINCT time::DATE) FILTER (WHERE ${SOFT_SQL}) AS soft_days,
        max(time) FILTER (WHERE ${SOFT_SQL}) AS last_soft
      FROM events WHERE ${q.where} AND recipient IS NOT NULL AND ${typeIs("bounced")} GROUP BY 1
    )
    SELECT recipient, coalesce(hard, false) AS hard, complaint, unsubscribe,
      coalesce(soft_days >= $soft_days AND (last_delivered IS NULL OR last_delivered < last_soft), false) AS repeated_soft,
      ${DOMAIN_SQL} IN (SELECT domain FROM hygiene_domains WHERE kind = 'typo') AS typo,
      ${DOMAIN_SQL} IN (SELECT domain FROM hygiene_domains WHERE kind = 'disposable') AS disposable,
      split_part(recipient, '@', 1) IN (SELECT unnest(from_json($roles, '["VARCHAR"]'))) AS role,
      date_diff('day', coalesce(engaged, first_seen), $as_of::TIMESTAMP) > $dormant_days AS dormant,
      engaged IS NULL AND messages >= ${MIN_MESSAGES_NEVER} AS never_engaged,
      date_diff('day', engaged, $as_of::TIMESTAMP) > ${ENGAGEMENT_WINDOW_DAYS} AS lapsed
    FROM r LEFT JOIN b USING (h)`,
    {
      ...q.params,
      soft_days: options.softBounceDays,
      dormant_days: options.dormantDays,
      roles: JSON.stringify(ROLE_LOCAL_PARTS.map((r) => r.local)),
    },
  );
  return q;
}

const FLAG_COLUMNS: Record<HygieneReason, string> = {
  "hard-bounce": "hard",
  complaint: "complaint",
  unsubscribe: "unsubscribe",
  "repeated-soft-bounce": "repeated_soft",
  "typo-domain": "typo",
  disposable: "disposable",
  "role-account": "role",
  dormant: "dormant",
  "never-engaged": "never_engaged",
};

const PRIMARY_SQL = `CASE ${Object.entries(FLAG_COLUMNS)
  .map(([reason, column]) => `WHEN ${column} THEN ${sqlString(reason)}`)
  .join(" ")} END`;

/**
 * The list-hygiene picture; with `exportPath`, the suppression/sunset CSV (address,reason), sorted by
 * address (never over the store; over a file deliverlens did not write only with `force`).
 */
export async function hygiene(
  store: Store,
  options: Partial<HygieneOptions> = {},
  exportPath: string | null = null,
  force: boolean | OutputOptions = false,
): Promise<HygieneSummary> {
  const merged = { ...HYGIENE_DEFAULTS, ...options };
  const q = await buildFlags(store, merged);
  const counts = await store.one<Record<string, number>>(
    `SELECT count(*) AS recipients, count(${PRIMARY_SQL}) AS suppress,
      count(*) FILTER (WHERE ${PRIMARY_SQL} IS NULL AND lapsed) AS reengage,
      ${Object.entries(FLAG_COLUMNS)
        .map(
          ([reason, column]) =>
            `count(*) FILTER (WHERE ${column}) AS "all:${reason}", count(*) FILTER (WHERE ${PRIMARY_SQL} = ${sqlString(reason)}) AS "primary:${reason}"`,
        )
        .join(", ")}
    FROM hygiene`,
  );
  const pick = (prefix: string) =>
    Object.fromEntries(
      Object.keys(FLAG_COLUMNS).map((reason) => [reason, counts?.[`${prefix}:${reason}`] ?? 0]),
    ) as Record<HygieneReason, number>;
  if (exportPath) await exportCsv(store, exportPath, force);
  return {
    asOf: q.asOf,
    provider: q.provider,
    recipients: counts?.recipients ?? 0,
    suppress: counts?.suppress ?? 0,
    byReason: pick("primary"),
    allReasons: pick("all"),
    reengage: counts?.reengage ?? 0,
  };
}

/** The header line of the suppression CSV (also how an earlier export is recognised). */
export const EXPORT_HEADER = "address,reason";

/** `force`: overwrite a foreign file; or the whole output policy of the command exporting (diagnose's). */
async function exportCsv(store: Store, path: string, force: boolean | OutputOptions): Promise<void> {
  const out = await openOutput(
    path,
    typeof force === "boolean"
      ? { option: "--export", protect: [store.path], signature: SIGNATURES.csv(EXPORT_HEADER), force }
      : force,
  );
  try {
    await out.write(`${EXPORT_HEADER}\n`);
    for await (const rows of store.streamRows(
      `SELECT recipient, ${PRIMARY_SQL} AS reason FROM hygiene WHERE reason IS NOT NULL ORDER BY recipient`,
    )) {
      const lines = rows.map(([address, reason]) => `${csvField(String(address))},${reason}\n`);
      await out.write(lines.join(""));
    }
  } catch (error) {
    await out.abort();
    throw error;
  }
  await out.commit();
}
