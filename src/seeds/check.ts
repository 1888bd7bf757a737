import {
  HostLimiter,
  MailboxError,
  type MailboxOptions,
  type MailboxSession,
  withMailbox,
} from "../mailbox/index.ts";
import { escapeRegExp } from "../util/regexp.ts";
import { GMAIL_TABS, inboxPath, junkCandidates } from "./folders.ts";
import type { Seed } from "./seed-list.ts";
import { TEST_HEADER } from "./test-id.ts";

/** Where a seed's copy was found. */
export const PLACEMENTS = {
  inbox: "in the inbox",
  tab: "in the inbox, under a Gmail tab (Promotions, Social, Updates, Forums)",
  junk: "in the spam folder",
  missing: "not found when the wait ended (blocked, dropped or still delayed)",
  error: "the mailbox could not be checked (login, connection, TLS or timeout: see error)",
} as const;
export type Placement = keyof typeof PLACEMENTS;

/** What the received copy's headers say (from the inspect analysis), or null when not found. */
export interface SeedVerdicts {
  apple: { verdict: string; action: string | null; moveToFolder: string | null } | null;
  proofpoint: {
    score: number | null;
    spamscore: number | null;
    bulkscore: number | null;
    rule: string | null;
  } | null;
  microsoft: { scl: number | null; bcl: number | null; sfv: string | null } | null;
  spamassassin: { score: number | null; required: number | null; flagged: boolean | null } | null;
  /** The receiver's own Authentication-Results (the first header): method → result. */
  auth: { authservId: string; dkim: string | null; spf: string | null; dmarc: string | null } | null;
}

export interface SeedResult {
  address: string;
  provider: string;
  placement: Placement;
  /** The folder it was found in (`INBOX`, `Junk`, `[Gmail]/Spam`, `INBOX/promotions`), else null. */
  folder: string | null;
  /** Why it is where it is, from the folder and the received headers (raw text: escape when shown). */
  reasons: string[];
  /** For placement "error": the failure in words ("login failed: authentication rejected"). */
  error: string | null;
  /** How the copy was recognised: by its test header, or by the body token (the header was stripped). */
  matchedBy: "header" | "body" | null;
  receivedAt: string | null;
  /** The received copy's Subject (decoded), or null. */
  subject: string | null;
  checkedAt: string;
  verdicts: SeedVerdicts | null;
}

/** The analysis of a received copy: the inspect capability in the CLI, anything in tests. */
export type AnalyseCopy = (
  raw: Buffer,
) => Promise<{ reasons: string[]; verdicts: SeedVerdicts; subject?: string | null }>;

export interface CheckOptions {
  testId: string;
  /** Search messages received since this day (IMAP SINCE is a date): the send date, less a day's margin. */
  since: Date;
  /** How long to keep polling seeds whose copy has not arrived; 0: one pass. */
  waitMs: number;
  /** Pause between passes (default: a tenth of the wait, 2 s to 60 s). */
  pollMs?: number;
  mailbox: MailboxOptions;
  /** Connections per host (default 4) and in all (default 16). */
  perHost?: number;
  concurrency?: number;
  /** Bytes of the received copy downloaded for analysis. */
  maxMessageBytes: number;
  analyse: AnalyseCopy;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (settled: number, total: number) => void;
}

export interface Found {
  placement: "inbox" | "tab" | "junk";
  folder: string;
  reason: string;
  matchedBy: "header" | "body";
  raw: Buffer | null;
  truncated: boolean;
  receivedAt: string | null;
}

/**
 * Check every seed for the test's copy: INBOX, then every spam-folder candidate (`\Junk` first, then names),
 * Gmail tabs where X-GM-EXT-1 is offered. Seeds not found are polled again until the wait ends (then
 * "missing"); a mailbox that cannot be checked is an "error" row and the others go on.
 */
export async function checkSeeds(seeds: Seed[], options: CheckOptions): Promise<SeedResult[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.waitMs;
  const pollMs = options.pollMs ?? Math.min(60_000, Math.max(2_000, Math.round(options.waitMs / 10)));
  const mailbox: MailboxOptions = {
    ...options.mailbox,
    limiter: options.mailbox.limiter ?? new HostLimiter(options.perHost ?? 4),
  };
  const results = new Map<Seed, SeedResult>();
  const searched = new Map<Seed, string[]>();
  let pending = [...seeds];
  for (;;) {
    await forEachBounded(pending, options.concurrency ?? 16, async (seed) => {
      const result = await checkOne(seed, options, mailbox, searched);
      if (result) {
        results.set(seed, result);
        options.onProgress?.(results.size, seeds.length);
      }
    });
    pending = pending.filter((seed) => !results.has(seed));
    if (pending.length === 0 || now() + pollMs > deadline) break;
    await sleep(pollMs);
  }
  const checkedAt = new Date(now()).toISOString();
  for (const seed of pending) {
    const folders = searched.get(seed) ?? ["INBOX"];
    results.set(seed, {
      ...row(seed, checkedAt),
      placement: "missing",
      reasons: [
        `not found in ${folders.join(", ")} (searched by the ${TEST_HEADER} header and the body token)`,
      ],
    });
  }
  return seeds.map((seed) => results.get(seed)!);
}

