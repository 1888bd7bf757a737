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
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        '  deliverlens classify --text "550 5.7.1 [CS01] Message rejected due to local policy"',
        "  deliverlens classify bounces/ --ndjson        every file below bounces/, format detected per file",
        "  deliverlens classify /var/log/mail.log.1.gz   a Postfix log, gzip read transparently",
        "  deliverlens classify events.json --format sendgrid --all --json",
        "",
        "Exit codes: 0 done, 1 an input could not be read at all, 2 usage error.",
      ].join("\n"),
    )
    .action(async (files: string[], options) => {
      const { runClassify } = await import("../run/classify.ts");
      process.exitCode = await runClassify(files, options);
    });
}
