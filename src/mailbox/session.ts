import { type FetchMessageObject, ImapFlow, type SearchObject } from "imapflow";
import {
  AccountError,
  type ImapEndpoint,
  isLoopbackHost,
  type MailboxAccount,
  parseImapUrl,
  readSecret,
} from "./account.ts";
import { describeMailboxError, MailboxError } from "./errors.ts";
import { HostLimiter } from "./limiter.ts";

/** Timeouts of one connection (milliseconds). */
export interface MailboxTimeouts {
  /** TCP (+TLS) connect, DNS included. */
  connectMs: number;
  /** The server's greeting after connect (a server that accepts and says nothing). */
  greetingMs: number;
  /** Silence on an open connection. */
  socketMs: number;
  /** Everything one `withMailbox` call does, connect to logout. */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: MailboxTimeouts = {
  connectMs: 15_000,
  greetingMs: 15_000,
  socketMs: 60_000,
  totalMs: 180_000,
};

export interface MailboxOptions {
  /** Allow plaintext IMAP to a non-loopback host and accept a TLS certificate that does not verify. */
  insecure?: boolean;
  /** Where secrets are read from (default process.env). */
  env?: Record<string, string | undefined>;
  timeouts?: Partial<MailboxTimeouts>;
  /** Caps connections per host:port across calls sharing it (default: a private limiter of 4). */
  limiter?: HostLimiter;
}

/** A folder as the server lists it, with its RFC 6154 special use and where imapflow got it from. */
export interface MailboxFolder {
  path: string;
  delimiter: string;
  /** `\Inbox`, `\Junk`, `\Sent`, … or null. */
  specialUse: string | null;
  /** `extension`: the server's SPECIAL-USE/XLIST flag; `name`: imapflow guessed it from the name. */
  specialUseSource: "user" | "extension" | "name" | null;
  flags: string[];
}

export interface DownloadedMessage {
  uid: number;
  raw: Buffer;
  /** The message is larger than the bytes kept. */
  truncated: boolean;
  size: number | null;
  internalDate: string | null;
}

/** An open, logged-in connection. Only folder reads: every folder is opened read-only (EXAMINE). */
export interface MailboxSession {
  endpoint: ImapEndpoint;
  /** The server's capabilities after login (e.g. `X-GM-EXT-1`, `SPECIAL-USE`). */
  capabilities: Set<string>;
  folders(): Promise<MailboxFolder[]>;
  /** UIDs of the messages in `folder` matching `query` (imapflow's SearchObject), ascending. */
  search(folder: string, query: SearchObject): Promise<number[]>;
  /** One message's raw source (at most `maxBytes`) from `folder`. */
  download(folder: string, uid: number, maxBytes: number): Promise<DownloadedMessage | null>;
  /** The imapflow client itself, for what this module does not wrap. */
  client: ImapFlow;
}

const sharedDefault = new HostLimiter(4);
const MiB = 1024 * 1024;

/**
 * Connect, log in, run `work`, log out — always, even when `work` throws. Every failure (bad URL, missing
 * secret, refused plaintext, DNS, TCP, TLS, greeting, login, timeout) is thrown as a MailboxError whose
 * message names it in words and never contains the secret.
 */
export async function withMailbox<T>(
  account: MailboxAccount,
  options: MailboxOptions,
  work: (session: MailboxSession) => Promise<T>,
): Promise<T> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  let endpoint: ImapEndpoint;
  let secret: string;
  try {
    endpoint = parseImapUrl(account.imapUrl);
    secret = readSecret(account.secretEnv, options.env);
  } catch (error) {
    throw new MailboxError("config", error instanceof AccountError ? error.message : String(error));
  }
  const plan = connectionPlan(endpoint, options.insecure ?? false);
  const limiter = options.limiter ?? sharedDefault;
  return limiter.run(`${endpoint.host}:${endpoint.port}`, async () => {
    const client = new ImapFlow({
      host: endpoint.host,
      port: endpoint.port,
      secure: plan.implicitTls,
      doSTARTTLS: plan.requireStartTls ? true : undefined,
      auth:
        account.auth === "xoauth2"
          ? { user: account.username, accessToken: secret }
          : { user: account.username, pass: secret },
      tls: { rejectUnauthorized: plan.verifyCertificate },
      logger: false,
      emitLogs: false,
      disableAutoIdle: true,
      connectionTimeout: timeouts.connectMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
      // Mailbox answers are small and downloads are capped by the caller; bound what a hostile server can
      // make us buffer (imapflow's defaults are 1 GB).
      maxLineLength: 8 * MiB,
      maxLiteralSize: 64 * MiB,
      maxResponseSize: 96 * MiB,
      clientInfo: { name: "deliverlens" },
    });
    client.on("error", () => {
      // Reported through the rejected command; the event must not crash the process.
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      client.close();
    }, timeouts.totalMs);
    try {
      await client.connect();
      const session = makeSession(client, endpoint);
      return await work(session);
    } catch (error) {
      if (error instanceof MailboxError) throw error;
      const words = timedOut
        ? `gave up after ${seconds(timeouts.totalMs)} (the whole check of this mailbox)`
        : describeMailboxError(error, endpoint, timeouts);
      throw new MailboxError(kindOf(error, timedOut), scrub(words, secret));
    } finally {
      clearTimeout(timer);
      if (client.usable) await client.logout().catch(() => client.close());
      else client.close();
    }
  });
}

