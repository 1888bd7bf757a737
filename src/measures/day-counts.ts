import type { Params, Store } from "../store/index.ts";
import { sqlIntegers } from "../util/sql.ts";
import { MESSAGE_KEY_SQL, RECIPIENT_KEY_SQL, typeIs } from "./definitions.ts";
import { SOURCE_AND_HEURISTIC } from "./opens.ts";
import { filesWithoutSent, firstAttemptsSql, messageFirstDaysSql, type PendingFile } from "./sent.ts";

/**
 * The per-day counts `stats` shows (measures `delivered`, `deferred_attempts`, `deferred_recipients`,
 * `bounced`, `machine_open`, `human_open`, `click`…), defined once here and read two ways: over the stored
 * rows (`event_rows`), or from the day summary (`day_counts`, `day_deferred`, docs/STORE.md) that ingest
 * keeps with the same definitions, so `stats` reads a few thousand rows instead of every event.
 * The summary judges opens by the source's flag and Apple's 17.0.0.0/8 (`SOURCE_AND_HEURISTIC`): with
 * Apple's egress CSV the rows are read instead.
 */

/**
 * SQL: the rows `where` selects, counted per provider, day (`d`), type and, for opens, `machine` (`n`), with
 * any `more` aggregates after the count.
 */
export const dayKindsSql = (where: string, machineOpen: string, more = ""): string =>
  `SELECT provider, time::DATE AS d, type, CASE WHEN ${typeIs("open")} THEN ${machineOpen} END AS machine,
    count(*) AS n${more} FROM event_rows WHERE ${where} GROUP BY ALL`;

/**
 * SQL: distinct recipients deferred per provider and day (`d`, `deferredRecipients`) among the rows `where`
 * selects, by their stored key (`RECIPIENT_KEY_SQL`): an integer DISTINCT, half the CPU of the addresses'
 * (1M grep'd Postfix rows: 0.06–0.09 → 0.02–0.03 CPU-s).
 */
export const dayDeferredSql = (where: string): string =>
  `SELECT provider, time::DATE AS d, count(DISTINCT ${RECIPIENT_KEY_SQL}) AS deferredRecipients FROM event_rows
    WHERE ${where} AND ${typeIs("deferred")} GROUP BY ALL`;

/** The same two sources from the summary; `dayWhere` filters on `day` and `provider`. */
export const summaryKindsSql = (dayWhere: string): string =>
  `SELECT provider, day AS d, type, machine, n FROM day_counts WHERE ${dayWhere}`;
export const summaryDeferredSql = (dayWhere: string): string =>
  `SELECT provider, day AS d, recipients AS deferredRecipients FROM day_deferred WHERE ${dayWhere}`;

/**
 * The first attempts (`firstAttemptsSql`: provider, d, pairs) from the summary, which keeps them over every
 * stored row of the files `first_attempt_files` lists. Read only for a period without a start (see
 * `firstAttemptsCover`): a message's first attempt in the rows up to a day is its first attempt in the store
 * when that falls up to the day, but a period from a day on would date a message retried across its start
 * by its first attempt inside it.
 */
export const summaryFirstAttemptsSql = (dayWhere: string): string =>
  `SELECT provider, day AS d, messages AS pairs FROM day_first_attempts WHERE ${dayWhere}`;

/** `[1, 2]::INTEGER[]`: file ids (integers written into the text) as the list `summary_state` keeps. */
const fileListSql = (ids: readonly number[]): string => `[${sqlIntegers(ids)}]::INTEGER[]`;

/**
 * Whether the summary's first attempts are those of the files counted by first attempts now (`unlogged`,
 * from `filesWithoutSent`); the summary must also cover the query (`daySummaryCovers`).
 */
export async function firstAttemptsCover(store: Store, unlogged: readonly number[]): Promise<boolean> {
  const row = await store.one<{ ok: boolean }>(
    `SELECT coalesce((SELECT first_attempt_files = ${fileListSql(unlogged)} FROM summary_state), false) AS ok`,
  );
  return row?.ok === true;
}

const MACHINE_OPEN = SOURCE_AND_HEURISTIC.machineOpen;

/**
 * The version of what the summary counts: a change to `dayKindsSql`, `dayDeferredSql`, `firstAttemptsSql` or
 * the machine-open rule they use must bump it, so summaries counted the old way are rebuilt instead of read.
 * 2: the first attempts (`day_first_attempts`, schema 15) are part of it.
 */
export const DAY_SUMMARY_DEFINITION = 2;

