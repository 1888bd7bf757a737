import type { Params, Store } from "../store/index.ts";
import { RECIPIENT_KEY_SQL } from "./definitions.ts";
import { SOURCE_AND_HEURISTIC } from "./opens.ts";

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
  `SELECT provider, time::DATE AS d, type, CASE WHEN type = 'open' THEN ${machineOpen} END AS machine,
    count(*) AS n${more} FROM event_rows WHERE ${where} GROUP BY ALL`;

/**
 * SQL: distinct recipients deferred per provider and day (`d`, `deferredRecipients`) among the rows `where`
 * selects, by their stored key (`RECIPIENT_KEY_SQL`): an integer DISTINCT, half the CPU of the addresses'
 * (1M grep'd Postfix rows: 0.06–0.09 → 0.02–0.03 CPU-s).
 */
export const dayDeferredSql = (where: string): string =>
  `SELECT provider, time::DATE AS d, count(DISTINCT ${RECIPIENT_KEY_SQL}) AS deferredRecipients FROM event_rows
    WHERE ${where} AND type = 'deferred' GROUP BY ALL`;

/** The same two sources from the summary; `dayWhere` filters on `day` and `provider`. */
export const summaryKindsSql = (dayWhere: string): string =>
  `SELECT provider, day AS d, type, machine, n FROM day_counts WHERE ${dayWhere}`;
export const summaryDeferredSql = (dayWhere: string): string =>
  `SELECT provider, day AS d, recipients AS deferredRecipients FROM day_deferred WHERE ${dayWhere}`;

const MACHINE_OPEN = SOURCE_AND_HEURISTIC.machineOpen;

/**
 * The version of what the summary counts: a change to `dayKindsSql`, `dayDeferredSql` or the machine-open
 * rule they use must bump it, so summaries counted the old way are rebuilt instead of read.
 */
export const DAY_SUMMARY_DEFINITION = 1;

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
 * SQL: one file's rows (`$file_id`) in the summary's groups (`dayKindsSql`), each with the sum of its rows'
 * event keys (`x`): the one scan after a file's INSERT that the settle counts its rows by (rows it flags carry
 * types of their own) and, kept as `FileKinds`, the summary is brought up to date from.
 */
export const FILE_KINDS_SQL = dayKindsSql("file_id = $file_id", MACHINE_OPEN, ", sum(event_key) AS x");

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

/** Reads a file's rows once into FILE_KINDS (FILE_KINDS_SQL), inside its transaction. */
export async function scanFileKinds(store: Store, fileId: number): Promise<void> {
  await store.run(`CREATE OR REPLACE TEMP TABLE ${FILE_KINDS} AS ${FILE_KINDS_SQL}`, { file_id: fileId });
}

/**
 * Brings the summary up to date after a file's rows are settled (inside the file's transaction, `stored`
 * of them): its counts merged in, the deferred recipients of the days it touched counted again (distinct
 * over every file). A summary that did not describe the rows before this file (a store from before schema
 * 10, rows written by another writer, another definition) is rebuilt from every row instead, and so is a
 * store's first file's (plain inserts of its groupings: no merge, no other file to count again).
 * `scanned`: FILE_KINDS already holds the file's stored rows' groups (the settle's scan, its flagged rows
 * left out), and whether the store held rows before the file; else the file's rows are read here.
 */
export async function refreshDaySummary(
  store: Store,
  fileId: number,
  stored: number,
  scanned?: { storedBefore: boolean },
): Promise<Refresh> {
  const file = { file_id: fileId };
  if (!scanned) await scanFileKinds(store, fileId);
  const fileSum = `(SELECT coalesce(sum(x), 0) FROM ${FILE_KINDS})`;
  try {
    if (scanned?.storedBefore === false) {
      // The store's rows are this file's: its groups are the summary, no other row to read.
      await store.run(
        `DELETE FROM day_counts; DELETE FROM day_deferred;
        INSERT INTO day_counts SELECT provider, d, type, machine, n FROM ${FILE_KINDS};
        DELETE FROM summary_state;
        INSERT INTO summary_state SELECT $stored, ${fileSum}, ${DAY_SUMMARY_DEFINITION}`,
        { stored },
      );
      await store.run(`INSERT INTO day_deferred ${dayDeferredSql("file_id = $file_id")}`, file);
      return "rebuilt";
    }
    const row = await store.one<{ before: boolean; empty: boolean }>(
      `SELECT ${describesSql("$stored", `${fileSum}`)} AS before, r.n = $stored AS empty FROM ${ROWS_SQL}`,
      { stored },
    );
    if (row?.before !== true || (row.empty && stored > 0)) {
      await rebuildDaySummary(store);
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
        WHERE type = 'deferred'`,
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

/** Recomputes the whole summary from the stored rows. */
export async function rebuildDaySummary(store: Store): Promise<void> {
  await store.run("DELETE FROM day_counts; DELETE FROM day_deferred");
  await store.run(`INSERT INTO day_counts ${dayKindsSql("true", MACHINE_OPEN)}`);
  await store.run(`INSERT INTO day_deferred ${dayDeferredSql("true")}`);
  await markCovered(store);
}

async function markCovered(store: Store): Promise<void> {
  await store.run(
    `DELETE FROM summary_state;
    INSERT INTO summary_state SELECT count(*), coalesce(sum(event_key), 0), ${DAY_SUMMARY_DEFINITION} FROM event_rows`,
  );
}
