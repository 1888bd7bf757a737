import type { Command } from "commander";
import { DEFAULT_STORE } from "../options.ts";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Generate a realistic sending program (SendGrid + PowerMTA files), ingest it and print its stats",
    )
    .option("--db <path>", "the store to create (refused if it exists, unless --replace)", DEFAULT_STORE)
    .option("--out <dir>", "where the event files and campaign .eml messages go", "./deliverlens-demo")
    .option("--days <n>", "days of sending (28–3650: the analysis needs four weeks of baseline)", "120")
    .option("--recipients <n>", "list size (100–10,000,000)", "50000")
    .option("--seed <n>", "random seed (same seed, same program)", "1")
    .option("--replace", "replace the store if it exists")
    .option("--json", "print the stats as JSON")
    .action(async (options) => {
      const { runDemo } = await import("../run/demo.ts");
      process.exitCode = await runDemo(options);
    });
}
