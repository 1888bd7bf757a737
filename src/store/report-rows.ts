import type { StoredAggregateRow } from "./reports.ts";

/**
 * The records of aggregate reports as CSV lines for one `INSERT … SELECT … FROM read_csv` per batch of
 * reports (src/store/reports.ts): a CSV line is one JavaScript string per record, built where the report
 * is read (a worker thread), cheaper to make and for DuckDB to read than JSON. No DuckDB import here, so
 * the readers' worker threads can load it.
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

function text(value: string | null): string {
  if (value === null) return "";
  return `"${value.includes('"') ? value.replaceAll('"', '""') : value}"`;
}

/** One CSV line per record of one report (`key` its report_key). */
export function aggregateRowsCsv(key: string, rows: readonly StoredAggregateRow[]): string {
  const k = text(key);
  let out = "";
  for (const r of rows) {
    out += `${k},${r.record},${r.day},${text(r.sourceIp)},${r.messages},${text(r.disposition)},${text(r.dkim)},${text(r.spf)},${text(r.reasons)},${text(r.reasonComment)},${text(r.headerFrom)},${text(r.envelopeFrom)},${text(r.envelopeTo)},${text(r.dkimDomain)},${text(r.dkimSelector)},${text(r.dkimResult)},${text(r.dkimResults)},${text(r.spfDomain)},${text(r.spfScope)},${text(r.spfResult)}\n`;
  }
  return out;
}
