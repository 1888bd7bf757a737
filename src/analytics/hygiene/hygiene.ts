import type { Store } from "../../store/index.ts";
import { openOutput, SIGNATURES } from "../../util/output.ts";
import { resolveQuery } from "../stats/query.ts";
import { disposableDomains, ROLE_LOCAL_PARTS, TYPO_DOMAINS } from "./lists.ts";

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
} as const;
export type HygieneReason = keyof typeof HYGIENE_REASONS;

/**
 * Defaults: 180 days dormant is the long end of the 90/120/180-day sunset consensus for weekly senders;
 * 3 soft-bounce days follows listmonk's per-type bounce-count actions (event-sources-and-landscape.md §3–4).
 */
export interface HygieneOptions {
  dormantDays: number;
  softBounceDays: number;
  asOf?: string | null;
}
export const HYGIENE_DEFAULTS: HygieneOptions = { dormantDays: 180, softBounceDays: 3 };

export interface HygieneSummary {
  asOf: string | null;
  recipients: number;
  suppress: number;
  byReason: Record<HygieneReason, number>;
  /** Every reason that applies, counted per address (an address can have several). */
  allReasons: Record<HygieneReason, number>;
}

const SOFT_SQL =
  "(type = 'bounced' AND category IN ('mailbox', 'transient', 'rate-limit', 'unknown') AND NOT coalesce(permanent, false))";

async function buildFlags(store: Store, options: HygieneOptions) {
  const q = await resolveQuery(store, { asOf: options.asOf });
  await store.run("CREATE OR REPLACE TEMP TABLE hygiene_domains (domain VARCHAR, kind VARCHAR)");
  const domains = [
    ...TYPO_DOMAINS.map((t) => ({ domain: t.typo, kind: "typo" })),
    ...disposableDomains().map((domain) => ({ domain, kind: "disposable" })),
  ];
  await store.run(
    `INSERT INTO hygiene_domains SELECT unnest(from_json($rows, '[{"domain":"VARCHAR","kind":"VARCHAR"}]'), recursive := true)`,
    { rows: JSON.stringify(domains) },
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE hygiene AS
    WITH r AS (
      SELECT recipient, any_value(recipient_domain) AS domain, min(time) AS first_seen,
        bool_or(type = 'bounced' AND category = 'recipient') AS hard,
        bool_or(type = 'complaint') AS complaint,
        bool_or(type = 'unsubscribe') AS unsubscribe,
        count(DISTINCT time::DATE) FILTER (WHERE ${SOFT_SQL}) AS soft_days,
        max(time) FILTER (WHERE ${SOFT_SQL}) AS last_soft,
        max(time) FILTER (WHERE type = 'delivered') AS last_delivered,
        max(time) FILTER (WHERE ${q.opens.humanEngagement}) AS engaged
      FROM events WHERE ${q.where} AND recipient IS NOT NULL GROUP BY recipient
    )
    SELECT recipient, hard, complaint, unsubscribe,
      soft_days >= $soft_days AND (last_delivered IS NULL OR last_delivered < last_soft) AS repeated_soft,
      domain IN (SELECT domain FROM hygiene_domains WHERE kind = 'typo') AS typo,
      domain IN (SELECT domain FROM hygiene_domains WHERE kind = 'disposable') AS disposable,
      split_part(recipient, '@', 1) IN (SELECT unnest(from_json($roles, '["VARCHAR"]'))) AS role,
      date_diff('day', coalesce(engaged, first_seen), $as_of::TIMESTAMP) > $dormant_days AS dormant
    FROM r`,
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
};

const PRIMARY_SQL = `CASE ${Object.entries(FLAG_COLUMNS)
  .map(([reason, column]) => `WHEN ${column} THEN '${reason}'`)
  .join(" ")} END`;

/**
 * The list-hygiene picture; with `exportPath`, the suppression/sunset CSV (address,reason), sorted by
 * address (never over the store; over a file deliverlens did not write only with `force`).
 */
export async function hygiene(
  store: Store,
  options: Partial<HygieneOptions> = {},
  exportPath: string | null = null,
  force = false,
): Promise<HygieneSummary> {
  const merged = { ...HYGIENE_DEFAULTS, ...options };
  const q = await buildFlags(store, merged);
  const counts = await store.one<Record<string, number>>(
    `SELECT count(*) AS recipients, count(${PRIMARY_SQL}) AS suppress,
      ${Object.entries(FLAG_COLUMNS)
        .map(
          ([reason, column]) =>
            `count(*) FILTER (WHERE ${column}) AS "all:${reason}", count(*) FILTER (WHERE ${PRIMARY_SQL} = '${reason}') AS "primary:${reason}"`,
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
    recipients: counts?.recipients ?? 0,
    suppress: counts?.suppress ?? 0,
    byReason: pick("primary"),
    allReasons: pick("all"),
  };
}

/** The header line of the suppression CSV (also how an earlier export is recognised). */
export const EXPORT_HEADER = "address,reason";

async function exportCsv(store: Store, path: string, force: boolean): Promise<void> {
  const out = await openOutput(path, {
    option: "--export",
    protect: [store.path],
    signature: SIGNATURES.csv(EXPORT_HEADER),
    force,
  });
  try {
    await out.write(`${EXPORT_HEADER}\n`);
    const result = await store.connection.stream(
      `SELECT recipient, ${PRIMARY_SQL} AS reason FROM hygiene WHERE reason IS NOT NULL ORDER BY recipient`,
    );
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      const lines = chunk.getRows().map(([address, reason]) => `${csvField(String(address))},${reason}\n`);
      await out.write(lines.join(""));
    }
  } catch (error) {
    await out.abort();
    throw error;
  }
  await out.commit();
}

/** Addresses are attacker-controlled: quote when needed, and defuse spreadsheet formulas. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
