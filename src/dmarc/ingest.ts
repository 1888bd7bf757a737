import { createHash } from "node:crypto";
import {
  appendReports,
  type Store,
  type StoredAggregateReport,
  type StoredAggregateRow,
  type StoredTlsReport,
  storedReportKeys,
} from "../store/index.ts";
import { type ReportProblem, type ReportReading, readReportFile, readReportMessage } from "./read.ts";
import { type DayShare, daysOf, spreadCount } from "./spread.ts";
import type { AggregateReport, AggregateRow, Report, TlsReport } from "./types.ts";

/**
 * Storing report files: each file read and every report in it validated whole (src/dmarc/read.ts), then
 * deduplicated by reporter + report id + date range (some reporters reuse ids across days) and written in
 * batches, many small reports per transaction. A report is stored whole or not at all, and a failing
 * batch leaves what earlier batches stored.
 */

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

export interface ReportIngestOptions {
  /** Reports per transaction (default 500). */
  batchReports?: number;
  /** Called after each file. */
  onFile?: (summary: ReportFileSummary, index: number) => void;
}

/** Reporter + report id + date range, lower-cased reporter: the identity of a report. */
export function reportKey(report: Report): string {
  const reporter = report.reporter.trim().toLowerCase();
  return createHash("sha1")
    .update(`${report.kind}\u001f${reporter}\u001f${report.reportId}\u001f${report.begin}\u001f${report.end}`)
    .digest("hex");
}

/** An input of the reports reader: a file, or a message held in memory with the label it is known by. */
export type ReportInput = string | { label: string; raw: Buffer };

export async function ingestReportFiles(
  store: Store,
  paths: readonly ReportInput[],
  options: ReportIngestOptions = {},
): Promise<ReportFileSummary[]> {
  const known = await storedReportKeys(store);
  const batchSize = options.batchReports ?? 500;
  const summaries: ReportFileSummary[] = [];
  let aggregates: StoredAggregateReport[] = [];
  let tls: StoredTlsReport[] = [];
  let pending: ReportFileSummary[] = [];
  const flush = async () => {
    if (aggregates.length === 0 && tls.length === 0) return;
    const batch = { aggregates, tls };
    aggregates = [];
    tls = [];
    try {
      await store.transaction(() =>
        appendReports(store, batch.aggregates, batch.tls, Math.floor(Date.now() / 1000)),
      );
    } catch (error) {
      // Nothing of this batch was stored: its files say so and their keys are forgotten again.
      const message = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
      for (const report of [...batch.aggregates, ...batch.tls]) known.delete(report.key);
      for (const summary of pending) {
        if (summary.stored === 0) continue;
        summary.problems.push({ part: "", reason: "store", message: `not stored: ${message}` });
        summary.stored = 0;
        summary.records = 0;
        summary.messages = 0;
      }
    }
    pending = [];
  };
  for (const [index, input] of paths.entries()) {
    const path = typeof input === "string" ? input : input.label;
    const read =
      typeof input === "string" ? readReportFile(input) : readReportMessage(input.raw, input.label);
    const reading: ReportReading = await read.catch((error: unknown) => ({
      path,
      reports: [] as Report[],
      problems: [{ part: "", reason: "unreadable", message: errorMessage(error) }],
      notes: [] as string[],
    }));
    const summary: ReportFileSummary = {
      path,
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
      const key = reportKey(report);
      if (known.has(key)) {
        summary.duplicates++;
        continue;
      }
      known.add(key);
      summary.stored++;
      if (report.kind === "dmarc-aggregate") {
        const stored = storedAggregate(report, key, path);
        summary.records += stored.records;
        summary.messages += stored.messages;
        aggregates.push(stored);
      } else {
        tls.push(storedTls(report, key, path));
      }
    }
    pending.push(summary);
    summaries.push(summary);
    if (aggregates.length + tls.length >= batchSize) await flush();
    options.onFile?.(summary, index);
  }
  await flush();
  return summaries;
}

function errorMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message.split("\n", 1)[0]}` : message.split("\n", 1)[0];
}

/** The report's rows, one per record per day of its range (counts spread, summing to the original). */
export function storedAggregate(report: AggregateReport, key: string, path: string): StoredAggregateReport {
  const shares = daysOf(report.begin, report.end);
  const rows: StoredAggregateRow[] = [];
  let messages = 0;
  for (const [index, row] of report.rows.entries()) {
    messages += row.count;
    const counts = spreadCount(row.count, shares);
    for (const [d, share] of shares.entries()) {
      if (counts[d] === 0 && shares.length > 1) continue;
      rows.push(storedRow(row, index + 1, share, counts[d]));
    }
  }
  return {
    key,
    path,
    part: report.part,
    reporter: report.reporter,
    reporterEmail: report.reporterEmail,
    reportId: report.reportId,
    begin: report.begin,
    end: report.end,
    days: shares.length,
    policy: report.policy,
    schema: report.schema,
    generator: report.generator,
    errors: report.errors.length > 0 ? report.errors.join("; ") : null,
    records: report.rows.length,
    messages,
    rows,
  };
}

function storedRow(row: AggregateRow, record: number, share: DayShare, messages: number): StoredAggregateRow {
  // The DKIM result shown first: an aligned pass if there is one, else the first signature.
  const aligned = row.dkimAuth.find(
    (d) => d.result === "pass" && d.domain !== null && aligns(d.domain, row.headerFrom),
  );
  const dkim = aligned ?? row.dkimAuth[0];
  const spf = row.spfAuth.find((s) => s.scope === null || s.scope === "mfrom") ?? row.spfAuth[0];
  return {
    record,
    day: share.day,
    messages,
    sourceIp: row.sourceIp,
    disposition: row.disposition,
    dkim: row.dkim,
    spf: row.spf,
    reasons: row.reasons.length > 0 ? row.reasons.join(",") : null,
    reasonComment: row.reasonComment,
    headerFrom: row.headerFrom,
    envelopeFrom: row.envelopeFrom,
    envelopeTo: row.envelopeTo,
    dkimDomain: dkim?.domain ?? null,
    dkimSelector: dkim?.selector ?? null,
    dkimResult: dkim?.result ?? null,
    dkimResults:
      row.dkimAuth.length > 1
        ? row.dkimAuth
            .map((d) => `${d.domain ?? ""}${d.selector ? `/${d.selector}` : ""}=${d.result}`)
            .join(" ")
        : null,
    spfDomain: spf?.domain ?? null,
    spfScope: spf?.scope ?? null,
    spfResult: spf?.result ?? null,
  };
}

/** Relaxed alignment by shared suffix (the organizational domain is not computed here: display only). */
function aligns(domain: string, headerFrom: string): boolean {
  return domain === headerFrom || headerFrom.endsWith(`.${domain}`) || domain.endsWith(`.${headerFrom}`);
}

export function storedTls(report: TlsReport, key: string, path: string): StoredTlsReport {
  const shares = daysOf(report.begin, report.end);
  const policies: StoredTlsReport["policies"] = [];
  const failures: StoredTlsReport["failures"] = [];
  for (const [index, policy] of report.policies.entries()) {
    const ok = spreadCount(policy.successful, shares);
    const bad = spreadCount(policy.failed, shares);
    for (const [d, share] of shares.entries()) {
      if (shares.length > 1 && ok[d] === 0 && bad[d] === 0) continue;
      policies.push({
        policy: index + 1,
        day: share.day,
        type: policy.type,
        domain: policy.domain,
        mxHost: policy.mxHost,
        successful: ok[d],
        failed: bad[d],
      });
    }
    for (const failure of policy.failures) {
      const counts = spreadCount(failure.count, shares);
      for (const [d, share] of shares.entries()) {
        if (shares.length > 1 && counts[d] === 0) continue;
        failures.push({
          policy: index + 1,
          day: share.day,
          resultType: failure.resultType,
          sendingIp: failure.sendingIp,
          receivingMx: failure.receivingMx,
          receivingHelo: failure.receivingHelo,
          receivingIp: failure.receivingIp,
          sessions: counts[d],
          reasonCode: failure.reasonCode,
          info: failure.info,
        });
      }
    }
  }
  return {
    key,
    path,
    part: report.part,
    reporter: report.reporter,
    contact: report.contact,
    reportId: report.reportId,
    begin: report.begin,
    end: report.end,
    days: shares.length,
    successful: report.policies.reduce((sum, p) => sum + p.successful, 0),
    failed: report.policies.reduce((sum, p) => sum + p.failed, 0),
    policies,
    failures,
  };
}
