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
export {
  appendReports,
  type DailyTotals,
  type DomainPolicy,
  type DomainSourceTotals,
  dmarcDaily,
  dmarcDomainSources,
  dmarcDomains,
  dmarcOverrides,
  dmarcReporters,
  dmarcSources,
  type OverrideTotals,
  type PublishedPolicy,
  type ReporterTotals,
  type ReportFilter,
  reportCounts,
  type SourceTotals,
  type StoredAggregateReport,
  type StoredAggregateRow,
  type StoredTlsReport,
  storedReportKeys,
  type TlsFailureTotals,
  type TlsPolicyTotals,
  tlsFailures,
  tlsPolicies,
} from "./reports.ts";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./schema.ts";
export { DEFAULT_MEMORY_LIMIT, type Params, type Row, Store, type StoreOptions } from "./store.ts";
