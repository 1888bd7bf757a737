import type { Store } from "../store/index.ts";
import { sqlIntegers } from "../util/sql.ts";
import { ATTEMPT_TYPES, MESSAGE_KEY_SQL, typeIs } from "./definitions.ts";

/**
 * Measure `sent`, messages to recipients. Sources that log one `sent` event per recipient of a message
 * (SendGrid `processed`, Mailgun `accepted`, SES `Send`, KumoMTA `Reception`, PowerMTA `r` records) are
 * counted by those events, on their day; for the others each message (`MESSAGE_KEY_SQL`) is counted
 * once, on the day of its first attempt (delivered, deferred or bounced), however many retries follow.
 * Same unit either way. Whether a format logs sends is decided per format over its files (`pending`: one
 * whose `files` row is not written yet).
 */
export async function filesWithoutSent(store: Store, pending?: PendingFile): Promise<number[]> {
  const formats = pending
    ? "(SELECT file_id, format FROM files WHERE file_id <> $id UNION ALL SELECT $id::INTEGER, $format)"
    : "files";
  const rows = await store.all<{ file_id: number }>(
    `WITH per_file AS (SELECT file_id, bool_or(${typeIs("sent")}) AS sent FROM event_rows GROUP BY file_id)
    SELECT file_id FROM per_file LEFT JOIN ${formats} USING (file_id)
    QUALIFY NOT bool_or(sent) OVER (PARTITION BY format) ORDER BY file_id`,
    pending ? { id: pending.fileId, format: pending.format } : undefined,
  );
  return rows.map((row) => row.file_id);
}

/** A file inside its ingest's transaction, its rows stored but its `files` row not yet written. */
export interface PendingFile {
  fileId: number;
  format: string;
}

/**
 * SQL: the row comes from a file counted by first attempts (`ids`, from `filesWithoutSent`). The ids are
 * integers written into the text: a constant IN list costs nothing per row, a parsed parameter did.
 */
export const unloggedFileSql = (ids: readonly number[]): string => {
  const list = sqlIntegers(ids);
  // From five constants on DuckDB plans an IN list as a join that carries every column through it
  // (util/sql.ts sqlIn): a file's message look-up over 10M rows and 7 files, 0.40–0.51 → 0.35–0.43 CPU-s.
  // list_contains searches its list row by row, though (10M rows, 1,000 ids: 0.11 CPU-s; 10,000: 0.69):
  // a long list stays a join.
  if (ids.length === 0) return "false";
  return ids.length < 5 || ids.length > MAX_LISTED_FILES
    ? `file_id IN (${list})`
    : `list_contains([${list}], file_id)`;
};
const MAX_LISTED_FILES = 64;

/**
 * SQL: per provider and day, the messages of the files without `sent` events whose first attempt (in
 * the rows `where` selects) falls on that day: columns provider, d (DATE), pairs.
 */
export const firstAttemptsSql = (where: string, unlogged: readonly number[]): string => `
  SELECT provider, d, count(*) AS pairs FROM (${messageFirstDaysSql(where, unlogged)}) GROUP BY ALL`;

/**
 * SQL: the messages of the files without `sent` events among the rows `where` selects, each with the day
 * of its first attempt: columns provider, message_key, d (DATE) — what `firstAttemptsSql` counts, and what
 * the day summary keeps up to date per file (src/measures/day-counts.ts). `rows`: `event_rows`, or it joined
 * to a table of (provider, message_key) to look those messages up.
 * A message's first row in (key, time) order, what grouping by message with the least day gives (a NULL key
 * too: the first of a provider's rows, or after another key): sorting costs a quarter less CPU than grouping
 * the keys, nearly all distinct (4M grep'd Postfix rows, 3.6M messages: 0.75–0.91 vs 0.99–1.34 CPU-s).
 */
export const messageFirstDaysSql = (
  where: string,
  unlogged: readonly number[],
  rows = "event_rows",
): string => `
    SELECT provider, ${MESSAGE_KEY_SQL} AS message_key, time::DATE AS d FROM ${rows}
    WHERE ${where} AND type IN ${ATTEMPT_TYPES} AND ${unloggedFileSql(unlogged)}
    WINDOW message AS (PARTITION BY provider ORDER BY ${MESSAGE_KEY_SQL}, time)
    QUALIFY ${MESSAGE_KEY_SQL} IS DISTINCT FROM lag(${MESSAGE_KEY_SQL}) OVER message OR row_number() OVER message = 1`;

/**
 * SQL aggregates over one message's rows (grouped by `MESSAGE_KEY_SQL` and `unlogged`, the row test of
 * `unloggedFileSql`): how many `sent` it counts for and the instant that dates it, so per-message facts
 * sum to the daily `sent` of `stats`.
 */
export const messageSentSql = (unlogged: string): string =>
  `CASE WHEN any_value(${unlogged}) THEN 1 ELSE count(*) FILTER (WHERE ${typeIs("sent")}) END`;
export const messageTimeSql = (unlogged: string): string =>
  `CASE WHEN any_value(${unlogged}) THEN min(time) ELSE coalesce(min(time) FILTER (WHERE ${typeIs("sent")}), min(time)) END`;
