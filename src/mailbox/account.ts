import net from "node:net";

/**
 * One IMAP account as the user describes it: where (`imaps://host:993`, `imap://host:port`), who (the login
 * name, which may differ from the address), and the NAME of the environment variable that holds the
 * password, app password or OAuth2 access token. The secret itself is never in a file, the store or a log.
 */
export interface MailboxAccount {
  imapUrl: string;
  username: string;
  /** Environment variable holding the secret (e.g. `SEED_GMAIL_PASSWORD`). */
  secretEnv: string;
  /** `password` (LOGIN/AUTH=PLAIN, the default) or `xoauth2` (the secret is an OAuth2 access token). */
  auth?: MailboxAuth;
}

export const MAILBOX_AUTHS = ["password", "xoauth2"] as const;
export type MailboxAuth = (typeof MAILBOX_AUTHS)[number];

/** Where to connect, parsed from an `imaps://` or `imap://` URL. */
export interface ImapEndpoint {
  host: string;
  port: number;
  /** true: TLS from the first byte (imaps, 993); false: plaintext, upgraded with STARTTLS when required. */
  implicitTls: boolean;
}

/** Why an account cannot even be tried; `field` names the column or option at fault. */
export class AccountError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** `imaps://host[:993]` or `imap://host[:143]`; no path, user or password in the URL. */
export function parseImapUrl(url: string): ImapEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AccountError("imap_url", `not a URL: "${url}" (expected imaps://host:993 or imap://host:port)`);
  }
  const scheme = parsed.protocol.replace(/:$/, "").toLowerCase();
  if (scheme !== "imaps" && scheme !== "imap")
    throw new AccountError("imap_url", `unsupported scheme "${scheme}:" (expected imaps:// or imap://)`);
  if (parsed.username || parsed.password)
    throw new AccountError(
      "imap_url",
      "the IMAP URL must not carry a user or password: put the login in the username column and the secret in the environment variable named by password_env",
    );
  if ((parsed.pathname && parsed.pathname !== "/") || parsed.search)
    throw new AccountError("imap_url", `no path or query expected in the IMAP URL`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new AccountError("imap_url", "the IMAP URL has no host");
  const implicitTls = scheme === "imaps";
  const port = parsed.port ? Number(parsed.port) : implicitTls ? 993 : 143;
  return { host, port, implicitTls };
}

/** True for 127.0.0.0/8, ::1 and `localhost`: the only hosts plaintext is allowed to without `--insecure`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (net.isIPv4(bare)) return bare.startsWith("127.");
  if (net.isIPv6(bare)) return bare === "::1" || /^::ffff:127\./.test(bare);
  return false;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Validate an environment variable name (a name, never a value). */
export function checkSecretEnvName(name: string, field = "password_env"): string {
  if (!ENV_NAME.test(name))
    throw new AccountError(
      field,
      `"${name.length > 40 ? `${name.slice(0, 40)}…` : name}" is not an environment variable name (letters, digits, _): give the NAME of the variable that holds the secret, never the secret`,
    );
  return name;
}

/** The secret from the environment; a missing or empty variable is an error naming the variable only. */
export function readSecret(name: string, env: Record<string, string | undefined> = process.env): string {
  checkSecretEnvName(name);
  const value = env[name];
  if (value === undefined || value === "")
    throw new AccountError("password_env", `environment variable ${name} is not set`);
  return value;
}
