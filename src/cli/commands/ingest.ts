import type { Command } from "commander";
import { DEFAULT_STORE } from "../options.ts";

export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description(
      "Load a sending program's events (ESP webhooks, MTA logs, generic CSV/NDJSON) into a DuckDB store",
    )
    .argument("<files...>", "event files or directories (gzip/zstd read transparently)")
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--format <name>", "force the input format (see `deliverlens formats`)")
    .option(
      "--year <year>",
      "year for classic syslog lines without one (default: the file's modification year)",
    )
    .option("--tz <zone>", "time zone of timestamps without an offset (IANA name)", "UTC")
    .option(
      "--parsers-only",
      "read every file with the JS parsers, not DuckDB's readers (slower; for checks)",
    )
    .option("--json", "print the summary as JSON")
    .action(async (files: string[], options) => {
      const { runIngest } = await import("../run/ingest.ts");
      process.exitCode = await runIngest(files, options);
    });
}
