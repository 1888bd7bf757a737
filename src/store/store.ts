import { existsSync, readFileSync } from "node:fs";
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampValue,
  type DuckDBValue,
} from "@duckdb/node-api";
import { sqlString } from "../util/sql.ts";
import { FRESH_SCHEMA_SQL, HASH_PROBE_SQL, MIGRATIONS, SCHEMA_VERSION } from "./schema.ts";

export type Params = Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;
/** A bulk inserter into one table (`Store.appender`); `closeSync()` flushes it. */
export type StoreAppender = DuckDBAppender;

/** A TIMESTAMP value for `StoreAppender.appendTimestamp`, from whole milliseconds since the epoch. */
export function timestampFromMs(ms: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(ms) * 1000n);
}

export interface StoreOptions {
  /** DuckDB memory_limit; its own default is most of the machine's RAM. */
  memoryLimit?: string;
  threads?: number;
  readOnly?: boolean;
}

/**
 * Defaults chosen so a 10M-event ingest stays under 1.5 GB peak RSS (docs/STORE.md, bench/ingest.ts). DuckDB's
 * share leaves room for the log parsers' threads, which run beside it: a 10M-line Postfix log peaked at 1.81 GB
 * with 1 GB here and 1.35 GB with 500 MB, in the same time; SendGrid ingest, stats and diagnose ran as fast.
 */
export const DEFAULT_MEMORY_LIMIT = "500MB";

/**
 * The DuckDB storage format a new store file is written in; an existing file keeps the format it was created
 * in (DuckDB does not convert it). From v1.3 DuckDB encodes text as DICT_FSST, a dictionary of FSST-compressed
 * strings, instead of trying its older dictionary and FSST encodings on every text column: that trying was
 * the largest single cost of writing event rows (https://duckdb.org/docs/stable/internals/storage).
 * Measured in docs/STORE.md: ingest 6–14 % less CPU, smaller files, `stats` as fast or faster. A file in this
 * format needs DuckDB ≥ 1.3 to open it.
 */
export const STORAGE_VERSION = "v1.3.0";

const SCHEMA_VERSION_TABLE_SQL =
  "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)";

/** An open DuckDB store with its schema migrated. Only this module talks to DuckDB directly. */
export class Store {
  readonly path: string;
  private readonly connection: DuckDBConnection;
  private readonly instance: DuckDBInstance;
  /** A second connection made by `fork`: closing it leaves the database open. */
  private readonly forked: boolean;

  private constructor(path: string, instance: DuckDBInstance, connection: DuckDBConnection, forked = false) {
    this.path = path;
    this.instance = instance;
    this.connection = connection;
    this.forked = forked;
  }

  /**
   * Another connection to the same open database, for independent reads run concurrently (one
   * connection runs one query at a time). Temp tables belong to the connection that made them.
   */
  async fork(): Promise<Store> {
    return new Store(this.path, this.instance, await this.instance.connect(), true);
  }

