import type { Command } from "commander";
import { EXIT } from "../exit.ts";
import { DEFAULT_STORE, windowOptions } from "../options.ts";

interface DmarcCliOptions {
  db: string;
  domain?: string;
  from?: string;
  to?: string;
  resolve?: boolean;
  resolver: string;
  timeout: string;
  json?: boolean;
}

export function registerDmarc(program: Command): void {
  program
    .command("dmarc")
    .description(
      "What DMARC aggregate and TLS reports say: who sends as your domain, whether it passes, what receivers did",
    )
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--domain <domain>", "only this policy domain")
    .option("--from <date>", "first day (YYYY-MM-DD, UTC); default: every stored report")
    .option("--to <date>", "last day (YYYY-MM-DD, UTC)")
    .option("--resolve", "look up the sources' PTR names (otherwise no DNS query is made)")
    .option("--resolver <spec>", "with --resolve: system, or udp://HOST:PORT", "system")
    .option("--timeout <ms>", "with --resolve: per-query DNS timeout in milliseconds", "2000")
    .option("--json", "print the reading as JSON")
    .action(async (options: DmarcCliOptions) => {
      process.exitCode = await runDmarc(options);
    });
}

async function runDmarc(options: DmarcCliOptions): Promise<number> {
  windowOptions(options.from, options.to);
  const { domainOption, resolverOption } = await import("../dns-options.ts");
  const domain = options.domain === undefined ? undefined : domainOption(options.domain);
  const spec = resolverOption(options.resolver);
  const { openExisting } = await import("../../analytics/stats/run.ts");
  const { summarizeReports } = await import("../../dmarc/summary.ts");
  const { renderDmarc } = await import("../../report/dmarc.ts");
  const { SCHEMA_VERSION } = await import("../../store/index.ts");
  const resolver = options.resolve
    ? (await import("../../dns/index.ts")).createResolver(spec, {
        timeoutMs: Number(options.timeout) || 2000,
      })
    : undefined;
  const store = await openExisting(options.db);
  try {
    const summary = await summarizeReports(
      store,
      { domain, from: options.from, to: options.to },
      { resolver },
    );
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...summary }, null, 2)}\n`
        : renderDmarc(summary),
    );
  } finally {
    store.close();
  }
  return EXIT.ok;
}
