export { explainStoreError } from "./errors.ts";
export {
  fieldTableSql,
  IDENTITY_SQL,
  REPLY_CODE_SQL,
  sqlString,
  type TableSqlOptions,
  TRIM_SQL,
  transformSql,
} from "./field-sql.ts";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./schema.ts";
export { DEFAULT_MEMORY_LIMIT, type Params, type Row, Store, type StoreOptions } from "./store.ts";