  static async open(path: string, options: StoreOptions = {}): Promise<Store> {
    // DuckDB's own words for this are "Cannot open database … in read-only mode".
    if (options.readOnly && path !== ":memory:" && !existsSync(path)) {
      throw new Error(
        `${path}: no such store; run \`deliverlens ingest FILE…\` (or \`deliverlens demo\`) first, or pass --db`,
      );
    }
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      threads: String(options.threads ?? 2),
      preserve_insertion_order: "false",
      // Never fetch or load an extension because of what an input looks like (a file named `http://…`).
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      storage_compatibility_version: STORAGE_VERSION,
    };
    if (options.readOnly) config.access_mode = "READ_ONLY";
    // A database made by this open holds nothing: no relation names to read before its schema is written. Made
    // means no file at the path before and one there after: DuckDB opens another file than the path names for some
    // paths (a leading `~` is the home directory to it, a name to Node), and such a store is read as any other.
    const absent = !(existsSync(path) || existsSync(`${path}.wal`));
    const instance = await DuckDBInstance.create(path, config).catch((error: unknown) => {
      throw heldByServe(path, error) ?? error;
    });
    const made = path === ":memory:" || (absent && existsSync(path));
    const connection = await instance.connect();
    const store = new Store(path, instance, connection);
    try {
      if (options.readOnly) await store.checkVersion();
      // A store made just now has no rows to settle.
      else if ((await store.migrate(made)) === "existing") await store.removeUnsettled();
    } catch (error) {
      store.close();
      throw error;
    }
    // An ingest killed between its file's two commits left rows a reader must not see: a writer removes them.
    if (options.readOnly && (await store.hasUnsettled())) {
      store.close();
      const writer = await Store.open(path, { ...options, readOnly: false }).catch((error: unknown) => {
        throw new Error(
          `${path}: holds the rows of an ingest that was interrupted, removed only by opening the store to write (this one could not: ${String((error as Error)?.message ?? error)}); run \`deliverlens ingest\` once with write access, with any file (one already stored adds nothing)`,
        );
      });
      writer.close();
      return Store.open(path, options);
    }
    return store;
  }

  /**
   * Removes the rows of the files `unsettled_files` lists (schema 22): an ingest commits a file's rows before
   * it settles them (src/analytics/ingest/ingest.ts), and one killed in between leaves them listed.
   */
  async removeUnsettled(): Promise<void> {
    if (!(await this.hasUnsettled())) return;
    await this.transaction(() =>
      this.run(`DELETE FROM event_rows WHERE file_id IN (SELECT file_id FROM unsettled_files);
        DELETE FROM unsettled_files`),
    );
  }

  private async hasUnsettled(): Promise<boolean> {
    return (
      (await this.one<{ any: boolean }>("SELECT EXISTS (SELECT 1 FROM unsettled_files) AS any"))?.any === true
    );
  }

  async run(sql: string, params?: Params): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Runs a statement and returns the number of rows it inserted/updated/deleted. */
  async exec(sql: string, params?: Params): Promise<number> {
    return (await this.connection.run(sql, params)).rowsChanged;
  }

  /**
   * Rows as plain JSON-safe objects: integers → number, TIMESTAMP → ISO 8601 UTC string.
   * Select DATE columns as VARCHAR (`strftime`) to get `YYYY-MM-DD`.
   */
  async all<T = Row>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map((row) => toPlain(row) as T);
  }

  /**
   * Rows of a query whose one column is each row's JSON text (DuckDB's `to_json` of the row), parsed: a row
   * crosses into JS as one value instead of one per column. For many wide rows (a page of new replies:
   * 10,000 rows of ten columns read in 0.05-0.08 CPU-s, by `all` 0.11-0.19). Gives what `all` would for
   * text, booleans and integers within 2^53, not for TIMESTAMP, DATE, HUGEINT or BLOB columns.
   */
  async allOfJson<T = Row>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return (reader.getColumnsJS()[0] ?? []).map((text) => JSON.parse(text as string) as T);
  }

  async one<T = Row>(sql: string, params?: Params): Promise<T | null> {
    return (await this.all<T>(sql, params))[0] ?? null;
  }

  /** Rows of a query a chunk at a time, each row an array of DuckDB values (big results, flat memory). */
  async *streamRows(sql: string, params?: Params): AsyncGenerator<DuckDBValue[][]> {
    const result = await this.connection.stream(sql, params);
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      yield chunk.getRows();
    }
  }

  /** A bulk inserter into `table` (in `schema` of `catalog`, e.g. a temp table: "main", "temp"). */
  async appender(table: string, schema?: string, catalog?: string): Promise<StoreAppender> {
    return this.connection.createAppender(table, schema, catalog);
  }

  /** How far the query running on this connection is, in percent (DuckDB's estimate; 0 when unknown). */
  queryProgress(): number {
    return this.connection.progress.percentage;
  }

  /** Run `work` in one transaction: all of it is committed, or none of it. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.run("BEGIN TRANSACTION");
    try {
      const result = await work();
      await this.run("COMMIT");
      return result;
    } catch (error) {
      await this.run("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  async schemaVersion(): Promise<number> {
    return this.versionIn(await this.relationNames());
  }

  /**
   * The tables and views of this store's database, by name (what information_schema.tables lists for it, read
   * from the catalog functions it is built on: 0.5 ms instead of 2.5 ms a query, three of them in a new store's
   * open).
   */
  private async relationNames(): Promise<string[]> {
    const rows = await this.all<{ name: string }>(`SELECT name FROM (
      SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database()
      UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal) ORDER BY 1`);
    return rows.map((row) => row.name);
  }

  private async versionIn(names: readonly string[]): Promise<number> {
    if (!names.includes("schema_version")) return 0;
    const row = await this.one<{ v: number | null }>("SELECT max(version) AS v FROM schema_version");
    return row?.v ?? 0;
  }

  close(): void {
    this.connection.closeSync();
    if (!this.forked) this.instance.closeSync();
  }

  /**
   * Brings the schema to SCHEMA_VERSION; "new" when the store had none (nothing in it, so nothing to settle).
   * `made`: the database was made by this open, so it holds no relation.
   */
  private async migrate(made: boolean): Promise<"new" | "existing"> {
    const names = made ? [] : await this.relationNames();
    const current = await this.versionIn(names);
    if (current > SCHEMA_VERSION) throw newerStoreError(this.path, current);
    if (current === 0) {
      this.refuseForeignDatabase(names);
      // A new store gets the current schema directly, in one statement; the migrations are for stores that
      // have data. One INSERT for every version (ten inserts cost ~10 ms of a new store's ~40 ms open).
      const rows = MIGRATIONS.map((m) => `(${m.version}, ${sqlString(m.description)}, now()::TIMESTAMP)`);
      await this.transaction(() =>
        this.run(
          `${SCHEMA_VERSION_TABLE_SQL};\n${FRESH_SCHEMA_SQL};\nINSERT INTO schema_version VALUES ${rows.join(", ")}`,
        ),
      );
      return "new";
    }
    for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
      await this.transaction(async () => {
        await this.run(migration.sql);
        await this.run("INSERT INTO schema_version VALUES ($version, $description, now()::TIMESTAMP)", {
          version: migration.version,
          description: migration.description,
        });
      });
    }
    return "existing";
  }

  /**
   * A DuckDB file of another program (tables, but no schema_version) is not taken over: nothing is
   * created in it, not even schema_version.
   */
  private refuseForeignDatabase(names: readonly string[]): void {
    const others = names.filter((name) => name !== "schema_version");
    if (others.length > 0)
      throw new Error(
        `${this.path}: a DuckDB database of another program (tables ${others.slice(0, 5).join(", ")}${others.length > 5 ? ", …" : ""}), not a deliverlens store; give another --db`,
      );
  }

  private async checkVersion(): Promise<void> {
    const current = await this.schemaVersion();
    if (current > SCHEMA_VERSION) throw newerStoreError(this.path, current);
    if (current < SCHEMA_VERSION) {
      throw new Error(
        `${this.path}: store schema ${current} is older than ${SCHEMA_VERSION}; run ingest to migrate`,
      );
    }
    // Keys DuckDB's hash made (recipient_hash, message_key, a `hash` store's event keys) are made again only by
    // an ingest (finalize.ts eventKeyRecipe): a reader would group by stale keys, and compare them with new ones.
    const probe = await this.one<{ same: boolean | null }>(
      `SELECT bool_and(hash_probe = ${HASH_PROBE_SQL}) AS same FROM key_state`,
    );
    if (probe?.same === false) throw staleHashError(this.path);
  }
}

