import type { Command } from "commander";
import { DEFAULT_STORE, dayOption, providerOption, windowOptions } from "../options.ts";

export function registerStats(program: Command): void {
  program
    .command("stats")
    .description(
      "Per-provider, per-day program measurements: volume, bounces, policy episodes, spikes, engagement",
    )
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option(
      "--provider <name>",
      "only this mailbox provider (apple, google, yahoo, microsoft, …, or a domain such as icloud.com)",
    )
    .option("--from <date>", "first day (YYYY-MM-DD, UTC)")
    .option("--to <date>", "last day (YYYY-MM-DD, UTC)")
    .option("--as-of <date>", "measure recency as of this day (default: the latest event in the store)")
    .option(
      "--apple-egress <csv>",
      "Apple's egress-ip-ranges.csv, to spot Mail Privacy Protection opens by IP",
    )
    .option("--spike-k <n>", "spike threshold in MADs above the trailing median (default 3)")
    .option("--spike-ratio <x>", "spike minimum ratio to the trailing median (default 1.5)")
    .option("--json", "print the measurements as JSON")
    .action(async (options) => {
      options.provider = providerOption(options.provider);
      windowOptions(options.from, options.to);
      dayOption("--as-of", options.asOf);
      const { runStats } = await import("../run/stats.ts");
      process.exitCode = await runStats(options);
    });
}
