import {
  type HostLimiter,
  type MailboxAccount,
  MailboxError,
  parseImapUrl,
  withMailbox,
} from "../mailbox/index.ts";
import { mailboxProgress, type Store, saveMailboxProgress } from "../store/index.ts";
import { limitOf } from "../util/limits.ts";
import { ingestReportFiles, type ReportFileSummary } from "./ingest.ts";

/**
 * `dmarc fetch`: new messages of a report mailbox over IMAP (src/mailbox, the same client and credential
 * handling as the seed tests), read and stored like files. Progress is kept per mailbox as UIDVALIDITY +
 * the last UID read (RFC 9051 §2.3.1.1), never the \Seen flag: the folder is opened read-only (EXAMINE),
 * other readers of the mailbox see nothing change, and a new UIDVALIDITY (the folder recreated) starts
 * over — reports already stored are recognised as duplicates.
 */

export interface FetchOptions {
  account: MailboxAccount;
  folder: string;
  insecure?: boolean;
  limiter?: HostLimiter;
  /** Messages read per run at most (the oldest new ones first); the next run goes on from there. */
  maxMessages?: number;
  env?: Record<string, string | undefined>;
  /**
   * Runs the store reads and writes (the live service passes its store lock, so the IMAP session, the
   * slow part, never holds it). Default: run them directly.
   */
  withStore?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface FetchResult {
  mailbox: string;
  uidValidity: string;
  /** UIDs of the messages read this run. */
  fetched: number;
  /** Messages larger than the message limit: not read (their UIDs still count as read). */
  skipped: number;
  lastUid: number;
  /** New messages left for the next run (`maxMessages`). */
  remaining: number;
  /** The mailbox was recreated since the last run (UIDVALIDITY changed): read from the start. */
  restarted: boolean;
  reports: ReportFileSummary[];
}

/** `host:port/user/folder`: the key progress is kept under. */
export function mailboxKey(account: MailboxAccount, folder: string): string {
  const endpoint = parseImapUrl(account.imapUrl);
  return `${endpoint.host}:${endpoint.port}/${account.username}/${folder}`;
}

export async function fetchReports(store: Store, options: FetchOptions): Promise<FetchResult> {
  let key: string;
  try {
    key = mailboxKey(options.account, options.folder);
  } catch (error) {
    throw new MailboxError("config", error instanceof Error ? error.message : String(error));
  }
  const withStore = options.withStore ?? (<T>(work: () => Promise<T>) => work());
  const before = await withStore(() => mailboxProgress(store, key));
  const maxBytes = limitOf("messageBytes");
  const max = options.maxMessages ?? 10_000;
  const downloaded = await withMailbox(
    options.account,
    { insecure: options.insecure, limiter: options.limiter, env: options.env },
    async (session) => {
      const all = await session.search(options.folder, { all: true });
      const validity = String(session.client.mailbox ? session.client.mailbox.uidValidity : "");
      const restarted = before !== null && before.uidValidity !== validity;
      const from = before && !restarted ? before.lastUid : 0;
      const fresh = all.filter((uid) => uid > from);
      const batch = fresh.slice(0, max);
      const messages: Array<{ uid: number; raw: Buffer | null }> = [];
      for (const uid of batch) {
        const message = await session.download(options.folder, uid, maxBytes);
        messages.push({ uid, raw: message && !message.truncated ? message.raw : null });
      }
      return { validity, restarted, messages, remaining: fresh.length - batch.length, from };
    },
  );
  const endpoint = parseImapUrl(options.account.imapUrl);
  const base = `imap://${endpoint.host}:${endpoint.port}/${encodeURIComponent(options.folder)}`;
  const inputs = downloaded.messages
    .filter((m) => m.raw !== null)
    .map((m) => ({ label: `${base};UID=${m.uid}`, raw: m.raw as Buffer }));
  const lastUid = downloaded.messages.reduce((last, m) => Math.max(last, m.uid), downloaded.from);
  const reports = await withStore(async () => {
    const stored = await ingestReportFiles(store, inputs);
    await saveMailboxProgress(store, key, downloaded.validity, lastUid, downloaded.messages.length);
    return stored;
  });
  return {
    mailbox: key,
    uidValidity: downloaded.validity,
    fetched: downloaded.messages.length,
    skipped: downloaded.messages.filter((m) => m.raw === null).length,
    lastUid,
    remaining: downloaded.remaining,
    restarted: downloaded.restarted,
    reports,
  };
}
