import type { Command } from "commander";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Generate a realistic sending program (SendGrid + PowerMTA files), ingest it and print its stats",
    )
    .option("--db <path>", "the store to create", "./deliverlens-demo.duckdb")
    .option("--out <dir>", "where the event files and campaign .eml messages go", "./deliverlens-demo")
    .option("--days <n>", "days of sending", "120")
    .option("--recipients <n>", "list size", "50000")
    .option("--seed <n>", "random seed (same seed, same program)", "1")
    .option("--replace", "replace the store if it exists")
    .option("--json", "print the stats as JSON")
    .action(async (options) => {
      const { runDemo } = await import("../../demo/run.ts");
      process.exitCode = await runDemo(options);
    });
}
