import type { EventType } from "../events/event.ts";
import { FUTURE_TOLERANCE_HOURS } from "../util/limits.ts";
import { sqlEnum, sqlEnumList, sqlList } from "../util/sql.ts";

/**
 * The SQL text of the named measures (docs/MEASURES.md): one definition each, used by `stats`, `hygiene`,
 * `diagnose`, `plan` and the reports so the same question gets the same number everywhere. SQL only:
 * execution goes through src/store. Columns are those of `event_rows` / the `events` view.
 */

/**
 * Event types that are attempts to deliver a message (measure `sent`), as values of the stored `type`
 * (ENUM `event_type`, schema 3): plain string literals made DuckDB cast every row's type to text to
 * compare (the first-attempt grouping of the 10M bench store: 1.37–1.69 → 1.36–1.45 CPU-s).
 */
export const ATTEMPT_TYPES = sqlEnumList(["sent", "delivered", "deferred", "bounced"], "event_type");

/** SQL: the row's `type` is one of `types`, compared as the stored ENUM like ATTEMPT_TYPES. */
export const typeIs = (...types: [EventType, ...EventType[]]): string =>
  types.length === 1
    ? `type = ${sqlEnum(types[0], "event_type")}`
    : `type IN ${sqlEnumList(types, "event_type")}`;

/**
 * A period of whole UTC days, both ends inclusive and either open (`stats`/`diagnose` `--from`/`--to`):
 * the SQL conditions on `time` (named parameters `$from`, `$to`) and the parameters they need. Every
 * command that takes a window filters with this, so the same flags cover the same events everywhere.
 */
export interface Period {
  from?: string | null;
  to?: string | null;
}
export function periodSql(period: Period): { clauses: string[]; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  if (period.from) {
    clauses.push("time >= $from::DATE");
    params.from = period.from;
  }
  if (period.to) {
    clauses.push("time < $to::DATE + INTERVAL 1 DAY");
    params.to = period.to;
  }
  return { clauses, params };
}

/** The same period over a DATE column `day` (the day summary, src/measures/day-counts.ts), same parameters. */
export function periodDaysSql(period: Period): string[] {
  const clauses: string[] = [];
  if (period.from) clauses.push("day >= $from::DATE");
  if (period.to) clauses.push("day <= $to::DATE");
  return clauses;
}

/**
 * A FROM source: the stored rows (`event_rows`) with their reply's classification (`category`,
 * `provider_code`) joined by reply key — what measures over bounces and deferrals read. The `events` view
 * gives the same columns but also joins every row to `files`, which costs a join per row for a column
 * (`format`) these measures never read.
 */
export const CLASSIFIED_ROWS_SQL =
  "event_rows LEFT JOIN (SELECT reply_key, category, permanent, provider_code FROM reply_classes) USING (reply_key)";

/** Policy bounces: the classifier's categories that mean "the receiver refused the sender/content". */
export const POLICY_CATEGORIES = ["reputation", "content", "blocklist", "authentication"] as const;

/** Measure `policy_bounce`: a bounce event the classifier puts in a policy category (needs `events`). */
export const POLICY_SQL = `(${typeIs("bounced")} AND category IN ${sqlList(POLICY_CATEGORIES)})`;

/**
 * Measure `hard_bounced_message`: a bounce the classifier puts in `recipient` with a permanent reply — the
 * address does not exist (unknown user, disabled mailbox, no such domain), the reason `hygiene` suppresses an
 * address for (its `hard` flag is this too). A temporary reply never says so (an ESP's "Transient" bounce
 * with "421 4.3.2 All server ports are busy"). Counted per message, like `policy_bounced_message`; `stats` shows
 * the events per day as `bouncedByCategory.recipient`. Needs `category` and `permanent` (`events`, or
 * CLASSIFIED_ROWS_SQL).
 */
export const HARD_BOUNCE_SQL = `(${typeIs("bounced")} AND category = 'recipient' AND coalesce(permanent, false))`;

/**
 * SQL: a message sent at `at` went to a new address (measure `new_address`): its recipient's first event in
 * the store (`first`: first mailed or seen) is on the send's UTC day. A send whose audience is largely new
 * addresses is a list the program has never mailed (an import, a purchased or co-registration list) — the
 * one thing about an audience that opens hidden by Mail Privacy Protection, or a history too short to call
 * anyone dormant, cannot hide.
 */
export const newAddressSql = (first: string, at: string): string => `(${first}::DATE = ${at}::DATE)`;

/**
 * A message to a recipient (measure `sent`): its message id; without one, its campaign on that day;
 * without either, the day (so a source without ids counts one message per recipient per campaign per
 * day, however many attempts). A 64-bit hash of those (`messageKeySql` in src/store/schema.ts), stored
 * with each row at insert (column `message_key`, schema 7): groupings read an integer, not two strings.
 */
export const MESSAGE_KEY_SQL = "message_key";

