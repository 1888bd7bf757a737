import type { Command } from "commander";
import { DEFAULT_STORE, dayOption, providerOption } from "../options.ts";

export function registerHygiene(program: Command): void {
  program
    .command("hygiene")
    .description(
      "List hygiene: addresses to suppress or sunset, and why (hard bounces, complaints, dormant…)",
    )
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--export <csv>", "write the suppression/sunset list (address,reason)")
    .option("--force", "overwrite an existing --export file deliverlens did not write")
    .option(
      "--dormant-days <n>",
      "days without a click or human open before an address is dormant (default 180)",
    )
    .option(
      "--soft-bounce-days <n>",
      "days with soft bounces (and no delivery since) before suppressing (default 3)",
    )
    .option("--provider <id>", "only this mailbox provider's recipients (as diagnose's suppression segment)")
    .option(
      "--apple-egress <csv>",
      "Apple's egress-ip-ranges.csv, to spot Mail Privacy Protection opens by IP (as stats and diagnose)",
    )
    .option("--as-of <date>", "measure recency as of this day (default: the latest event in the store)")
    .option("--json", "print the summary as JSON")
    .action(async (options) => {
      dayOption("--as-of", options.asOf);
      options.provider = providerOption(options.provider);
      const { runHygiene } = await import("../run/hygiene.ts");
      process.exitCode = await runHygiene(options);
    });
}
