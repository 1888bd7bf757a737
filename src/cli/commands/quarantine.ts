import type { Command } from "commander";
import { UsageError } from "../exit.ts";
import { DEFAULT_STORE } from "../options.ts";

export function registerQuarantine(program: Command): void {
  program
    .command("quarantine")
    .description("Show the records ingest refused, per file and reason, with their line and raw text")
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--file <path>", "only this input file (as given to ingest)")
    .option("--limit <n>", "rows to show", "20")
    .option("--json", "print the report as JSON")
    .action(async (options) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > 1_000_000)
        throw new UsageError(`--limit must be a whole number in 0..1000000: ${options.limit}`);
      const [{ Store }, { quarantineReport }, { renderQuarantine }] = await Promise.all([
        import("../../store/index.ts"),
        import("../../analytics/quarantine.ts"),
        import("../../report/quarantine.ts"),
      ]);
      const store = await Store.open(options.db, { readOnly: true });
      try {
        const report = await quarantineReport(store, { file: options.file, limit });
        process.stdout.write(
          options.json ? `${JSON.stringify(report, null, 2)}\n` : renderQuarantine(report),
        );
      } finally {
        store.close();
      }
    });
}