/**
 * A recipient, as the measures and `hygiene` count them (distinct recipients, engagement per recipient): a
 * 64-bit hash of the address without a root dot (`c@gmail.com.` is `c@gmail.com`, schema 20), NULL without one,
 * stored with each row (column `recipient_hash`, schema 7). The same groups as the addresses (collisions are
 * negligible for a count) at a fraction of the cost.
 */
export const RECIPIENT_KEY_SQL = "recipient_hash";

/**
 * The sending IP and pool a message is judged by (per-IP and per-pool measures): those of its last attempt
 * that names one — the attempt whose result ended the message (a deferral on one IP then a rejection on
 * another counts against the second). An arbitrary row's IP (any_value) made per-IP counts differ between
 * runs on the same store; only attempts in the same instant on two IPs are left to DuckDB (a tie-break on
 * the value cost +15 % CPU at 10M events).
 */
export const LAST_ATTEMPT_IP_SQL = "arg_max(sending_ip, time) FILTER (WHERE sending_ip IS NOT NULL)";
export const LAST_ATTEMPT_POOL_SQL = "arg_max(pool, time) FILTER (WHERE pool IS NOT NULL)";

/**
 * The engagement window (days): a recipient with a click or human open in the 90 days before a send is
 * `engaged`; without one, `dormant` once known (first mailed or seen) for the whole window, else
 * `unknown_history`. 90 days is the short end of the practitioners' 90/120/180-day sunset consensus for
 * weekly senders.
 */
export const ENGAGEMENT_WINDOW_DAYS = 90;

/** The three states of a recipient at a send (measures `engaged`, `dormant`, `unknown_history`). */
export const RECIPIENT_STATES = ["engaged", "dormant", "unknown"] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** SQL: a human engagement at `engaged` (NULL when none) is recent enough at `at` to call the recipient engaged. */
export const engagedSql = (engaged: string, at: string): string =>
  `(${engaged} IS NOT NULL AND date_diff('day', ${engaged}, ${at}) <= ${ENGAGEMENT_WINDOW_DAYS})`;

/** SQL: a recipient first seen at `first` (its first event of any kind) has been known for the whole window at `at`. */
export const knownSql = (first: string, at: string): string =>
  `(date_diff('day', ${first}, ${at}) >= ${ENGAGEMENT_WINDOW_DAYS})`;

/**
 * SQL: the recipient's state at instant `at`, from its latest human engagement before it (`engaged`,
 * NULL when none) and when it was first seen (`first`, its first event in the store).
 */
export const recipientStateSql = (engaged: string, first: string, at: string): string => `CASE
  WHEN ${engagedSql(engaged, at)} THEN 'engaged'
  WHEN ${knownSql(first, at)} THEN 'dormant'
  ELSE 'unknown' END`;

/**
 * A row of `event_rows` dated no later than the store's last ingest could have seen: its `files.ingested_at`
 * plus FUTURE_TOLERANCE_HOURS (ingest quarantines a record dated later) and a day (before deliverlens wrote
 * it in UTC, `ingested_at` was the machine's local time). Stores of older versions hold rows dated in the
 * future (a bounce's `Date: … 2099`): such a row is never the "as of" of the measures below.
 */
export const NOT_FUTURE_SQL = `time <= coalesce((SELECT max(ingested_at) FROM files) + INTERVAL ${FUTURE_TOLERANCE_HOURS + 24} HOUR,
  'infinity'::TIMESTAMP)`;

/**
 * The store's latest event, `t`: what recency (engagement tiers, dormancy, diagnose's and serve's windows)
 * is measured as of, unless a day is given (docs/MEASURES.md). Rows past NOT_FUTURE_SQL are left out.
 */
export const LATEST_TIME_SQL = `SELECT max(time) AS t FROM event_rows WHERE ${NOT_FUTURE_SQL}`;

/** Engagement tiers by days since the last click or human open, as of an instant (measure `engagement_tier`). */
export const TIERS = ["0-30", "31-90", "91-180", "181-365", "365+", "never"] as const;
export type Tier = (typeof TIERS)[number];

export const TIER_SQL = (engaged: string, asOf: string): string => `CASE
  WHEN ${engaged} IS NULL THEN 'never'
  WHEN date_diff('day', ${engaged}, ${asOf}) <= 30 THEN '0-30'
  WHEN date_diff('day', ${engaged}, ${asOf}) <= ${ENGAGEMENT_WINDOW_DAYS} THEN '31-90'
  WHEN date_diff('day', ${engaged}, ${asOf}) <= 180 THEN '91-180'
  WHEN date_diff('day', ${engaged}, ${asOf}) <= 365 THEN '181-365'
  ELSE '365+' END`;

/**
 * The sunset: a recipient known this long without a click or human open is suppressed (`suppress`,
 * reason `dormant`); 180 days is the long end of the 90/120/180-day consensus. Recipients last engaged
 * between ENGAGEMENT_WINDOW_DAYS and SUNSET_DAYS ago are the re-engagement segment (`reengage`).
 */
export const SUNSET_DAYS = 180;
