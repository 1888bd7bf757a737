import type { Command } from "commander";
import { DEFAULT_STORE, dayOption, providerOption } from "../options.ts";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("Write a warm-up schedule (CSV: date,provider,tier,max_messages), most engaged tiers first")
    .requiredOption("--target <n>", "daily messages to the provider at full volume")
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--provider <name>", "mailbox provider", "apple")
    .option("--start <date>", "first day (YYYY-MM-DD; default: the day after the latest event)")
    .option("--apple-egress <csv>", "Apple's published egress IP ranges: opens from them are machine opens")
    .option("--out <file>", "write the CSV here instead of stdout")
    .option("--force", "overwrite an existing --out file deliverlens did not write")
    .action(async (options) => {
      options.provider = providerOption(options.provider);
      dayOption("--start", options.start);
      const { runPlan } = await import("../run/plan.ts");
      process.exitCode = await runPlan(options);
    });
}
