import type { FetchOptions } from "../../dmarc/fetch.ts";
import { DMARC_JSON_SCHEMA_VERSION, summarizeReports } from "../../dmarc/summary.ts";
import { domainOption, resolverOption } from "../../dns/options.ts";
import { checkSecretEnvName } from "../../mailbox/account.ts";
import { MailboxError } from "../../mailbox/errors.ts";
import { renderDmarc, renderReportIngest, reportIngestFailures } from "../../report/dmarc.ts";
import { escapeLine } from "../../report/terminal.ts";
import { Store } from "../../store/index.ts";
import { EXIT, UsageError } from "../exit.ts";
import { windowOptions } from "../options.ts";
import { openExisting } from "./stats.ts";

/** `deliverlens dmarc` and `deliverlens dmarc fetch`: options checked, the capability run, the result printed. */

export interface DmarcCliOptions {
  db: string;
  domain?: string;
  from?: string;
  to?: string;
  resolve?: boolean;
  resolver: string;
  timeout: string;
  json?: boolean;
}

export interface FetchCliOptions {
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

export async function runDmarc(options: DmarcCliOptions): Promise<number> {
  windowOptions(options.from, options.to);
  const domain = options.domain === undefined ? undefined : domainOption(options.domain);
  const spec = resolverOption(options.resolver);
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
        ? `${JSON.stringify({ schemaVersion: DMARC_JSON_SCHEMA_VERSION, ...summary }, null, 2)}\n`
        : renderDmarc(summary),
    );
  } finally {
    store.close();
  }
  return EXIT.ok;
}

/** The IMAP account and fetch options of `dmarc fetch` (also `serve --dmarc-imap`), checked. */
export function fetchOptionsOf(
  options: Omit<FetchCliOptions, "db" | "json">,
  /** The options' prefix in messages: `--` for dmarc fetch, `--dmarc-` for serve. */
  flag = "--",
): FetchOptions {
  if (options.auth !== "password" && options.auth !== "xoauth2")
    throw new UsageError(`${flag}auth must be password or xoauth2: ${options.auth}`);
  if (!/^[1-9]\d{0,8}$/.test(options.max))
    throw new UsageError(`${flag}max must be a positive whole number: ${options.max}`);
  try {
    checkSecretEnvName(options.passwordEnv, `${flag}password-env`);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    account: {
      imapUrl: options.imap,
      username: options.user,
      secretEnv: options.passwordEnv,
      auth: options.auth,
    },
    folder: options.mailbox,
    insecure: options.insecure,
    maxMessages: Number(options.max),
  };
}

/** serve's --dmarc-* options. */
export interface ServeDmarcOptions {
  dmarcImap?: string;
  dmarcUser?: string;
  dmarcPasswordEnv: string;
  dmarcAuth: string;
  dmarcMailbox: string;
  dmarcEvery: string;
  dmarcMax: string;
  dmarcInsecure?: boolean;
}

/** `serve --dmarc-imap …` → the schedule of `dmarc fetch` runs, or null without --dmarc-imap. */
export function serveReportFetch(
  options: ServeDmarcOptions,
): { fetch: FetchOptions; intervalMs: number } | null {
  if (options.dmarcImap === undefined) return null;
  if (!options.dmarcUser) throw new UsageError("--dmarc-imap needs --dmarc-user (the IMAP login name)");
  const minutes = Number(options.dmarcEvery);
  if (!Number.isFinite(minutes) || minutes < 0.01 || minutes > 10_080)
    throw new UsageError(
      `--dmarc-every must be a number of minutes from 0.01 to 10080: ${options.dmarcEvery}`,
    );
  const fetch = fetchOptionsOf(
    {
      imap: options.dmarcImap,
      user: options.dmarcUser,
      passwordEnv: options.dmarcPasswordEnv,
      auth: options.dmarcAuth,
      mailbox: options.dmarcMailbox,
      insecure: options.dmarcInsecure,
      max: options.dmarcMax,
    },
    "--dmarc-",
  );
  return { fetch, intervalMs: Math.round(minutes * 60_000) };
}

export async function runFetch(options: FetchCliOptions): Promise<number> {
  const fetchOptions = fetchOptionsOf(options);
  // imapflow is loaded only by the commands that read a mailbox.
  const { fetchReports } = await import("../../dmarc/fetch.ts");
  const store = await Store.open(options.db);
  try {
    const result = await fetchReports(store, fetchOptions);
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ schemaVersion: DMARC_JSON_SCHEMA_VERSION, ...result }, null, 2)}\n`,
      );
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
