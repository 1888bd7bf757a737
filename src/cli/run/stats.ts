import { isDate } from "../../analytics/stats/query.ts";
import { computeStats } from "../../analytics/stats/report.ts";
import { renderStats } from "../../report/stats-terminal.ts";
import { Store } from "../../store/index.ts";
import { EXIT, UsageError } from "../exit.ts";

export interface StatsCliOptions {
  db: string;
  provider?: string;
  from?: string;
  to?: string;
  asOf?: string;
  appleEgress?: string;
  spikeK?: string;
  spikeRatio?: string;
  json?: boolean;
}

export async function runStats(options: StatsCliOptions): Promise<number> {
  for (const [flag, value] of [
    ["--from", options.from],
    ["--to", options.to],
    ["--as-of", options.asOf],
  ] as const) {
    if (value !== undefined && !isDate(value))
      throw new UsageError(`${flag} must be a date (YYYY-MM-DD): ${value}`);
  }
  const spikes = {
    ...(options.spikeK !== undefined ? { madK: positive("--spike-k", options.spikeK) } : {}),
    ...(options.spikeRatio !== undefined ? { minRatio: positive("--spike-ratio", options.spikeRatio) } : {}),
  };
  const store = await openExisting(options.db);
  try {
    const report = await computeStats(
      store,
      { provider: options.provider, from: options.from, to: options.to, asOf: options.asOf },
      { appleEgressCsv: options.appleEgress, spikes },
    );
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderStats(report));
  } finally {
    store.close();
  }
  return EXIT.ok;
}

/** Opens a store that must already exist (read-only: stats never change it). */
export async function openExisting(path: string): Promise<Store> {
  const { existsSync } = await import("node:fs");
  if (!existsSync(path)) throw new Error(`${path}: no such store; run \`deliverlens ingest\` first`);
  return Store.open(path, { readOnly: true });
}

function positive(flag: string, value: string): number {
  const number = Number(value);
  // NaN would quietly switch a threshold off; refuse it.
  if (!Number.isFinite(number) || number <= 0)
    throw new UsageError(`${flag} must be a positive number: ${value}`);
  return number;
}
