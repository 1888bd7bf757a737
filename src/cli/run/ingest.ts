import type { FileSummary } from "../../analytics/ingest/ingest.ts";
import { stopwatch } from "../../analytics/stopwatch.ts";
import type { ReportFileSummary } from "../../dmarc/ingest.ts";
import { isFormatName } from "../../events/formats.ts";
import { createProgress } from "../../report/progress.ts";
import { escapeLine, paint } from "../../report/terminal.ts";
import { explainStoreError, Store } from "../../store/index.ts";
import { isTimeZone } from "../../util/dates.ts";
import { debugLog } from "../../util/debug.ts";
import { describeError, expandInputs } from "../../util/walk.ts";
import { EXIT, UsageError } from "../exit.ts";

/**
 * The version of `ingest --json`'s shape. It was the store's schema version up to store version 5 and is
 * frozen there: a store migration (seed tests, DMARC reports…) does not change this output (an interface).
 */
const INGEST_JSON_SCHEMA_VERSION = 5;

export interface IngestCliOptions {
  db: string;
  format?: string;
  year?: string;
  tz?: string;
  parsersOnly?: boolean;
  json?: boolean;
}

/**
 * Set in a process started from ingest's startup snapshot (src/cli/ingest-snapshot.ts): runs this ingest again
 * from the plain modules instead, for a run that may start a worker thread (analytics/ingest/no-threads.ts).
 */
let relaunchPlain: (() => never) | null = null;

/** Called by ingest-snapshot.ts as its process starts: how to run an ingest from the plain modules instead. */
export function ingestFromSnapshot(relaunch: () => never): void {
  relaunchPlain = relaunch;
}

