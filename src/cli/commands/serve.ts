import { isIP } from "node:net";
import type { Command } from "commander";
import { UsageError } from "../exit.ts";
import { DEFAULT_STORE } from "../options.ts";
import type { ServeDmarcOptions } from "../run/dmarc.ts";

export interface ServeCliOptions extends ServeDmarcOptions {
  db: string;
  host: string;
  port: string;
  durability: string;
  drainInterval: string;
  maxBacklog: string;
  detectInterval: string;
  diagnosisDays: string;
  alertWebhook?: string;
  alertSmtp?: string;
  alertFrom: string;
  alertTo?: string;
  alertCooldown: string;
  warmupPlan?: string;
  domain?: string;
  ip?: string[];
  resolver: string;
  blocklistInterval: string;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "Receive signed ESP event webhooks into the store, durably and deduplicated; dashboard and API on the same port",
    )
    .option("--db <path>", "the store (serve is its one writer while it runs)", DEFAULT_STORE)
    .option(
      "--host <address>",
      "address to listen on (anything but loopback needs DELIVERLENS_TOKEN)",
      "127.0.0.1",
    )
    .option("--port <n>", "port to listen on (0: any free port)", "8025")
    .option(
      "--durability <mode>",
      "spool: acknowledge once fsynced to the spool, drained into the store in batches; direct: once committed to the store",
      "spool",
    )
    .option("--drain-interval <ms>", "how often the spool is drained into the store", "1000")
    .option(
      "--max-backlog <n>",
      "spooled records not yet in the store above which webhooks get 503 + Retry-After",
      "500000",
    )
    .option("--detect-interval <seconds>", "how often detection runs", "300")
    .option(
      "--diagnosis-days <n>",
      "an episode's alert carries the diagnosis of this many days of data, ending on the episode's day",
      "14",
    )
    .option("--alert-webhook <url>", "POST each alert as JSON (with a Slack-compatible `text`) to this URL")
    .option(
      "--alert-smtp <url>",
      "send each alert by email through this SMTP server (smtp://[user:pass@]host:port, smtps://…)",
    )
    .option("--alert-from <address>", "the alert emails' sender", "deliverlens@localhost")
    .option("--alert-to <address>", "the alert emails' recipient (needed with --alert-smtp)")
    .option(
      "--alert-cooldown <minutes>",
      "the same alert (provider and condition) is not sent again within this",
      "60",
    )
    .option(
      "--warmup-plan <csv>",
      "the CSV `deliverlens plan` wrote: alert when today's volume is about to exceed it",
    )
    .option("--domain <name>", "check this sending domain against the blocklists periodically")
    .option("--ip <address...>", "check these sending IPs against the blocklists periodically")
    .option("--resolver <spec>", "DNS for the blocklist checks: system or udp://HOST:PORT", "system")
    .option("--blocklist-interval <minutes>", "how often --domain/--ip are checked", "60")
    .option(
      "--dmarc-imap <url>",
      "read DMARC/TLS reports from this IMAP mailbox on a schedule, as `dmarc fetch --imap` does",
    )
    .option("--dmarc-user <name>", "with --dmarc-imap: the IMAP login name")
    .option(
      "--dmarc-password-env <var>",
      "with --dmarc-imap: environment variable holding the password or token",
      "DELIVERLENS_IMAP_PASSWORD",
    )
    .option("--dmarc-auth <kind>", "with --dmarc-imap: password or xoauth2", "password")
    .option("--dmarc-mailbox <folder>", "with --dmarc-imap: the folder reports arrive in", "INBOX")
    .option("--dmarc-every <minutes>", "with --dmarc-imap: how often the mailbox is read", "60")
    .option("--dmarc-max <n>", "with --dmarc-imap: messages read per run at most", "1000")
    .option("--dmarc-insecure", "with --dmarc-imap: as dmarc fetch --insecure")
    .addHelpText(
      "after",
      `
Secrets (environment; an endpoint whose secret is unset answers 401 to everything):
  DELIVERLENS_SENDGRID_VERIFICATION_KEY  SendGrid's Signed Event Webhook public key (base64, as SendGrid shows it)
  DELIVERLENS_MAILGUN_SIGNING_KEY        Mailgun's HTTP webhook signing key
  DELIVERLENS_SNS_TOPIC_ARNS             comma-separated SNS topic ARNs accepted at /webhooks/ses
  DELIVERLENS_SNS_CERT_DIR               pre-fetched SNS signing certificates (offline use)
  DELIVERLENS_SNS_CA_FILE                PEM bundle the SNS signing certificates must chain to (default: system CAs)
  DELIVERLENS_WEBHOOK_BASIC_AUTH         user:password for /webhooks/postmark and /webhooks/sparkpost
  DELIVERLENS_TOKEN                      bearer token for the dashboard and API (required off loopback)
Endpoints: POST /webhooks/{sendgrid,mailgun,ses,postmark,sparkpost}; GET / (dashboard), /api/stats, /metrics, /healthz.
SIGTERM stops intake, drains the spool into the store and exits. See docs/SERVE.md.`,
    )
    .action(async (options: ServeCliOptions) => {
      const config = await serveConfig(options, process.env);
      const { runServe } = await import("../run/serve.ts");
      process.exitCode = await runServe(config);
    });
}

