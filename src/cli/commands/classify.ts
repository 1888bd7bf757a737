import type { Command } from "commander";

export function registerClassify(program: Command): void {
  program
    .command("classify")
    .description("Classify bounces: SMTP replies, bounce emails/mbox, MTA logs, ESP events")
    .argument("[files...]", "files, directories (recursive) or - for stdin")
    .option("--text <reply>", "classify one SMTP reply given on the command line")
    .option("--format <name>", "force the input format (see `deliverlens formats`)")
    .option("--all", "with logs and event streams, include deliveries too")
    .option("--json", "print one JSON array of records")
    .option("--ndjson", "print one JSON record per line")
    .action(async (files: string[], options) => {
      const { runClassify } = await import("../../bounce/run.ts");
      process.exitCode = await runClassify(files, options);
    });
}