/** `deliverlens ingest`: every file in its own transaction; a file that cannot be read does not stop the rest. */
export async function runIngest(inputs: string[], options: IngestCliOptions): Promise<number> {
  if (options.format && !isFormatName(options.format))
    throw new UsageError(`unknown format: ${options.format}`);
  if (options.year && !/^\d{4}$/.test(options.year)) throw new UsageError(`--year must be a 4-digit year`);
  if (options.tz && !isTimeZone(options.tz)) throw new UsageError(`unknown time zone: ${options.tz}`);
  if (options.db.trim() === "" || options.db === ":memory:")
    throw new UsageError(
      `--db ${options.db || '""'}: an in-memory store keeps nothing after ingest; give a file`,
    );
  const { files, problems } = expandInputs(inputs);
  // From the startup snapshot, only an ingest that starts no worker thread (R33): decided before anything is
  // written or opened.
  if (relaunchPlain) {
    const { startsNoThreads } = await import("../../analytics/ingest/no-threads.ts");
    if (
      !(await startsNoThreads(files, {
        format: options.format && isFormatName(options.format) ? options.format : undefined,
      }))
    ) {
      debugLog("ingest: run again from the plain modules (threads, or an input it cannot tell)");
      relaunchPlain();
    }
  }
  for (const problem of problems) {
    if (!problem.unread)
      process.stderr.write(`skipped ${escapeLine(problem.path)}: ${escapeLine(problem.reason)}\n`);
  }
  const lap = stopwatch();
  if (process.env.DELIVERLENS_DEBUG)
    process.stderr.write(`  started at ${(performance.now() / 1000).toFixed(2)} s\n`);
  // DuckDB opens (and a new store gets its schema) on its own threads while the ingest path's modules
  // load here; then the report readers' threads start, while the inputs are looked at.
  const opening = Store.open(options.db);
  opening.catch(() => {}); // awaited below: its error is thrown there
  const [{ ingestInputs }, { warmReaders }] = await Promise.all([
    import("../../analytics/ingest/inputs.ts"),
    import("../../dmarc/read-pool.ts"),
  ]).catch(async (error: unknown) => {
    (await opening.catch(() => null))?.close();
    throw error;
  });
  warmReaders(files.length);
  const store = await opening;
  lap("open store");
  const failures: { path: string; error: string }[] = problems
    .filter((problem) => problem.unread)
    .map((problem) => ({ path: problem.path, error: problem.reason }));
  const started = performance.now();
  let progress = null as ReturnType<typeof createProgress> | null;
  let summaries: FileSummary[] = [];
  let reports: ReportFileSummary[] = [];
  /** Why most records were rejected, when every record was (a hint beside "wrong --format?"). */
  let rejectedAs: string | null = null;
  try {
    const lastFile =
      (await store.one<{ id: number }>("SELECT coalesce(max(file_id), 0) AS id FROM files"))?.id ?? 0;
    const run = await ingestInputs(store, files, {
      format: options.format && isFormatName(options.format) ? options.format : undefined,
      tz: options.tz,
      year: options.year ? Number(options.year) : undefined,
      fastPath: !options.parsersOnly,
      onLogs: (bytes) => {
        progress = createProgress("ingest", Math.round(bytes / 1024), "KB");
      },
      onProgress: (bytes) => progress?.tick(Math.round(bytes / 1024)),
      describeFailure: (error) => describeFailure(error, options.db),
    });
    summaries = run.files;
    reports = run.reports;
    failures.push(...run.failures);
    if (summaries.some((s) => s.read > 0) && summaries.every((s) => s.quarantined === s.read))
      rejectedAs =
        (
          await store.one<{ reason: string }>(
            "SELECT reason FROM quarantine WHERE file_id > $last GROUP BY reason ORDER BY count(*) DESC, reason LIMIT 1",
            { last: lastFile },
          )
        )?.reason ?? null;
  } finally {
    progress?.finish();
    lap("files");
    store.close();
    lap("close store");
  }
  const seconds = (performance.now() - started) / 1000;
  const totals = total(summaries, seconds);
  if (options.json) {
    const out = {
      schemaVersion: INGEST_JSON_SCHEMA_VERSION,
      store: options.db,
      files: summaries,
      failures,
      totals,
      reports,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else printSummary(summaries, failures, totals);
  if (reports.length > 0) {
    const { renderReportIngest, reportIngestFailures } = await import("../../report/dmarc.ts");
    if (!options.json) process.stdout.write(renderReportIngest(reports));
    for (const line of reportIngestFailures(reports)) process.stderr.write(line);
  }
  // Quarantined rows are counted, not failures; a run that kept nothing of what it read is one.
  const everyRecordRejected = totals.read > 0 && totals.quarantined === totals.read;
  if (everyRecordRejected) {
    process.stderr.write(
      `deliverlens ingest: every record was rejected (${totals.read.toLocaleString("en-US")} quarantined${rejectedAs ? `, most as "${escapeLine(rejectedAs)}"` : ""}): wrong --format? See \`deliverlens quarantine --db ${escapeLine(options.db)}\`\n`,
    );
  }
  // A file cut by a named limit (a decompression bomb, an oversized message) was read only in part.
  const limited = summaries.filter((s) => s.limits.length > 0);
  for (const s of limited) {
    for (const limit of s.limits)
      process.stderr.write(`deliverlens ingest: ${escapeLine(s.path)}: ${escapeLine(limit)}\n`);
  }
  // The same rule as every command (README, docs/LIMITS.md): an input that could not be read or was cut
  // by a limit makes the run exit 1 — after every other input was stored. Quarantined records alone do
  // not: they are counted in the summary (exit 0 when the rest was stored).
  const reportsRefused = reports.some((r) => r.problems.length > 0);
  return failures.length > 0 || everyRecordRejected || limited.length > 0 || reportsRefused
    ? EXIT.failed
    : EXIT.ok;
}

function total(summaries: FileSummary[], seconds: number) {
  const sum = (key: "read" | "stored" | "duplicates" | "quarantined") =>
    summaries.reduce((acc, s) => acc + s[key], 0);
  const read = sum("read");
  return {
    read,
    stored: sum("stored"),
    duplicates: sum("duplicates"),
    quarantined: sum("quarantined"),
    seconds,
    recordsPerSecond: seconds > 0 ? Math.round(read / seconds) : 0,
  };
}

function printSummary(
  summaries: FileSummary[],
  failures: { path: string; error: string }[],
  totals: ReturnType<typeof total>,
): void {
  const n = (value: number) => value.toLocaleString("en-US");
  for (const s of summaries) {
    process.stdout.write(
      `${escapeLine(s.path)} (${s.format}, ${s.reader}): read ${n(s.read)} = stored ${n(s.stored)} + duplicates ${n(s.duplicates)} + quarantined ${n(s.quarantined)}\n`,
    );
    for (const note of s.notes) process.stdout.write(`  note: ${escapeLine(note)}\n`);
    if (s.evicted > 0) process.stdout.write(`  ${evictionNote(s.evicted, s.evictedEarly)}\n`);
  }
  for (const f of failures) {
    process.stderr.write(
      `${paint("could not ingest", "red", process.stderr)} ${escapeLine(f.path)}: ${escapeLine(f.error)}\n`,
    );
  }
  process.stdout.write(
    `${paint("total", "bold")}: read ${n(totals.read)} = stored ${n(totals.stored)} + duplicates ${n(totals.duplicates)} + quarantined ${n(totals.quarantined)} in ${totals.seconds.toFixed(1)} s (${n(totals.recordsPerSecond)} records/s)\n`,
  );
  if (totals.quarantined > 0)
    process.stdout.write("quarantined records, with file, line and reason: deliverlens quarantine\n");
}

/** What a log reader forgot to stay bounded (a grep'd or cut log never frees its queue ids). */
export function evictionNote(evicted: number, early: number): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const lost = early > 0 ? `, ${n(early)} of them with deferred recipients before the queue lifetime` : "";
  return `queue ids forgotten without a removed/Completed line: ${n(evicted)}${lost}`;
}

/** A file-system error in a few words; a store error as explainStoreError says it (disk full…). */
function describeFailure(error: unknown, db: string): string {
  return (error as NodeJS.ErrnoException | null)?.code ? describeError(error) : explainStoreError(error, db);
}