/** Options and environment → the service's configuration; a bad value is a usage error (exit 2). */
export async function serveConfig(options: ServeCliOptions, env: NodeJS.ProcessEnv) {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535: ${options.port}`);
  if (options.durability !== "spool" && options.durability !== "direct")
    throw new UsageError(`--durability must be spool or direct: ${options.durability}`);
  const drainIntervalMs = Number(options.drainInterval);
  if (!Number.isFinite(drainIntervalMs) || drainIntervalMs < 10 || drainIntervalMs > 600_000)
    throw new UsageError(`--drain-interval must be 10-600000 ms: ${options.drainInterval}`);
  const maxBacklog = Number(options.maxBacklog);
  if (!Number.isInteger(maxBacklog) || maxBacklog < 1)
    throw new UsageError(`--max-backlog must be a positive integer`);
  if (options.host !== "localhost" && isIP(options.host) === 0)
    throw new UsageError(`--host must be an IP address (or localhost): ${options.host}`);
  const token = nonEmpty(env.DELIVERLENS_TOKEN);
  if (!isLoopback(options.host) && token === null)
    throw new UsageError(
      `--host ${options.host} is reachable from other machines: set DELIVERLENS_TOKEN (a bearer token for the dashboard and API) first`,
    );
  const { sendgridKey } = await import("../../serve/signatures.ts");
  const sendgridText = nonEmpty(env.DELIVERLENS_SENDGRID_VERIFICATION_KEY);
  let sendgrid = null;
  try {
    sendgrid = sendgridText ? sendgridKey(sendgridText) : null;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const basicAuth = nonEmpty(env.DELIVERLENS_WEBHOOK_BASIC_AUTH);
  if (basicAuth !== null && !/^[^:]+:.+$/.test(basicAuth))
    throw new UsageError("DELIVERLENS_WEBHOOK_BASIC_AUTH must be user:password");
  const diagnosisDays = Number(options.diagnosisDays);
  if (!Number.isInteger(diagnosisDays) || diagnosisDays < 1 || diagnosisDays > 3660)
    throw new UsageError(`--diagnosis-days must be a whole number from 1 to 3660: ${options.diagnosisDays}`);
  const detectIntervalMs = seconds("--detect-interval", options.detectInterval, 0.05, 86_400) * 1000;
  const alertCooldownMs = seconds("--alert-cooldown", options.alertCooldown, 0, 10_080) * 60_000;
  const blocklistIntervalMs =
    seconds("--blocklist-interval", options.blocklistInterval, 0.01, 10_080) * 60_000;
  if (options.alertWebhook !== undefined && !/^https?:\/\/[^\s]+$/.test(options.alertWebhook))
    throw new UsageError(`--alert-webhook must be an http(s) URL: ${options.alertWebhook}`);
  if (options.alertSmtp !== undefined) {
    if (!/^smtps?:\/\/[^\s]+$/.test(options.alertSmtp))
      throw new UsageError(
        `--alert-smtp must be smtp://host:port or smtps://host:port: ${options.alertSmtp}`,
      );
    if (!options.alertTo) throw new UsageError("--alert-smtp needs --alert-to");
  }
  const { domainOption, ipOptions, resolverOption } = await import("../../dns/options.ts");
  const domain = options.domain !== undefined ? domainOption(options.domain) : null;
  const ips = ipOptions(options.ip);
  const resolver = resolverOption(options.resolver);
  const { serveReportFetch } = await import("../run/dmarc.ts");
  const reportFetch = serveReportFetch(options);
  const topics = nonEmpty(env.DELIVERLENS_SNS_TOPIC_ARNS)
    ?.split(",")
    .map((arn) => arn.trim())
    .filter(Boolean);
  return {
    db: options.db,
    host: options.host,
    port,
    durability: options.durability,
    drainIntervalMs,
    maxBacklog,
    detectIntervalMs,
    diagnosisDays,
    alertCooldownMs,
    alerts: {
      webhook: options.alertWebhook ?? null,
      smtp: options.alertSmtp
        ? { url: options.alertSmtp, from: options.alertFrom, to: options.alertTo as string }
        : null,
    },
    warmupPlan: options.warmupPlan ?? null,
    blocklists: domain || ips.length > 0 ? { domain, ips, resolver, intervalMs: blocklistIntervalMs } : null,
    reportFetch,
    token,
    snsCertDir: nonEmpty(env.DELIVERLENS_SNS_CERT_DIR),
    snsCaFile: nonEmpty(env.DELIVERLENS_SNS_CA_FILE),
    secrets: {
      sendgrid,
      mailgun: nonEmpty(env.DELIVERLENS_MAILGUN_SIGNING_KEY),
      snsTopics: topics && topics.length > 0 ? new Set(topics) : null,
      basicAuth,
    },
  } as const;
}

export type ServeCliConfig = Awaited<ReturnType<typeof serveConfig>>;

function seconds(flag: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < min || number > max)
    throw new UsageError(`${flag} must be a number from ${min} to ${max}: ${value}`);
  return number;
}

function nonEmpty(value: string | undefined): string | null {
  return value !== undefined && value.trim() !== "" ? value.trim() : null;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