function row(seed: Seed, checkedAt: string): SeedResult {
  return {
    address: seed.address,
    provider: seed.provider,
    placement: "missing",
    folder: null,
    reasons: [],
    error: null,
    matchedBy: null,
    receivedAt: null,
    subject: null,
    checkedAt,
    verdicts: null,
  };
}

/** One pass over one seed: a final result, or null when the copy is not there yet. */
async function checkOne(
  seed: Seed,
  options: CheckOptions,
  mailbox: MailboxOptions,
  searched: Map<Seed, string[]>,
): Promise<SeedResult | null> {
  let found: Found | null;
  try {
    found = await withMailbox(seed.account, mailbox, async (session) => {
      const result = await findCopy(session, options);
      searched.set(seed, result.searched);
      return result.found;
    });
  } catch (error) {
    const message = error instanceof MailboxError ? error.message : `unexpected: ${String(error)}`;
    return {
      ...row(seed, new Date((options.now ?? Date.now)()).toISOString()),
      placement: "error",
      error: message,
    };
  }
  if (!found) return null;
  const result: SeedResult = {
    ...row(seed, new Date((options.now ?? Date.now)()).toISOString()),
    placement: found.placement,
    folder: found.folder,
    matchedBy: found.matchedBy,
    receivedAt: found.receivedAt,
    reasons: [found.reason],
  };
  if (found.matchedBy === "body")
    result.reasons.push(`the ${TEST_HEADER} header was stripped on the way: found by the body token`);
  if (found.raw) {
    try {
      const analysis = await options.analyse(found.raw);
      result.verdicts = analysis.verdicts;
      result.subject = analysis.subject ?? null;
      result.reasons.push(...analysis.reasons);
    } catch (error) {
      result.reasons.push(
        `the received copy could not be analysed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (found.truncated)
      result.reasons.push(`only the first ${options.maxMessageBytes} bytes of the copy were analysed`);
  }
  return result;
}

export async function findCopy(
  session: MailboxSession,
  options: Pick<CheckOptions, "testId" | "since" | "maxMessageBytes">,
): Promise<{ found: Found | null; searched: string[] }> {
  const folders = (await session.folders()).filter(
    (folder) =>
      !folder.flags.some(
        (flag) => flag.toLowerCase() === "\\noselect" || flag.toLowerCase() === "\\nonexistent",
      ),
  );
  const inbox = inboxPath(folders);
  const junk = junkCandidates(folders).filter((candidate) => candidate.path !== inbox);
  const query = {
    since: options.since,
    or: [{ header: { [TEST_HEADER]: options.testId } }, { body: options.testId }],
  };
  const order = [
    { path: inbox, placement: "inbox" as const, reason: `in ${inbox}` },
    ...junk.map((candidate) => ({
      path: candidate.path,
      placement: "junk" as const,
      reason:
        candidate.by === "flag"
          ? `filed in ${candidate.path}, the server's spam folder (\\Junk)`
          : `filed in ${candidate.path}, a spam folder by its name`,
    })),
  ];
  const searched: string[] = [];
  for (const place of order) {
    searched.push(place.path);
    const uids = await session.search(place.path, query);
    if (uids.length === 0) continue;
    const uid = uids[uids.length - 1];
    let placement: Found["placement"] = place.placement;
    let folder = place.path;
    let reason = place.reason;
    if (placement === "inbox" && session.capabilities.has("X-GM-EXT-1")) {
      for (const tab of GMAIL_TABS) {
        const inTab = await session.search(place.path, { uid: String(uid), gmraw: `category:${tab}` });
        if (inTab.length > 0) {
          placement = "tab";
          folder = `${place.path}/${tab}`;
          reason = `in the Gmail ${tab[0].toUpperCase()}${tab.slice(1)} tab`;
          break;
        }
      }
    }
    const copy = await session.download(place.path, uid, options.maxMessageBytes);
    const head = copy ? headOf(copy.raw) : "";
    const byHeader = new RegExp(`^${TEST_HEADER}[ \\t]*:[ \\t]*${escapeRegExp(options.testId)}`, "im").test(
      head,
    );
    return {
      found: {
        placement,
        folder,
        reason,
        matchedBy: byHeader ? "header" : "body",
        raw: copy?.raw ?? null,
        truncated: copy?.truncated ?? false,
        receivedAt: copy?.internalDate ?? null,
      },
      searched,
    };
  }
  return { found: null, searched };
}

function headOf(raw: Buffer): string {
  const text = raw.subarray(0, 256 * 1024).toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  return end >= 0 ? text.slice(0, end) : text;
}

/** Run `work` over `items` with at most `limit` at once. */
async function forEachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(workers);
}
