import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dateValue, timestampValue } from "@duckdb/node-api";
import { sqlString } from "../util/sql.ts";
import { AGGREGATE_ROW_COLUMNS } from "./report-rows.ts";
import type { Store, StoreAppender } from "./store.ts";

/**
 * DMARC aggregate and TLS reports in the store (tables of migration 4, docs/STORE.md): written with
 * DuckDB's appender inside the caller's transaction, read back as plain rows for `deliverlens dmarc`,
 * the HTML report and diagnose. The reports module (src/dmarc) decides what goes in; only this file
 * speaks SQL about them.
 */

/** A report's policy_published (RFC 9990 §3): what the domain published as the reporter saw it. */
export interface PublishedPolicy {
  domain: string;
  p: string | null;
  sp: string | null;
  np: string | null;
  pct: number | null;
  adkim: string | null;
  aspf: string | null;
  fo: string | null;
  testing: string | null;
}

export interface StoredAggregateReport {
  key: string;
  path: string;
  part: string;
  reporter: string;
  reporterEmail: string | null;
  reportId: string;
  begin: number;
  end: number;
  days: number;
  policy: PublishedPolicy;
  schema: string;
  generator: string | null;
  errors: string | null;
  records: number;
  messages: number;
  /**
   * Its rows (one per record per day) as UTF-8 CSV lines in dmarc_rows' column order (AGGREGATE_ROW_COLUMNS),
   * written where the report is read (src/dmarc/rows-csv.ts, on a reader thread: bytes cross threads as
   * one transfer, and this thread never builds or encodes them).
   */
  rowsCsv: Uint8Array;
  /** Lines in `rowsCsv`. */
  rowsCsvLines: number;
}

export interface StoredTlsFailure {
  policy: number;
  day: number;
  resultType: string;
  sendingIp: string | null;
  receivingMx: string | null;
  receivingHelo: string | null;
  receivingIp: string | null;
  sessions: number;
  reasonCode: string | null;
  info: string | null;
}

export interface StoredTlsPolicy {
  policy: number;
  day: number;
  type: string;
  domain: string;
  mxHost: string | null;
  successful: number;
  failed: number;
}

export interface StoredTlsReport {
  key: string;
  path: string;
  part: string;
  reporter: string;
  contact: string | null;
  reportId: string;
  begin: number;
  end: number;
  days: number;
  successful: number;
  failed: number;
  policies: StoredTlsPolicy[];
  failures: StoredTlsFailure[];
}

/** Keys of every report already stored (aggregate and TLS), for deduplication before a batch is written. */
export async function storedReportKeys(store: Store): Promise<Set<string>> {
  const rows = await store.all<{ k: string }>(
    "SELECT report_key AS k FROM dmarc_reports UNION ALL SELECT report_key AS k FROM tls_reports",
  );
  return new Set(rows.map((row) => row.k));
}

type Appender = StoreAppender;

function writer(appender: Appender) {
  return {
    text(value: string | null | undefined) {
      if (value === null || value === undefined) appender.appendNull();
      else appender.appendVarchar(value);
    },
    int(value: number | null) {
      if (value === null) appender.appendNull();
      else appender.appendInteger(value);
    },
    big(value: number) {
      appender.appendBigInt(BigInt(value));
    },
    day(value: number) {
      appender.appendDate(dateValue(value));
    },
    time(seconds: number) {
      appender.appendTimestamp(timestampValue(BigInt(seconds) * 1_000_000n));
    },
    end() {
      appender.endRow();
    },
  };
}

/**
 * The records of many reports in one statement: DuckDB reads them as CSV (src/store/report-rows.ts) from a
 * temporary file under the OS temp directory (removed at once), far faster than appending 20 values per
 * record one call at a time. A report read in a worker thread brings its lines ready (`rowsCsv`).
 */
