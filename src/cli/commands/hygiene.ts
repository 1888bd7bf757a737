import type { Command } from "commander";
import { DEFAULT_STORE, dayOption } from "../options.ts";

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
    .option("--as-of <date>", "measure recency as of this day (default: the latest event in the store)")
    .option("--json", "print the summary as JSON")
    .action(async (options) => {
      dayOption("--as-of", options.asOf);
      const { runHygiene } = await import("../../analytics/hygiene/run.ts");
      process.exitCode = await runHygiene(options);
    });
}
