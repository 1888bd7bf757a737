import {
  checkpointReports,
  type Store,
  type StoredAggregateReport,
  type StoredTlsReport,
  storedReportKeys,
  storeReports,
} from "../store/index.ts";
import type { PreparedReport } from "./prepare.ts";
import type { ReportProblem } from "./read.ts";
import { type ReadPoolOptions, type ReportInput, readAllPrepared } from "./read-pool.ts";

export { reportKey, storedAggregate, storedTls } from "./prepare.ts";
export type { ReportInput } from "./read-pool.ts";

/**
 * Storing report files: each file read and every report in it validated whole (src/dmarc/read.ts), then
 * deduplicated by reporter + report id + date range (some reporters reuse ids across days) and written in
 * batches, many small reports per transaction. A report is stored whole or not at all, and a failing
 * batch leaves what earlier batches stored.
 */

/**
 * Rows of a batch: DuckDB's row group (https://duckdb.org/docs/stable/internals/storage#row-groups). A
 * transaction that appends a whole row group writes it straight to the table's storage; smaller ones go
 * through the write-ahead log and are compressed again at the next checkpoint (measured: 1.5× the CPU for
 * batches of 500 reports, notes/dmarc.md).
 */
const BATCH_ROWS = 122_880;

export interface ReportFileSummary {
  path: string;
  /** Reports found valid in the file (aggregate + TLS). */
  reports: number;
  aggregate: number;
  tls: number;
  stored: number;
  duplicates: number;
  /** Records (aggregate) of the stored reports, and the messages they count. */
  records: number;
  messages: number;
  /** Reports (or the whole file) refused, each with its part and reason. */
  problems: ReportProblem[];
  notes: string[];
}

export interface ReportIngestOptions extends ReadPoolOptions {
  /** Reports per transaction at most (default 5,000); a batch also ends at BATCH_ROWS rows. */
  batchReports?: number;
  /** Called after each file. */
  onFile?: (summary: ReportFileSummary, index: number) => void;
  /**
   * With `route`: called for each file that other readers must read — no report (it has no summary) or
   * an mbox with other messages besides reports (`both`: it also has its summary).
   */
  onOther?: (path: string, route: "both" | null) => void;
}

export async function ingestReportFiles(
  store: Store,
  paths: readonly ReportInput[],
  options: ReportIngestOptions = {},
): Promise<ReportFileSummary[]> {
  const known = await storedReportKeys(store);
  const batchSize = options.batchReports ?? 5000;
  const summaries: ReportFileSummary[] = [];
  let batch = emptyBatch();
  // One batch is written while the next is read (the readers keep working meanwhile); never more, so
  // memory holds two batches at most.
  let writing: Promise<Batch | null> = Promise.resolve(null);
  let inFlight = new Set<string>();
  /** Reports set aside as copies of one in the batch being written: stored after all if that batch fails. */
  let copies: Array<{ report: PreparedReport; summary: ReportFileSummary }> = [];
  let wrote = false;
  const add = (report: PreparedReport, summary: ReportFileSummary) => {
    known.add(report.stored.key);
    summary.stored++;
    if (report.kind === "dmarc-aggregate") {
      summary.records += report.stored.records;
      summary.messages += report.stored.messages;
      batch.aggregates.push(report.stored);
      batch.rows += report.stored.rowsCsvLines;
    } else {
      batch.tls.push(report.stored);
      batch.rows += report.stored.policies.length + report.stored.failures.length;
    }
  };
  const flush = async () => {
    const failed = await writing;
    if (failed) {
      for (const { report, summary } of copies) {
        if (known.has(report.stored.key)) continue;
        summary.duplicates--;
        add(report, summary);
        if (!batch.summaries.includes(summary)) batch.summaries.push(summary);
      }
    }
    copies = [];
    if (batch.aggregates.length === 0 && batch.tls.length === 0) {
      writing = Promise.resolve(null);
      inFlight = new Set();
      return;
    }
    const next = batch;
    batch = emptyBatch();
    inFlight = new Set([...next.aggregates, ...next.tls].map((report) => report.key));
    writing = write(store, next, known);
    wrote = true;
  };
  let index = 0;
  for await (const reading of readAllPrepared(paths, options)) {
    // An email routed here by markers it quotes (a bounce of a report) is no report: the other readers read it.
    const other = reading.route === null || (reading.noReportEmail === true && options.onOther !== undefined);
    if (other || reading.route === "both") options.onOther?.(reading.path, other ? null : "both");
    if (other) continue;
    const summary: ReportFileSummary = {
      path: reading.path,
      reports: reading.reports.length,
      aggregate: 0,
      tls: 0,
      stored: 0,
      duplicates: 0,
      records: 0,
      messages: 0,
      problems: reading.problems,
      notes: reading.notes,
    };
    for (const report of reading.reports) {
      if (report.kind === "dmarc-aggregate") summary.aggregate++;
      else summary.tls++;
      const key = report.stored.key;
      if (known.has(key)) {
        summary.duplicates++;
        if (inFlight.has(key)) copies.push({ report, summary });
        continue;
      }
      add(report, summary);
    }
    batch.summaries.push(summary);
    summaries.push(summary);
    if (batch.aggregates.length + batch.tls.length >= batchSize || batch.rows >= BATCH_ROWS) await flush();
    options.onFile?.(summary, index++);
  }
  await flush(); // the last batch
  await flush(); // waits for it (copies of its reports set aside are written if it failed)
  await writing;
  // What was committed is stored either way: a checkpoint that fails is tried again when the store closes.
  if (wrote) await checkpointReports(store).catch(() => undefined);
  return summaries;
}

interface Batch {
  aggregates: StoredAggregateReport[];
  tls: StoredTlsReport[];
  rows: number;
  /** The files whose reports are in the batch. */
  summaries: ReportFileSummary[];
}

function emptyBatch(): Batch {
  return { aggregates: [], tls: [], rows: 0, summaries: [] };
}

/**
 * Writes a batch; never throws. If it fails, nothing of it was stored: its files say so, their keys are
 * forgotten again, and the batch is returned (null when stored).
 */
async function write(store: Store, batch: Batch, known: Set<string>): Promise<Batch | null> {
  try {
    await storeReports(store, batch.aggregates, batch.tls, Math.floor(Date.now() / 1000));
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
    for (const report of [...batch.aggregates, ...batch.tls]) known.delete(report.key);
    for (const summary of batch.summaries) {
      if (summary.stored === 0) continue;
      summary.problems.push({ part: "", reason: "store", message: `not stored: ${message}` });
      summary.stored = 0;
      summary.records = 0;
      summary.messages = 0;
    }
    return batch;
  }
}
