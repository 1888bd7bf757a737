import nodemailer from "nodemailer";
import { connectionPlan, type ImapEndpoint, readSecret } from "../mailbox/index.ts";
import type { Seed } from "./seed-list.ts";
import { type TaggedMessage, tagMessage } from "./tag.ts";

/** The sender's relay: `smtps://host[:465]` (TLS) or `smtp://host[:587]` (STARTTLS required unless loopback/--insecure). */
export function parseSmtpUrl(url: string): ImapEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--smtp: not a URL: "${url}" (expected smtp://host:587 or smtps://host:465)`);
  }
  const scheme = parsed.protocol.replace(/:$/, "").toLowerCase();
  if (scheme !== "smtp" && scheme !== "smtps")
    throw new Error(`--smtp: unsupported scheme "${scheme}:" (expected smtp:// or smtps://)`);
  if (parsed.username || parsed.password)
    throw new Error(
      "--smtp: no credentials in the URL; set DELIVERLENS_SMTP_USER and DELIVERLENS_SMTP_PASSWORD",
    );
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new Error("--smtp: the URL has no host");
  const implicitTls = scheme === "smtps";
  return { host, port: parsed.port ? Number(parsed.port) : implicitTls ? 465 : 587, implicitTls };
}

/** Environment variables holding the relay's login (both unset: no authentication). */
export const SMTP_USER_ENV = "DELIVERLENS_SMTP_USER";
export const SMTP_PASSWORD_ENV = "DELIVERLENS_SMTP_PASSWORD";

export interface SendOptions {
  smtpUrl: string;
  testId: string;
  /** Envelope sender (MAIL FROM); default the message's Return-Path, else its From address. */
  from?: string;
  insecure?: boolean;
  env?: Record<string, string | undefined>;
  /** Connect/greeting/socket timeout per SMTP connection (ms, default 30 s). */
  timeoutMs?: number;
}

export interface SendResult {
  address: string;
  provider: string;
  accepted: boolean;
  /** The relay's reply (e.g. `250 2.0.0 Ok: queued as …`). */
  response: string | null;
  error: string | null;
}

export interface SendOutcome {
  tagged: TaggedMessage;
  envelopeFrom: string;
  results: SendResult[];
}

/**
 * Send the campaign's own message through the sender's relay to every seed, one SMTP transaction per
 * seed (the path real mail takes: same relay, IPs, signing and authentication). Each copy carries the
 * test id (tagMessage: header always, body token unless DKIM-signed).
 */
export async function sendSeeds(seeds: Seed[], raw: Buffer, options: SendOptions): Promise<SendOutcome> {
  const endpoint = parseSmtpUrl(options.smtpUrl);
  const env = options.env ?? process.env;
  const plan = connectionPlan(endpoint, options.insecure ?? false);
  const user = env[SMTP_USER_ENV];
  const pass = user ? readSecret(SMTP_PASSWORD_ENV, env) : undefined;
  const tagged = tagMessage(raw, options.testId);
  const envelopeFrom = options.from ?? envelopeSender(raw);
  if (!envelopeFrom)
    throw new Error("no sender: the message has no Return-Path or From address; give --from");
  const timeout = options.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    host: endpoint.host,
    port: endpoint.port,
    secure: plan.implicitTls,
    requireTLS: plan.requireStartTls,
    tls: { rejectUnauthorized: plan.verifyCertificate },
    auth: user ? { user, pass } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    pool: true,
    maxConnections: 2,
    logger: false,
    debug: false,
  });
  const results: SendResult[] = [];
  try {
    for (const seed of seeds) {
      try {
        const info = await transport.sendMail({
          envelope: { from: envelopeFrom, to: [seed.address] },
          raw: tagged.raw,
        });
        const accepted = info.accepted.length > 0;
        results.push({
          address: seed.address,
          provider: seed.provider,
          accepted,
          response: info.response ?? null,
          error: accepted ? null : `rejected: ${info.response}`,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results.push({
          address: seed.address,
          provider: seed.provider,
          accepted: false,
          response: null,
          error: scrub(message, pass),
        });
      }
    }
  } finally {
    transport.close();
  }
  return { tagged, envelopeFrom, results };
}

/** Return-Path's address, else From's (first address), from the header section. */
export function envelopeSender(raw: Buffer): string | null {
  const text = raw.subarray(0, 256 * 1024).toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const head = (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]/g, " ");
  for (const name of ["return-path", "from"]) {
    const value = new RegExp(`^${name}[ \\t]*:(.*)$`, "im").exec(head)?.[1];
    const address = value
      ? (/<([^<>\s]+@[^<>\s]+)>/.exec(value)?.[1] ?? /([^\s<>",;:]+@[^\s<>",;:]+)/.exec(value)?.[1])
      : null;
    if (address) return address;
  }
  return null;
}

function scrub(text: string, secret: string | undefined): string {
  return secret && secret.length >= 3 ? text.split(secret).join("***") : text;
}
