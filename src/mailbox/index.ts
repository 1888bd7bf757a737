/**
 * Shared IMAP access (imapflow, https://imapflow.com): seed-list checks (`seeds check`) and DMARC report
 * mailboxes (`dmarc fetch`). A connection comes from an account (imap_url + username + the NAME of the
 * environment variable holding the secret); TLS by default, plaintext only to loopback or with
 * `insecure`; timeouts; a cap on connections per host; imapflow's logging silenced.
 */
export {
  AccountError,
  checkSecretEnvName,
  type ImapEndpoint,
  isLoopbackHost,
  MAILBOX_AUTHS,
  type MailboxAccount,
  type MailboxAuth,
  parseImapUrl,
  readSecret,
} from "./account.ts";
export { describeMailboxError, MailboxError } from "./errors.ts";
export { HostLimiter } from "./limiter.ts";
export {
  type ConnectionPlan,
  connectionPlan,
  DEFAULT_TIMEOUTS,
  type DownloadedMessage,
  type MailboxFolder,
  type MailboxOptions,
  type MailboxSession,
  type MailboxTimeouts,
  withMailbox,
} from "./session.ts";
