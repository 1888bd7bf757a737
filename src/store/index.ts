export { explainStoreError } from "./errors.ts";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./schema.ts";
export { DEFAULT_MEMORY_LIMIT, type Params, type Row, Store, type StoreOptions } from "./store.ts";