/**
 * SQL: `summary_state` describes the stored rows but `less` of them, whose event keys sum to `x`: counted by
 * this definition, over that many rows, whose keys summed to what it recorded. A writer that did not
 * refresh the summary changes the count, or (rows deleted and as many appended) the keys' sum; a writer
 * that changes rows in place (an UPDATE of other columns) changes neither: it must clear `summary_state`.
 * (Row ids would be cheaper but an open transaction's appended rows carry provisional ones.)
 */
const describesSql = (less: string, x: string) =>
  `coalesce((SELECT definition = ${DAY_SUMMARY_DEFINITION} AND event_rows = r.n - ${less}
    AND key_sum = coalesce(r.x, 0) - ${x} FROM summary_state), false)`;
const ROWS_SQL = "(SELECT count(*) AS n, sum(event_key) AS x FROM event_rows) r";

/**
 * SQL: one file's rows (`$file_id`; a batch of files': `$file_id` to `$last_id`) in the summary's groups (`dayKindsSql`), each with the sum of its rows'
 * event keys (`x`): the one scan after a file's INSERT that the settle counts its rows by (rows it flags carry
 * types of their own) and, kept as `FileKinds`, the summary is brought up to date from.
 */
const FILES_SQL = "file_id BETWEEN $file_id AND $last_id";
export const FILE_KINDS_SQL = dayKindsSql(FILES_SQL, MACHINE_OPEN, ", sum(event_key) AS x");

/**
 * A file's stored rows as FILE_KINDS_SQL groups them, in a table (`table`), and whether the store held rows
 * before the file (`storedBefore`): what refreshDaySummary needs instead of reading the file's rows again.
 */
export interface FileKinds {
  table: string;
  storedBefore: boolean;
}

/** Whether the summary describes the stored rows as they are. */
async function current(store: Store): Promise<boolean> {
  const row = await store.one<{ ok: boolean }>(`SELECT ${describesSql("0", "0")} AS ok FROM ${ROWS_SQL}`);
  return row?.ok === true;
}

/**
 * Whether the summary holds exactly what reading the rows would give for a query: it is current, no stored
 * row falls between the as-of instant and the end of its day (the summary counts whole days), and opens
 * are judged without the egress CSV.
 */
