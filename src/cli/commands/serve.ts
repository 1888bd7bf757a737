import { isIP } from "node:net";
import type { Command } from "commander";
import { UsageError } from "../exit.ts";
import { DEFAULT_STORE } from "../options.ts";

export interface ServeCliOptions {
  db: string;
  host: string;
  port: string;
  durability: string;
  drainInterval: string;
  maxBacklog: string;
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
    .option("--drain-interval <ms>", "how often the spool is drained into the store", "500")
    .option(
      "--max-backlog <n>",
      "spooled records not yet in the store above which webhooks get 503 + Retry-After",
      "500000",
    )
    .addHelpText(
      "after",
      `
Secrets (environment; an endpoint whose secret is unset answers 401 to everything):
  DELIVERLENS_SENDGRID_VERIFICATION_KEY  SendGrid's Signed Event Webhook public key (base64, as SendGrid shows it)
  DELIVERLENS_MAILGUN_SIGNING_KEY        Mailgun's HTTP webhook signing key
  DELIVERLENS_SNS_TOPIC_ARNS             comma-separated SNS topic ARNs accepted at /webhooks/ses
  DELIVERLENS_SNS_CERT_DIR               pre-fetched SNS signing certificates (offline use)
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
    token,
    snsCertDir: nonEmpty(env.DELIVERLENS_SNS_CERT_DIR),
    secrets: {
      sendgrid,
      mailgun: nonEmpty(env.DELIVERLENS_MAILGUN_SIGNING_KEY),
      snsTopics: topics && topics.length > 0 ? new Set(topics) : null,
      basicAuth,
    },
  } as const;
}

export type ServeCliConfig = Awaited<ReturnType<typeof serveConfig>>;

function nonEmpty(value: string | undefined): string | null {
  return value !== undefined && value.trim() !== "" ? value.trim() : null;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