/** How a connection to `endpoint` is secured. */
export interface ConnectionPlan {
  implicitTls: boolean;
  /** imap:// to a remote host must upgrade with STARTTLS: TLS by default. */
  requireStartTls: boolean;
  verifyCertificate: boolean;
  /** Plaintext is possible (imap:// to loopback, or --insecure, when the server offers no STARTTLS). */
  plaintextAllowed: boolean;
}

/** TLS by default; plaintext only to a loopback host or with `insecure` (which also skips certificate checks). */
export function connectionPlan(endpoint: ImapEndpoint, insecure: boolean): ConnectionPlan {
  const plaintextAllowed = !endpoint.implicitTls && (insecure || isLoopbackHost(endpoint.host));
  return {
    implicitTls: endpoint.implicitTls,
    requireStartTls: !endpoint.implicitTls && !plaintextAllowed,
    verifyCertificate: !insecure,
    plaintextAllowed,
  };
}

function makeSession(client: ImapFlow, endpoint: ImapEndpoint): MailboxSession {
  let opened: string | null = null;
  const open = async (folder: string) => {
    if (opened === folder) return;
    await client.mailboxOpen(folder, { readOnly: true });
    opened = folder;
  };
  return {
    endpoint,
    capabilities: new Set(client.capabilities.keys()),
    client,
    async folders() {
      const list = await client.list();
      return list.map((entry) => ({
        path: entry.path,
        delimiter: entry.delimiter,
        specialUse: entry.specialUse ?? null,
        specialUseSource: entry.specialUseSource ?? null,
        flags: [...entry.flags],
      }));
    },
    async search(folder, query) {
      await open(folder);
      const uids = await client.search(query, { uid: true });
      return (uids || []).sort((a, b) => a - b);
    },
    async download(folder, uid, maxBytes) {
      await open(folder);
      const message: FetchMessageObject | false = await client.fetchOne(
        String(uid),
        { source: { maxLength: maxBytes }, size: true, internalDate: true, uid: true },
        { uid: true },
      );
      if (message === false || !message.source) return null;
      const size = typeof message.size === "number" ? message.size : null;
      const date = message.internalDate;
      return {
        uid,
        raw: message.source,
        truncated: size !== null ? size > message.source.length : false,
        size,
        internalDate: date instanceof Date ? date.toISOString() : typeof date === "string" ? date : null,
      };
    },
  };
}

function kindOf(error: unknown, timedOut: boolean): MailboxError["kind"] {
  if (timedOut) return "timeout";
  const e = error as { authenticationFailed?: boolean; code?: string; tlsFailed?: boolean };
  if (e?.authenticationFailed) return "login";
  if (e?.tlsFailed) return "tls";
  if (/TIMEOUT/i.test(e?.code ?? "")) return "timeout";
  return "connection";
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The secret never leaves this module, even if a server or library echoes it into an error. */
function scrub(text: string, secret: string): string {
  return secret.length >= 3 ? text.split(secret).join("***") : text;
}