export async function daySummaryCovers(store: Store, asOf: Params, proxyIps: number): Promise<boolean> {
  if (proxyIps > 0 || !(await current(store))) return false;
  const row = await store.one<{ ok: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM event_rows
      WHERE time > $as_of::TIMESTAMP AND time < $as_of::TIMESTAMP::DATE + INTERVAL 1 DAY) AS ok`,
    asOf,
  );
  return row?.ok === true;
}

/** How `refreshDaySummary` brought the summary up to date (the tests check the incremental road is taken). */
export type Refresh = "merged" | "rebuilt" | "unchanged";

/** The temp table `scanFileKinds` writes: a file's rows as FILE_KINDS_SQL groups them. */
export const FILE_KINDS = "file_kinds";

/**
 * Reads a file's rows once into FILE_KINDS (FILE_KINDS_SQL), inside its transaction; those of the files
 * `fileId` to `lastId` of a batch (src/analytics/ingest/batch.ts) as one. `also`: a column more on every row,
 * a scalar subquery the same statement computes (with $file_id); DuckDB runs it beside the scan.
 */
export async function scanFileKinds(
  store: Store,
  fileId: number,
  lastId = fileId,
  also?: string,
): Promise<void> {
  const scan = also ? `SELECT *, ${also} FROM (${FILE_KINDS_SQL})` : FILE_KINDS_SQL;
  await store.run(`CREATE OR REPLACE TEMP TABLE ${FILE_KINDS} AS ${scan}`, {
    file_id: fileId,
    last_id: lastId,
  });
}

/**
 * Brings the summary up to date after a file's rows are settled (inside the file's transaction, `stored`
 * of them): its counts merged in, the deferred recipients of the days it touched counted again (distinct
 * over every file). A summary that did not describe the rows before this file (a store from before schema
 * 10, rows written by another writer, another definition) is rebuilt from every row instead, and so is a
 * store's first file's (plain inserts of its groupings: no merge, no other file to count again).
 * `scanned`: FILE_KINDS already holds the file's stored rows' groups (the settle's scan, its flagged rows
 * left out), and whether the store held rows before the file; else the file's rows are read here.
 * `lastId`: the files `fileId` to `lastId` of a batch, settled as one, their `files` rows already written
 * (no `format`).
 */
export async function refreshDaySummary(
  store: Store,
  fileId: number,
  stored: number,
  scanned?: { storedBefore: boolean },
  format?: string,
  lastId = fileId,
): Promise<Refresh> {
  const pending = format === undefined ? undefined : { fileId, format };
  const file = { file_id: fileId, last_id: lastId };
  if (!scanned) await scanFileKinds(store, fileId, lastId);
  const fileSum = `(SELECT coalesce(sum(x), 0) FROM ${FILE_KINDS})`;
  try {
    if (scanned?.storedBefore === false) {
      // The store's rows are this file's: its groups are the summary, no other row to read.
      // Counted by first attempts unless it logs sends (no other file of its format holds rows).
      const logs = await store.one<{ sent: boolean }>(
        `SELECT coalesce(bool_or(${typeIs("sent")}), true) AS sent FROM ${FILE_KINDS}`,
      );
      const unlogged = lastId > fileId ? await filesWithoutSent(store) : logs?.sent === false ? [fileId] : [];
      await store.run(
        `DELETE FROM day_counts; DELETE FROM day_deferred; DELETE FROM day_first_attempts;
        INSERT INTO day_counts SELECT provider, d, type, machine, n FROM ${FILE_KINDS};
        DELETE FROM summary_state;
        INSERT INTO summary_state SELECT $stored, ${fileSum}, ${DAY_SUMMARY_DEFINITION}, ${fileListSql(unlogged)}`,
        { stored },
      );
      await store.run(`INSERT INTO day_deferred ${dayDeferredSql(FILES_SQL)}`, file);
      await countFirstAttempts(store, unlogged);
      return "rebuilt";
    }
    const row = await store.one<{ before: boolean; empty: boolean }>(
      `SELECT ${describesSql("$stored", `${fileSum}`)} AS before, r.n = $stored AS empty FROM ${ROWS_SQL}`,
      { stored },
    );
    if (row?.before !== true || (row.empty && stored > 0)) {
      await rebuildDaySummary(store, pending);
      return "rebuilt";
    }
    if (stored === 0) return "unchanged";
    await store.run(
      `MERGE INTO day_counts c USING ${FILE_KINDS} f
        ON c.provider = f.provider AND c.day = f.d AND c.type = f.type AND c.machine IS NOT DISTINCT FROM f.machine
        WHEN MATCHED THEN UPDATE SET n = c.n + f.n
        WHEN NOT MATCHED THEN INSERT VALUES (f.provider, f.d, f.type, f.machine, f.n)`,
    );
    await store.run(
      `CREATE OR REPLACE TEMP TABLE file_days AS SELECT DISTINCT provider, d FROM ${FILE_KINDS}
        WHERE ${typeIs("deferred")}`,
    );
    await store.run(
      "DELETE FROM day_deferred c USING file_days f WHERE c.provider = f.provider AND c.day = f.d",
    );
    // The days' range first: DuckDB skips the row groups outside it (zone maps) before the join.
    await store.run(
      `INSERT INTO day_deferred SELECT provider, d, deferredRecipients FROM (${dayDeferredSql(
        "time >= (SELECT min(d) FROM file_days) AND time < (SELECT max(d) FROM file_days) + INTERVAL 1 DAY",
      )}) x SEMI JOIN file_days f USING (provider, d)`,
    );
    await store.run("DROP TABLE file_days");
    await mergeFirstAttempts(store, fileId, pending, lastId);
    // It described the rows before this file (checked above): now it describes them with the file's.
    await store.run(
      `UPDATE summary_state SET event_rows = event_rows + $stored, key_sum = key_sum + ${fileSum}`,
      { stored },
    );
    return "merged";
  } finally {
    if (!scanned) await store.run(`DROP TABLE ${FILE_KINDS}`);
  }
}

/** Whether the summary does not describe the stored rows as they are (see `describesSql`). */
export async function daySummaryBehind(store: Store): Promise<boolean> {
  return !(await current(store));
}

/** Recomputes the whole summary from the stored rows (`pending`: a file not in `files` yet, filesWithoutSent). */
export async function rebuildDaySummary(store: Store, pending?: PendingFile): Promise<void> {
  await store.run("DELETE FROM day_counts; DELETE FROM day_deferred");
  await store.run(`INSERT INTO day_counts ${dayKindsSql("true", MACHINE_OPEN)}`);
  await store.run(`INSERT INTO day_deferred ${dayDeferredSql("true")}`);
  const unlogged = await filesWithoutSent(store, pending);
  await store.run(
    `DELETE FROM summary_state;
    INSERT INTO summary_state SELECT count(*), coalesce(sum(event_key), 0), ${DAY_SUMMARY_DEFINITION},
      ${fileListSql(unlogged)} FROM event_rows`,
  );
  await countFirstAttempts(store, unlogged);
}

/** The summary's first attempts counted again from every stored row of the files `unlogged`. */
async function countFirstAttempts(store: Store, unlogged: readonly number[]): Promise<void> {
  await store.run("DELETE FROM day_first_attempts");
  if (unlogged.length === 0) return;
  await store.run(
    `INSERT INTO day_first_attempts SELECT provider, d, pairs FROM (${firstAttemptsSql("true", unlogged)})`,
  );
}

/**
 * `filesWithoutSent` once a file's rows are stored (`pending`, its `files` row not written yet), from the list
 * the summary kept while it described the rows before the file (`before`): only the file's format can change
 * its answer, and the file's own groups (FILE_KINDS) and the `files` rows of its format tell how, without a
 * read of every stored row (0.1 CPU-s at 10M rows). A list that does not take all or none of the format's
 * files, or no file given, reads the rows.
 */
async function filesWithoutSentAfter(
  store: Store,
  before: readonly number[],
  pending?: PendingFile,
): Promise<number[]> {
  if (!pending) return filesWithoutSent(store);
  const row = await store.one<{ sends: boolean; format: number[] }>(
    `SELECT (SELECT coalesce(bool_or(${typeIs("sent")}), false) FROM ${FILE_KINDS}) AS sends,
      (SELECT coalesce(list(file_id ORDER BY file_id), []) FROM files
        WHERE format = $format AND stored > 0 AND file_id <> $id) AS format`,
    { format: pending.format, id: pending.fileId },
  );
  const format = new Set(row?.format ?? []);
  const listed = before.filter((id) => format.has(id)).length;
  if (!row || (listed > 0 && listed < format.size)) return filesWithoutSent(store, pending);
  // The format's files with rows are all listed, or none of them (it logs sends already).
  if (row.sends) return before.filter((id) => !format.has(id));
  if (format.size > 0 && listed === 0) return [...before];
  return [...before, pending.fileId].sort((a, b) => a - b);
}

const sameIds = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * The summary's first attempts brought up to date with a settled file (`fileId`; a batch's: `fileId` to
 * `lastId`, one grouping of them all). When the files counted by first attempts are those before plus this
 * one (of the batch's, those now counted), only its messages can change: each is dated by its first
 * attempt in the file unless a file before holds an earlier one (a message dated earlier than before leaves
 * its former day) — one grouping of the file's attempts and one look-up of its messages in the stored rows.
 * Any other change of those files (a format's first file with `sent` events: its files are counted by their
 * sends from then on) counts them again from the rows.
 */
async function mergeFirstAttempts(
  store: Store,
  fileId: number,
  pending?: PendingFile,
  lastId = fileId,
): Promise<void> {
  const state = await store.one<{ files: number[] | null }>(
    "SELECT first_attempt_files AS files FROM summary_state",
  );
  const before = state?.files ?? [];
  const now = await filesWithoutSentAfter(store, before, pending);
  if (sameIds(now, before)) return;
  // The settled files (one, or a batch's) counted by first attempts now.
  const added = now.filter((id) => !before.includes(id));
  const settled = (id: number) => id >= fileId && id <= lastId;
  if (
    before.some(settled) ||
    !added.every(settled) ||
    !sameIds(
      now,
      [...before, ...added].sort((a, b) => a - b),
    )
  ) {
    await countFirstAttempts(store, now);
  } else {
    await store.run(
      `CREATE OR REPLACE TEMP TABLE file_firsts AS ${messageFirstDaysSql("true", added)};
      CREATE OR REPLACE TEMP TABLE first_moves AS
        SELECT f.provider, f.d, e.d AS earlier FROM file_firsts f LEFT JOIN (${messageFirstDaysSql(
          "true",
          before,
          `event_rows JOIN (SELECT provider, message_key FROM file_firsts) USING (provider, ${MESSAGE_KEY_SQL})`,
        )}) e USING (provider, message_key)
        WHERE e.d IS NULL OR e.d > f.d;
      MERGE INTO day_first_attempts c USING (
        SELECT provider, d, sum(n)::BIGINT AS n FROM (
          SELECT provider, d, 1 AS n FROM first_moves
          UNION ALL SELECT provider, earlier, -1 FROM first_moves WHERE earlier IS NOT NULL
        ) GROUP BY ALL
      ) f ON c.provider = f.provider AND c.day = f.d
        WHEN MATCHED THEN UPDATE SET messages = c.messages + f.n
        WHEN NOT MATCHED THEN INSERT VALUES (f.provider, f.d, f.n);
      DELETE FROM day_first_attempts WHERE messages = 0;
      DROP TABLE first_moves; DROP TABLE file_firsts`,
    );
  }
  await store.run(`UPDATE summary_state SET first_attempt_files = ${fileListSql(now)}`);
}