async function insertRows(store: Store, aggregates: readonly StoredAggregateReport[]): Promise<void> {
  const parts: Uint8Array[] = [];
  for (const report of aggregates) if (report.rowsCsv.length > 0) parts.push(report.rowsCsv);
  if (parts.length === 0) return;
  const dir = await mkdtemp(join(tmpdir(), "deliverlens-reports-"));
  try {
    const file = join(dir, "rows.csv");
    await writeParts(file, parts);
    const columns = AGGREGATE_ROW_COLUMNS.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`);
    const select = AGGREGATE_ROW_COLUMNS.map(([name]) =>
      name === "day" ? "DATE '1970-01-01' + day" : name,
    ).join(", ");
    await store.run(
      `INSERT INTO dmarc_rows SELECT ${select} FROM read_csv($file, columns = {${columns.join(", ")}},
        header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false,
        auto_detect = false, strict_mode = true, max_line_size = ${MAX_CSV_LINE}, buffer_size = ${2 * MAX_CSV_LINE})`,
      { file },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The parts written one after another into a new file, without joining them first: a batch is ~20 MB in
 * a few thousand parts, and the joined copy cost this thread a copy and its garbage collector more work.
 */
async function writeParts(file: string, parts: readonly Uint8Array[]): Promise<void> {
  const handle = await open(file, "wx", 0o600);
  try {
    for (let i = 0; i < parts.length; i += MAX_WRITEV_PARTS) {
      const group = parts.slice(i, i + MAX_WRITEV_PARTS);
      let { bytesWritten: written } = await handle.writev(group);
      // A short write (rare on a file): the rest of the group, until it is all there.
      const total = group.reduce((sum, part) => sum + part.byteLength, 0);
      if (written < total) {
        let rest = Buffer.concat(group).subarray(written);
        while (rest.length > 0) {
          ({ bytesWritten: written } = await handle.write(rest));
          if (written === 0) throw new Error(`could not write ${file}`);
          rest = rest.subarray(written);
        }
      }
    }
  } finally {
    await handle.close();
  }
}

/** Buffers one writev call takes at most (IOV_MAX on Linux and macOS). */
const MAX_WRITEV_PARTS = 1024;

/** DuckDB's CSV reader refuses longer lines; a record's free text is capped far below (src/dmarc). */
const MAX_CSV_LINE = 16 * 1024 * 1024;

/**
 * Stores a batch of reports in one transaction (all of it or none), run on one DuckDB thread: appending
 * a batch's rows gains nothing from a second thread and costs more CPU for it (3,000 reports: 0.9–1.35 s
 * CPU on one thread, 1.6 s on two; notes/dmarc.md), CPU the report readers' threads need. And with the
 * checkpoint's vacuum off (REPORT_WRITE_SETTINGS). The store's settings are put back afterwards.
 */
export async function storeReports(
  store: Store,
  aggregates: readonly StoredAggregateReport[],
  tls: readonly StoredTlsReport[],
  ingestedAt: number,
): Promise<void> {
  await withSettings(store, { threads: 1, ...REPORT_WRITE_SETTINGS }, () =>
    store.transaction(() => appendReports(store, aggregates, tls, ingestedAt)),
  );
}

/**
 * A batch is a row group and a few rows (whole reports): each leaves a small row group behind it, and
 * DuckDB's checkpoint vacuum merges consecutive row groups that fit in fewer — so it decompressed and
 * wrote again nearly every batch's rows, alone at the end of the run (10,000 reports: 1.2–1.4 CPU-s, and
 * a file 12 MB instead of 7; notes/dmarc.md). The reports' tables have no deleted rows to reclaim, so
 * their writes and checkpoints run without it (https://duckdb.org/docs/stable/configuration/overview,
 * max_vacuum_tasks).
 */
const REPORT_WRITE_SETTINGS = { max_vacuum_tasks: 0 };

/** Checkpoints what storeReports wrote, without the vacuum (call after the last batch). */
export async function checkpointReports(store: Store): Promise<void> {
  await withSettings(store, REPORT_WRITE_SETTINGS, () => store.run("CHECKPOINT"));
}

/** Runs `work` with DuckDB settings (whole numbers) changed, and puts back the store's own afterwards. */
async function withSettings<T>(
  store: Store,
  settings: Record<string, number>,
  work: () => Promise<T>,
): Promise<T> {
  const names = Object.keys(settings);
  const before = await store.one<Record<string, number>>(
    `SELECT ${names.map((name) => `current_setting('${name}')::BIGINT AS ${name}`).join(", ")}`,
  );
  for (const name of names) await store.run(`SET ${name} = ${settings[name]}`);
  try {
    return await work();
  } finally {
    for (const name of names) {
      const value = Number(before?.[name]);
      if (Number.isInteger(value)) await store.run(`SET ${name} = ${value}`);
    }
  }
}

/** Appends reports and their rows (call inside `store.transaction`). */
export async function appendReports(
  store: Store,
  aggregates: readonly StoredAggregateReport[],
  tls: readonly StoredTlsReport[],
  ingestedAt: number,
): Promise<void> {
  if (aggregates.length > 0) {
    const reports = await store.appender("dmarc_reports");
    const r = writer(reports);
    for (const report of aggregates) {
      r.text(report.key);
      r.text(report.reporter);
      r.text(report.reporterEmail);
      r.text(report.reportId);
      r.time(report.begin);
      r.time(report.end);
      r.int(report.days);
      r.text(report.policy.domain);
      r.text(report.policy.p);
      r.text(report.policy.sp);
      r.text(report.policy.np);
      r.int(report.policy.pct);
      r.text(report.policy.adkim);
      r.text(report.policy.aspf);
      r.text(report.policy.fo);
      r.text(report.policy.testing);
      r.text(report.schema);
      r.text(report.generator);
      r.text(report.errors);
      r.big(report.records);
      r.big(report.messages);
      r.text(report.path);
      r.text(report.part);
      r.time(ingestedAt);
      r.end();
    }
    reports.closeSync();
    await insertRows(store, aggregates);
  }
  if (tls.length > 0) {
    const reports = await store.appender("tls_reports");
    const policies = await store.appender("tls_policies");
    const failures = await store.appender("tls_failures");
    const r = writer(reports);
    const p = writer(policies);
    const f = writer(failures);
    for (const report of tls) {
      r.text(report.key);
      r.text(report.reporter);
      r.text(report.contact);
      r.text(report.reportId);
      r.time(report.begin);
      r.time(report.end);
      r.int(report.days);
      r.int(report.policies.length);
      r.big(report.successful);
      r.big(report.failed);
      r.text(report.path);
      r.text(report.part);
      r.time(ingestedAt);
      r.end();
      for (const policy of report.policies) {
        p.text(report.key);
        p.int(policy.policy);
        p.day(policy.day);
        p.text(policy.type);
        p.text(policy.domain);
        p.text(policy.mxHost);
        p.big(policy.successful);
        p.big(policy.failed);
        p.end();
      }
      for (const failure of report.failures) {
        f.text(report.key);
        f.int(failure.policy);
        f.day(failure.day);
        f.text(failure.resultType);
        f.text(failure.sendingIp);
        f.text(failure.receivingMx);
        f.text(failure.receivingHelo);
        f.text(failure.receivingIp);
        f.big(failure.sessions);
        f.text(failure.reasonCode);
        f.text(failure.info);
        f.end();
      }
    }
    reports.closeSync();
    policies.closeSync();
    failures.closeSync();
  }
}

/** Which stored reports a reading covers: a policy domain and a window of days (inclusive, YYYY-MM-DD). */
export interface ReportFilter {
  domain?: string;
  from?: string;
  to?: string;
}

function where(
  filter: ReportFilter,
  domainColumn: string,
  dayColumn = "day",
): { sql: string; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  if (filter.domain) {
    clauses.push(`${domainColumn} = $domain`);
    params.domain = filter.domain.toLowerCase();
  }
  if (filter.from) {
    clauses.push(`${dayColumn} >= $from::DATE`);
    params.from = filter.from;
  }
  if (filter.to) {
    clauses.push(`${dayColumn} <= $to::DATE`);
    params.to = filter.to;
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/** Per sending source: volumes, aligned results, forwarding signs, dispositions. */
export interface SourceTotals {
  source_ip: string;
  messages: number;
  dkim_aligned: number;
  spf_aligned: number;
  dmarc_pass: number;
  forwarded: number;
  arc: number;
  /** Messages whose first DKIM signature is by the From domain and failed: changed in transit. */
  broken_own_signature: number;
  quarantined: number;
  rejected: number;
  reporters: number;
  header_from: string;
  dkim_domains: string | null;
  spf_domains: string | null;
  /** Domains that passed SPF or DKIM (any signature, aligned or not) in some of its records, space-separated. */
  passed_domains: string | null;
  first_day: string;
  last_day: string;
}

/**
 * The patterns run only where there is text: most records have no override reason nor comment, and the
 * patterns over every row's empty string were a quarter of `deliverlens dmarc`'s query (10,000 stored bench
 * reports: 0.16–0.18 → 0.06–0.07 CPU-s for the two, the same rows; notes/dmarc.md). Neither matches ''.
 */
const FORWARDING_SQL =
  "reasons IS NOT NULL AND regexp_matches(reasons, '(^|,)(forwarded|trusted_forwarder|mailing_list)(,|$)')";
const ARC_SQL = "reason_comment IS NOT NULL AND regexp_matches(reason_comment, 'arc=pass', 'i')";
const BROKEN_SQL =
  "dmarc_pass = false AND dkim_result = 'fail' AND (dkim_domain = header_from OR ends_with(header_from, '.' || dkim_domain))";
/**
 * The domains that passed in one record: SPF's, the shown DKIM signature's, and every passing one of
 * several (dkim_results is NULL for a record with one signature or none: no pattern is run on it — a
 * quarter of `deliverlens dmarc`'s CPU on 10,000 stored reports, notes/dmarc.md).
 */
const PASSED_SQL = `list_concat(
    CASE WHEN spf_result = 'pass' AND spf_domain IS NOT NULL THEN [spf_domain] ELSE [] END,
    CASE WHEN dkim_result = 'pass' AND dkim_domain IS NOT NULL THEN [dkim_domain] ELSE [] END,
    CASE WHEN dkim_results IS NULL THEN [] ELSE regexp_extract_all(dkim_results, '(?:^| )([^ /=]+)(?:/[^ =]*)?=pass', 1) END)`;

export async function dmarcSources(store: Store, filter: ReportFilter): Promise<SourceTotals[]> {
  const w = where(filter, "policy_domain");
  return store
    .all<SourceTotals>(
      `SELECT source_ip,
        sum(messages) AS messages,
        sum(messages) FILTER (WHERE dkim_aligned = 'pass') AS dkim_aligned,
        sum(messages) FILTER (WHERE spf_aligned = 'pass') AS spf_aligned,
        sum(messages) FILTER (WHERE dmarc_pass) AS dmarc_pass,
        coalesce(sum(messages) FILTER (WHERE ${FORWARDING_SQL}), 0) AS forwarded,
        coalesce(sum(messages) FILTER (WHERE ${ARC_SQL}), 0) AS arc,
        coalesce(sum(messages) FILTER (WHERE ${BROKEN_SQL}), 0) AS broken_own_signature,
        coalesce(sum(messages) FILTER (WHERE disposition = 'quarantine'), 0) AS quarantined,
        coalesce(sum(messages) FILTER (WHERE disposition = 'reject'), 0) AS rejected,
        count(DISTINCT reporter) AS reporters,
        string_agg(DISTINCT header_from, ' ' ORDER BY header_from) AS header_from,
        string_agg(DISTINCT dkim_domain, ' ' ORDER BY dkim_domain) AS dkim_domains,
        string_agg(DISTINCT spf_domain, ' ' ORDER BY spf_domain) AS spf_domains,
        array_to_string(list_sort(list_distinct(flatten(list(DISTINCT ${PASSED_SQL})))), ' ') AS passed_domains,
        strftime(min(day), '%Y-%m-%d') AS first_day,
        strftime(max(day), '%Y-%m-%d') AS last_day
      FROM dmarc_records ${w.sql}
      GROUP BY source_ip
      ORDER BY messages DESC, source_ip`,
      w.params,
    )
    .then((rows) =>
      rows.map((row) => ({
        ...row,
        dkim_aligned: row.dkim_aligned ?? 0,
        spf_aligned: row.spf_aligned ?? 0,
        dmarc_pass: row.dmarc_pass ?? 0,
      })),
    );
}

export interface DomainSourceTotals {
  policy_domain: string;
  source_ip: string;
  messages: number;
  dmarc_pass: number;
}

/** Per policy domain and source: for each domain's readiness. */
export async function dmarcDomainSources(store: Store, filter: ReportFilter): Promise<DomainSourceTotals[]> {
  const w = where(filter, "policy_domain");
  return store.all<DomainSourceTotals>(
    `SELECT policy_domain, source_ip, sum(messages) AS messages,
        coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0) AS dmarc_pass
      FROM dmarc_records ${w.sql} GROUP BY ALL ORDER BY ALL`,
    w.params,
  );
}

export interface ReporterTotals {
  reporter: string;
  reports: number;
  messages: number;
  dmarc_pass: number;
  quarantined: number;
  rejected: number;
}

export async function dmarcReporters(store: Store, filter: ReportFilter): Promise<ReporterTotals[]> {
  const w = where(filter, "policy_domain");
  const rows = await store.all<ReporterTotals>(
    `SELECT reporter, count(DISTINCT report_key) AS reports, sum(messages) AS messages,
        coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0) AS dmarc_pass,
        coalesce(sum(messages) FILTER (WHERE disposition = 'quarantine'), 0) AS quarantined,
        coalesce(sum(messages) FILTER (WHERE disposition = 'reject'), 0) AS rejected
      FROM dmarc_records ${w.sql}
      GROUP BY reporter ORDER BY messages DESC, reporter`,
    w.params,
  );
  return rows;
}

export interface DomainPolicy {
  domain: string;
  p: string | null;
  sp: string | null;
  pct: number | null;
  adkim: string | null;
  aspf: string | null;
  reports: number;
  first_day: string;
  last_day: string;
}

/** Per policy domain: the policy the latest report saw published, and the window covered. */
export async function dmarcDomains(store: Store, filter: ReportFilter): Promise<DomainPolicy[]> {
  const w = where(filter, "policy_domain");
  return store.all<DomainPolicy>(
    `SELECT policy_domain AS domain,
        arg_max(p, end_time) AS p, arg_max(sp, end_time) AS sp, arg_max(pct, end_time) AS pct,
        arg_max(adkim, end_time) AS adkim, arg_max(aspf, end_time) AS aspf,
        count(*) AS reports,
        strftime(min(day), '%Y-%m-%d') AS first_day, strftime(max(day), '%Y-%m-%d') AS last_day
      FROM (SELECT *, CAST(begin_time + (end_time - begin_time) / 2 AS DATE) AS day FROM dmarc_reports) ${w.sql}
      GROUP BY policy_domain ORDER BY policy_domain`,
    w.params,
  );
}

export interface OverrideTotals {
  reason: string;
  messages: number;
}

export async function dmarcOverrides(store: Store, filter: ReportFilter): Promise<OverrideTotals[]> {
  const w = where(filter, "policy_domain");
  return store.all<OverrideTotals>(
    `SELECT reason, sum(messages) AS messages
      FROM (SELECT unnest(string_split(reasons, ',')) AS reason, messages FROM dmarc_records ${w.sql})
      WHERE reason <> ''
      GROUP BY reason ORDER BY messages DESC, reason`,
    w.params,
  );
}

export interface DailyTotals {
  day: string;
  messages: number;
  dkim_aligned: number;
  dmarc_pass: number;
}

/** Per day (and optionally only sources in `ips`): for diagnose's authentication evidence and the HTML chart. */
export async function dmarcDaily(store: Store, filter: ReportFilter): Promise<DailyTotals[]> {
  const w = where(filter, "policy_domain");
  return store.all<DailyTotals>(
    `SELECT strftime(day, '%Y-%m-%d') AS day, sum(messages) AS messages,
        coalesce(sum(messages) FILTER (WHERE dkim_aligned = 'pass'), 0) AS dkim_aligned,
        coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0) AS dmarc_pass
      FROM dmarc_records ${w.sql} GROUP BY day ORDER BY day`,
    w.params,
  );
}

export interface TlsFailureTotals {
  policy_domain: string;
  receiving_mx: string | null;
  result_type: string;
  sessions: number;
  reporters: number;
}

export async function tlsFailures(store: Store, filter: ReportFilter): Promise<TlsFailureTotals[]> {
  const w = where(filter, "p.policy_domain", "f.day");
  return store.all<TlsFailureTotals>(
    `SELECT p.policy_domain, f.receiving_mx, f.result_type, sum(f.sessions) AS sessions,
        count(DISTINCT r.reporter) AS reporters
      FROM tls_failures f
      JOIN tls_policies p ON p.report_key = f.report_key AND p.policy = f.policy AND p.day = f.day
      JOIN tls_reports r ON r.report_key = f.report_key
      ${w.sql}
      GROUP BY ALL ORDER BY sessions DESC, p.policy_domain, f.receiving_mx, f.result_type`,
    w.params,
  );
}

export interface TlsPolicyTotals {
  policy_domain: string;
  policy_type: string;
  successful: number;
  failed: number;
  reports: number;
}

export async function tlsPolicies(store: Store, filter: ReportFilter): Promise<TlsPolicyTotals[]> {
  const w = where(filter, "policy_domain");
  return store.all<TlsPolicyTotals>(
    `SELECT policy_domain, policy_type, sum(successful) AS successful, sum(failed) AS failed,
        count(DISTINCT report_key) AS reports
      FROM tls_policies ${w.sql}
      GROUP BY ALL ORDER BY policy_domain, policy_type`,
    w.params,
  );
}

/** How many reports and rows the store holds in the filter's reach. */
export async function reportCounts(
  store: Store,
  filter: ReportFilter,
): Promise<{ aggregate: number; tls: number; records: number }> {
  const w = where(filter, "policy_domain");
  const agg = await store.one<{ reports: number; records: number }>(
    `SELECT count(DISTINCT report_key) AS reports, count(*) AS records FROM dmarc_records ${w.sql}`,
    w.params,
  );
  const tls = await store.one<{ reports: number }>(
    `SELECT count(DISTINCT report_key) AS reports FROM tls_policies ${w.sql}`,
    w.params,
  );
  return { aggregate: agg?.reports ?? 0, tls: tls?.reports ?? 0, records: agg?.records ?? 0 };
}

/** How far `dmarc fetch` has read a mailbox (`host:port/user/folder`): null when never. */
export async function mailboxProgress(
  store: Store,
  mailbox: string,
): Promise<{ uidValidity: string; lastUid: number } | null> {
  const row = await store.one<{ uid_validity: string; last_uid: number }>(
    "SELECT uid_validity, last_uid FROM report_mailboxes WHERE mailbox = $mailbox",
    { mailbox },
  );
  return row ? { uidValidity: row.uid_validity, lastUid: row.last_uid } : null;
}

export async function saveMailboxProgress(
  store: Store,
  mailbox: string,
  uidValidity: string,
  lastUid: number,
  fetched: number,
): Promise<void> {
  await store.run(
    `INSERT INTO report_mailboxes VALUES ($mailbox, $validity, $last, $fetched, now()::TIMESTAMP)
      ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
        fetched = report_mailboxes.fetched + excluded.fetched, updated_at = excluded.updated_at`,
    { mailbox, validity: uidValidity, last: lastUid, fetched },
  );
}

/** Aligned results of the reports' rows for some source IPs over a window of days (diagnose's evidence). */
export async function dmarcSourceWindow(
  store: Store,
  ips: readonly string[],
  from: string,
  to: string,
): Promise<{ messages: number; dkim_aligned: number; dmarc_pass: number; reporters: number }> {
  const row = await store.one<{
    messages: number | null;
    dkim_aligned: number;
    dmarc_pass: number;
    reporters: number;
  }>(
    `SELECT sum(messages) AS messages,
        coalesce(sum(messages) FILTER (WHERE dkim_aligned = 'pass'), 0) AS dkim_aligned,
        coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0) AS dmarc_pass,
        count(DISTINCT reporter) AS reporters
      FROM dmarc_records
      WHERE list_contains(string_split($ips, ' '), source_ip) AND day BETWEEN $from::DATE AND $to::DATE`,
    { ips: ips.join(" "), from, to },
  );
  return {
    messages: row?.messages ?? 0,
    dkim_aligned: row?.dkim_aligned ?? 0,
    dmarc_pass: row?.dmarc_pass ?? 0,
    reporters: row?.reporters ?? 0,
  };
}
