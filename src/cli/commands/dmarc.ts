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

interface FetchCliOptions {
  db: string;
  imap: string;
  user: string;
  passwordEnv: string;
  auth: string;
  mailbox: string;
  insecure?: boolean;
  max: string;
  json?: boolean;
}

export function registerDmarc(program: Command): void {
  const dmarc = program
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
  dmarc
    .command("fetch")
    .description(
      "Read new messages of a DMARC/TLS report mailbox over IMAP and store their reports (progress by UIDVALIDITY + UID, never \\Seen)",
    )
    .requiredOption(
      "--imap <url>",
      "imaps://host[:993] (or imap://host:port with STARTTLS; plaintext to loopback only)",
    )
    .requiredOption("--user <name>", "the IMAP login name")
    .option(
      "--password-env <var>",
      "environment variable holding the password or token",
      "DELIVERLENS_IMAP_PASSWORD",
    )
    .option(
      "--auth <kind>",
      "password or xoauth2 (the variable then holds an OAuth2 access token)",
      "password",
    )
    .option("--mailbox <folder>", "the folder reports arrive in", "INBOX")
    .option("--insecure", "allow plaintext to a remote host and unverifiable certificates")
    .option("--max <n>", "messages read per run at most (the next run goes on)", "10000")
    .option("--db <path>", "the store (as for dmarc)")
    .option("--json", "print the result as JSON")
    .action(async (_options: FetchCliOptions, command: Command) => {
      // --db and --json are also `dmarc`'s own options: commander gives them to whichever it parses first.
      process.exitCode = await runFetch(command.optsWithGlobals() as FetchCliOptions);
    });
}

async function runFetch(options: FetchCliOptions): Promise<number> {
  const { UsageError } = await import("../exit.ts");
  if (options.auth !== "password" && options.auth !== "xoauth2")
    throw new UsageError(`--auth must be password or xoauth2: ${options.auth}`);
  if (!/^[1-9]\d{0,8}$/.test(options.max))
    throw new UsageError(`--max must be a positive whole number: ${options.max}`);
  const { checkSecretEnvName, MailboxError } = await import("../../mailbox/index.ts");
  try {
    checkSecretEnvName(options.passwordEnv, "--password-env");
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { fetchReports } = await import("../../dmarc/fetch.ts");
  const { renderReportIngest, reportIngestFailures } = await import("../../report/dmarc.ts");
  const { Store, SCHEMA_VERSION } = await import("../../store/index.ts");
  const { escapeLine } = await import("../../report/terminal.ts");
  const store = await Store.open(options.db);
  try {
    const result = await fetchReports(store, {
      account: {
        imapUrl: options.imap,
        username: options.user,
        secretEnv: options.passwordEnv,
        auth: options.auth,
      },
      folder: options.mailbox,
      insecure: options.insecure,
      maxMessages: Number(options.max),
    });
    if (options.json)
      process.stdout.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...result }, null, 2)}\n`);
    else {
      const restart = result.restarted ? " (the mailbox was recreated: read from the start)" : "";
      process.stdout.write(
        `${escapeLine(result.mailbox)}: ${result.fetched} new message(s) read, up to UID ${result.lastUid}${restart}${result.remaining > 0 ? `; ${result.remaining} left for the next run` : ""}\n`,
      );
      process.stdout.write(renderReportIngest(result.reports));
    }
    for (const line of reportIngestFailures(result.reports)) process.stderr.write(line);
    if (result.skipped > 0)
      process.stderr.write(
        `deliverlens dmarc fetch: ${result.skipped} message(s) larger than the message limit were not read\n`,
      );
    return result.skipped > 0 || result.reports.some((r) => r.problems.length > 0) ? EXIT.failed : EXIT.ok;
  } catch (error) {
    if (error instanceof MailboxError) {
      process.stderr.write(`deliverlens dmarc fetch: ${escapeLine(error.message)}\n`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    store.close();
  }
}

async function runDmarc(options: DmarcCliOptions): Promise<number> {
  windowOptions(options.from, options.to);
  const { domainOption, resolverOption } = await import("../../dns/options.ts");
  const domain = options.domain === undefined ? undefined : domainOption(options.domain);
  const spec = resolverOption(options.resolver);
  const { openExisting } = await import("../run/stats.ts");
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
