import { hash } from "node:crypto";
import type { StoredAggregateReport, StoredTlsReport } from "../store/reports.ts";
import type { ReportProblem, ReportReading, ReportRoute } from "./read.ts";
import { aggregateRowsCsv } from "./rows-csv.ts";
import { daysOf, spreadCount } from "./spread.ts";
import type { AggregateReport, Report, TlsReport } from "./types.ts";

/**
 * A report read and validated (src/dmarc/read.ts) made ready to store: its identity (reportKey) and its
 * rows spread over the days it covers, as CSV lines for the store's one insert per batch. Pure and free
 * of DuckDB, so it runs in the readers' worker threads (src/dmarc/read-pool.ts) as well as here.
 */

export type PreparedReport =
  | { kind: "dmarc-aggregate"; stored: StoredAggregateReport }
  | { kind: "tls-report"; stored: StoredTlsReport };

/** A file's reading, ready to store: what a worker thread hands back (strings and small objects only). */
export interface PreparedReading {
  path: string;
  /** When the file was checked first (ReadPoolOptions.route): what it holds; null, not a report (unread). */
  route?: ReportRoute;
  reports: PreparedReport[];
  problems: ReportProblem[];
  notes: string[];
  /** ReportReading.noReportEmail. */
  noReportEmail?: boolean;
}

export function prepareReading(reading: ReportReading): PreparedReading {
  return {
    path: reading.path,
    problems: reading.problems,
    notes: reading.notes,
    noReportEmail: reading.noReportEmail,
    reports: reading.reports.map((report): PreparedReport => {
      const key = reportKey(report);
      if (report.kind === "tls-report")
        return { kind: "tls-report", stored: storedTls(report, key, reading.path) };
      return { kind: "dmarc-aggregate", stored: storedAggregate(report, key, reading.path) };
    }),
  };
}

/** Reporter + report id + date range, lower-cased reporter: the identity of a report. */
export function reportKey(report: Report): string {
  const reporter = report.reporter.trim().toLowerCase();
  // One-shot hash(): a third of createHash's CPU per key (no Hash object per report).
  return hash(
    "sha1",
    `${report.kind}\u001f${reporter}\u001f${report.reportId}\u001f${report.begin}\u001f${report.end}`,
  );
}

/** The report as stored: its rows spread over the days it covers (counts summing to the original), as CSV. */
export function storedAggregate(report: AggregateReport, key: string, path: string): StoredAggregateReport {
  const shares = daysOf(report.begin, report.end);
  const csv = aggregateRowsCsv(key, report, shares);
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
    messages: csv.messages,
    rowsCsv: csv.bytes,
    rowsCsvLines: csv.lines,
  };
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