/**
 * Waits for every task (even after one fails) before closing the connection (a `fork`) they share, so no
 * query is still running on it when it closes; then returns the results or throws the first failure.
 */
export async function allThenClose<A, B>(
  connection: Store,
  tasks: [Promise<A>, Promise<B>],
): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled(tasks);
  connection.close();
  if (a.status === "rejected") throw a.reason;
  if (b.status === "rejected") throw b.reason;
  return [a.value, b.value];
}

/**
 * Where a running `deliverlens serve` says it holds a store (its pid and URL), removed when it stops.
 * DuckDB has one writer: while serve runs, the other commands are pointed to its API.
 */
export function storeHolderPath(path: string): string {
  return `${path}.serve.json`;
}

function heldByServe(path: string, error: unknown): Error | null {
  if (path === ":memory:" || !/Could not set lock/.test(String((error as Error)?.message))) return null;
  let holder: { pid?: unknown; url?: unknown };
  try {
    holder = JSON.parse(readFileSync(storeHolderPath(path), "utf8"));
  } catch {
    return null;
  }
  if (typeof holder.url !== "string" || typeof holder.pid !== "number") return null;
  return new Error(
    `${path}: held by deliverlens serve (pid ${holder.pid}; DuckDB allows one writer): read the same numbers from ${holder.url}/api/stats (what stats --json prints), or stop serve (SIGTERM drains and exits) first`,
  );
}

/** A store whose hashed keys another DuckDB made (key_state.hash_probe), opened read-only. */
function staleHashError(path: string): Error {
  return new Error(
    `${path}: the store's keys were made by a DuckDB whose hash gives other values than this one's (deliverlens or DuckDB was upgraded), so counts by recipient and message would be wrong; run \`deliverlens ingest\` once, with any file (one already stored adds nothing), to make them again`,
  );
}

function newerStoreError(path: string, version: number): Error {
  return new Error(`${path}: store schema ${version} is newer than this deliverlens (${SCHEMA_VERSION})`);
}

function toPlain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toPlain(inner)]));
  }
  return value;
}
