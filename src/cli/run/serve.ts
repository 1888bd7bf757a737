import { readFile } from "node:fs/promises";
import { loadBlocklists } from "../../audit/blocklist-data.ts";
import { createResolver } from "../../dns/index.ts";
import { escapeLine } from "../../report/terminal.ts";
import { emailSink, type Sink, webhookSink } from "../../serve/alerts.ts";
import { parseWarmupPlan } from "../../serve/detect.ts";
import type { BlocklistWatch } from "../../serve/monitor.ts";
import { type ServeConfig, startService } from "../../serve/service.ts";
import type { ServeCliConfig } from "../commands/serve.ts";
import { EXIT } from "../exit.ts";

/** Alert sinks, the warm-up plan and the blocklist watch, built from the options. */
async function extras(config: ServeCliConfig): Promise<Partial<ServeConfig>> {
  const sinks: Sink[] = [];
  if (config.alerts.webhook) sinks.push(webhookSink(config.alerts.webhook));
  if (config.alerts.smtp) {
    const { createTransport } = await import("nodemailer");
    const { url, from, to } = config.alerts.smtp;
    sinks.push(emailSink(createTransport(url), from, to));
  }
  let warmupPlan = null;
  if (config.warmupPlan) {
    try {
      warmupPlan = parseWarmupPlan(await readFile(config.warmupPlan, "utf8"));
    } catch (error) {
      throw new Error(`--warmup-plan ${config.warmupPlan}: ${(error as Error).message}`);
    }
  }
  let blocklists: BlocklistWatch | null = null;
  if (config.blocklists) {
    const { domain, ips, resolver, intervalMs } = config.blocklists;
    const data = await loadBlocklists();
    blocklists = {
      targets: { ips, domains: domain ? [domain] : [] },
      data,
      resolver: () => createResolver(resolver),
      intervalMs,
    };
  }
  return { alertSinks: sinks, warmupPlan, blocklists };
}

/** SIGTERM/SIGINT: stop intake, drain the spool, exit — within this bound even if the store hangs. */
const STOP_BOUND_MS = 10_000;

/** `deliverlens serve`: runs until SIGTERM or SIGINT; exit 0 after a clean drain, 1 when it could not run. */
export async function runServe(config: ServeCliConfig): Promise<number> {
  const { warmupPlan: _plan, blocklists: _lists, alerts: _alerts, ...base } = config;
  // base keeps reportFetch (--dmarc-imap): `dmarc fetch` on a schedule, already checked.
  const service = await startService({
    ...base,
    ...(await extras(config)),
    log: (line) => process.stderr.write(`deliverlens serve: ${escapeLine(line)}\n`),
  });
  process.stderr.write(
    `deliverlens serve: listening on ${service.url} (store ${escapeLine(config.db)}, ${config.durability}); dashboard ${service.url}/\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  process.stderr.write(`deliverlens serve: ${signal}: stopping intake, draining the spool\n`);
  const bound = setTimeout(() => {
    process.stderr.write(
      `deliverlens serve: could not drain within ${STOP_BOUND_MS / 1000} s; the spool keeps the rest for the next start\n`,
    );
    process.exit(EXIT.failed);
  }, STOP_BOUND_MS);
  bound.unref();
  try {
    await service.close();
  } finally {
    clearTimeout(bound);
  }
  const c = service.intake.counters;
  process.stderr.write(
    `deliverlens serve: stopped; ${c.received} records received, ${c.stored} events stored, ${c.duplicates} duplicates, ${c.quarantined} quarantined\n`,
  );
  return EXIT.ok;
}
