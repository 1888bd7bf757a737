/**
 * `deliverlens/store`: the embedded DuckDB store a sending program is loaded into (the same file the CLI's
 * `--db` names), and ingest of event files into it. Functions and types only.
 */
import { Store, type StoreOptions } from "../store/index.ts";

export { type FileSummary, type IngestOptions, ingestFile } from "../analytics/ingest/ingest.ts";
export type { Params, Row, Store, StoreOptions } from "../store/index.ts";

/**
 * Opens (creating and migrating when writable) the store at `path`; `":memory:"` for a throwaway one.
 * Close it with `store.close()`.
 */
export function openStore(path: string, options: StoreOptions = {}): Promise<Store> {
  return Store.open(path, options);
}
