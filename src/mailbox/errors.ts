import type { ImapEndpoint } from "./account.ts";

/** What went wrong with a mailbox, in words a user can act on; never carries the secret. */
export class MailboxError extends Error {
  readonly kind: "config" | "connection" | "tls" | "timeout" | "login";
  constructor(kind: MailboxError["kind"], message: string) {
    super(message);
    this.kind = kind;
  }
}

interface ImapLikeError {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
}

const TLS_CODES = /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_SSL|ERR_TLS|HOSTNAME_MISMATCH|ERR_TLS_CERT)/;

/** One sentence naming the failure: "login failed: authentication rejected", "connection refused by …". */
export function describeMailboxError(
  error: unknown,
  endpoint: ImapEndpoint,
  timeouts: { connectMs: number; greetingMs: number; socketMs: number },
): string {
  const e = (error ?? {}) as ImapLikeError;
  const where = `${endpoint.host}:${endpoint.port}`;
  const code = e.code ?? "";
  const message = String(e.message ?? error);
  if (e.authenticationFailed) {
    const detail = e.serverResponseCode ? ` (${e.serverResponseCode})` : "";
    return `login failed: authentication rejected${detail}`;
  }
  if (code === "CONNECT_TIMEOUT") return `could not connect to ${where} within ${secs(timeouts.connectMs)}`;
  if (code === "GREETING_TIMEOUT")
    return `no IMAP greeting from ${where} within ${secs(timeouts.greetingMs)} (the server hangs${endpoint.implicitTls ? "" : ", or it expects TLS: try imaps://"})`;
  if (code === "UPGRADE_TIMEOUT") return `STARTTLS with ${where} did not complete in time`;
  if (code === "ETIMEOUT") return `${where} stopped answering (no data for ${secs(timeouts.socketMs)})`;
  if (code === "ECONNREFUSED") return `connection refused by ${where}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `host not found: ${endpoint.host}`;
  if (code === "ECONNRESET" || code === "EConnectionClosed" || code === "NoConnection")
    return `${where} closed the connection (${message})`;
  if (e.tlsFailed || TLS_CODES.test(code) || /certificate|ssl|tls/i.test(message))
    return `TLS failed with ${where}: ${message} (--insecure accepts a certificate that does not verify)`;
  if (/STARTTLS/i.test(message))
    return `${where} offers no STARTTLS: plaintext IMAP to a remote host is refused (use imaps://, or --insecure)`;
  return `IMAP error with ${where}: ${message}${e.responseText ? ` (${e.responseText})` : ""}`;
}

function secs(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
