import { type FetchOptions, type FetchResult, fetchReports } from "../dmarc/fetch.ts";
import type { Store } from "../store/index.ts";
import type { StoreLock } from "./intake.ts";

/**
 * `serve --dmarc-imap …`: the live service runs `dmarc fetch` on a schedule. Runs never overlap; the IMAP
 * session (the slow part) runs outside the store lock and only the store reads and writes take it, so
 * webhook intake and spool drains go on while a mailbox is read. A failed run is logged and the next one
 * comes at its time (progress is kept in the store by UIDVALIDITY + UID: nothing is read twice).
 */

export interface ReportFetchWatch {
  fetch: FetchOptions;
  intervalMs: number;
}

export interface ReportFetchState {
  runs: number;
  lastRunAt: string | null;
  /** The last successful run: messages read, reports stored, problems. */
  last: { fetched: number; stored: number; duplicates: number; problems: number } | null;
  lastError: string | null;
}

export interface ReportFetcherOptions {
  store: Store;
  lock: StoreLock;
  watch: ReportFetchWatch;
  log?: (line: string) => void;
  /** For tests: the fetch itself (default: fetchReports). */
  fetch?: typeof fetchReports;
}

export class ReportFetcher {
  readonly state: ReportFetchState = { runs: 0, lastRunAt: null, last: null, lastError: null };
  private readonly options: ReportFetcherOptions;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(options: ReportFetcherOptions) {
    this.options = options;
  }

  /** The first run right away, then one every interval after the previous one ended. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs once now (waits for a run in progress instead of starting a second). */
  runNow(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runNow().then(() => this.schedule(this.options.watch.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const { store, lock, watch, log } = this.options;
    const fetch = this.options.fetch ?? fetchReports;
    this.state.runs++;
    this.state.lastRunAt = new Date().toISOString();
    try {
      const result = await fetch(store, { ...watch.fetch, withStore: (work) => lock.run(work) });
      this.state.last = totals(result);
      this.state.lastError = null;
      const { fetched, stored, problems } = this.state.last;
      if (fetched > 0 || problems > 0)
        log?.(
          `dmarc fetch ${result.mailbox}: ${fetched} new message(s), ${stored} report(s) stored, ${problems} problem(s)`,
        );
    } catch (error) {
      this.state.lastError = (error instanceof Error ? error.message : String(error)).split("\n", 1)[0];
      log?.(
        `dmarc fetch failed (next try in ${Math.round(watch.intervalMs / 60_000)} min): ${this.state.lastError}`,
      );
    }
  }
}

function totals(result: FetchResult): NonNullable<ReportFetchState["last"]> {
  let stored = 0;
  let duplicates = 0;
  let problems = 0;
  for (const report of result.reports) {
    stored += report.stored;
    duplicates += report.duplicates;
    problems += report.problems.length;
  }
  return { fetched: result.fetched, stored, duplicates, problems };
}
