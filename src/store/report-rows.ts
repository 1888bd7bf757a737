/**
 * The records of aggregate reports as CSV lines for one `INSERT … SELECT … FROM read_csv` per batch of
 * reports (src/store/reports.ts): the lines are written where a report is read, on a reader thread
 * (src/dmarc/rows-csv.ts), cheaper to make and for DuckDB to read than JSON.
 *
 * Every string is quoted (quotes doubled): text round-trips exactly, line breaks included; an empty field
 * is NULL and `""` the empty string (read_csv with allow_quoted_nulls = false).
 */

/** The columns in dmarc_rows order; `day` is days since 1970-01-01. */
export const AGGREGATE_ROW_COLUMNS = [
  ["report_key", "VARCHAR"],
  ["record", "INTEGER"],
  ["day", "INTEGER"],
  ["source_ip", "VARCHAR"],
  ["messages", "BIGINT"],
  ["disposition", "VARCHAR"],
  ["dkim_aligned", "VARCHAR"],
  ["spf_aligned", "VARCHAR"],
  ["reasons", "VARCHAR"],
  ["reason_comment", "VARCHAR"],
  ["header_from", "VARCHAR"],
  ["envelope_from", "VARCHAR"],
  ["envelope_to", "VARCHAR"],
  ["dkim_domain", "VARCHAR"],
  ["dkim_selector", "VARCHAR"],
  ["dkim_result", "VARCHAR"],
  ["dkim_results", "VARCHAR"],
  ["spf_domain", "VARCHAR"],
  ["spf_scope", "VARCHAR"],
  ["spf_result", "VARCHAR"],
] as const;
