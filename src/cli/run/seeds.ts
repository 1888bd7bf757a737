import { existsSync, readFileSync, statSync } from "node:fs";
import { decodeWords } from "postal-mime";
import { createProgress } from "../../report/progress.ts";
import { renderSeedCheck, renderSeedReport, renderSeedSend } from "../../report/seeds.ts";
import { escapeLine } from "../../report/terminal.ts";
import { analyseReceivedCopy } from "../../seeds/analyse.ts";
import { checkSeeds, type SeedResult } from "../../seeds/check.ts";
import { parseSeedList, type Seed, SeedListError } from "../../seeds/seed-list.ts";
import { envelopeSender, parseSmtpUrl, sendSeeds } from "../../seeds/send.ts";
import { checkTestId, newTestId } from "../../seeds/test-id.ts";
import { Store } from "../../store/index.ts";
import {
  type SeedResultRow,
  saveSeedResults,
  saveSeedTest,
  seedPlacements,
  seedTest,
} from "../../store/seeds.ts";
import { HOUR_MS, isCalendarDay } from "../../util/dates.ts";
import { limitOf } from "../../util/limits.ts";
import { readBounded } from "../../util/read-bounded.ts";
import { EXIT, UsageError } from "../exit.ts";

export const SEEDS_SCHEMA_VERSION = 1;

interface SendCliOptions {
  seeds: string;
  message: string;
  smtp: string;
  from?: string;
  test?: string;
  campaign?: string;
  db: string;
  insecure?: boolean;
  json?: boolean;
}

export async function runSeedsSend(options: SendCliOptions): Promise<number> {
  const testId = options.test ?? newTestId();
  const bad = checkTestId(testId);
  if (bad) throw new UsageError(`--test: ${bad}`);
  if (options.from !== undefined && !/^[^@\s<>]+@[^@\s<>]+$/.test(options.from))
    throw new UsageError(`--from: not an email address: ${options.from}`);
  try {
    parseSmtpUrl(options.smtp);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const seeds = readSeeds(options.seeds);
  if (seeds.length === 0) throw new Error(`${options.seeds}: no usable seed`);
  const raw = await readBounded(options.message, "messageBytes");
  if (
    !/\r?\n\r?\n/.test(raw.subarray(0, 256 * 1024).toString("latin1")) ||
    (envelopeSender(raw) === null && !options.from)
  )
    throw new Error(`${options.message}: not an email message (no header section with From)`);
  const outcome = await sendSeeds(seeds, raw, {
    smtpUrl: options.smtp,
    testId,
    from: options.from,
    insecure: options.insecure,
  });
  const head = headerFields(raw);
  const store = await Store.open(options.db);
  try {
    await saveSeedTest(store, {
      testId,
      campaign: options.campaign ?? head.subject,
      sentAt: new Date().toISOString(),
      subject: head.subject,
      messageId: head.messageId,
      envelopeFrom: outcome.envelopeFrom,
      bodyToken: outcome.tagged.body,
      seeds: seeds.length,
    });
  } finally {
    store.close();
  }
  const next = `deliverlens seeds check --seeds ${options.seeds} --test ${testId} --wait 15m`;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ schemaVersion: SEEDS_SCHEMA_VERSION, testId, bodyToken: outcome.tagged.body, note: outcome.tagged.note, envelopeFrom: outcome.envelopeFrom, results: outcome.results }, null, 2)}\n`,
    );
  } else process.stdout.write(renderSeedSend(testId, outcome, next));
  return outcome.results.some((result) => result.accepted) ? EXIT.ok : EXIT.failed;
}

interface CheckCliOptions {
  seeds: string;
  test: string;
  wait: string;
  since?: string;
  campaign?: string;
  perHost: string;
  timeout: string;
  db: string;
  insecure?: boolean;
  json?: boolean;
}

export async function runSeedsCheck(options: CheckCliOptions): Promise<number> {
  const bad = checkTestId(options.test);
  if (bad) throw new UsageError(`--test: ${bad}`);
  const waitMs = durationOption("--wait", options.wait, 24 * HOUR_MS);
  const timeoutMs = durationOption("--timeout", options.timeout, 600_000);
  if (timeoutMs === 0) throw new UsageError("--timeout must be more than 0s");
  const perHost = Number(options.perHost);
  if (!Number.isInteger(perHost) || perHost < 1 || perHost > 50)
    throw new UsageError(`--per-host must be a whole number from 1 to 50: ${options.perHost}`);
  if (options.since !== undefined && !isCalendarDay(options.since))
    throw new UsageError(`--since must be a date (YYYY-MM-DD): ${options.since}`);
  const seeds = readSeeds(options.seeds);
  if (seeds.length === 0) throw new Error(`${options.seeds}: no usable seed`);
  // The store is not held open during the wait (DuckDB locks the file against other processes).
  const before = await Store.open(options.db);
  const test = await seedTest(before, options.test).finally(() => before.close());
  const since = options.since
    ? new Date(`${options.since}T00:00:00Z`)
    : new Date((test?.sentAt ? Date.parse(test.sentAt) : Date.now() - 86400_000) - 86400_000);
  const progress = createProgress("seeds check", seeds.length, "seeds");
  const results = await checkSeeds(seeds, {
    testId: options.test,
    since,
    waitMs,
    mailbox: { insecure: options.insecure, timeouts: { connectMs: timeoutMs, greetingMs: timeoutMs } },
    perHost,
    maxMessageBytes: limitOf("inspectBytes"),
    analyse: analyseReceivedCopy,
    onProgress: (done) => progress.tick(done),
  });
  progress.finish();
  const store = await Store.open(options.db);
  try {
    if (!test) {
      await saveSeedTest(store, {
        testId: options.test,
        campaign: options.campaign ?? results.find((result) => result.subject)?.subject ?? null,
        sentAt: null,
        subject: null,
        messageId: null,
        envelopeFrom: null,
        bodyToken: "unknown",
        seeds: seeds.length,
      });
    } else if (options.campaign && options.campaign !== test.campaign) {
      await saveSeedTest(store, { ...test, campaign: options.campaign });
    }
    await saveSeedResults(store, options.test, results.map(resultRow));
  } finally {
    store.close();
  }
  const notes =
    test?.bodyToken === "dkim-signed"
      ? [
          "the message was DKIM-signed: copies carry the test id in the header only, so a seed whose receiver strips it shows as missing",
        ]
      : [];
  if (options.json) {
    const rows = results.map((result) => ({
      schemaVersion: SEEDS_SCHEMA_VERSION,
      testId: options.test,
      ...result,
    }));
    process.stdout.write(`[\n${rows.map((row) => JSON.stringify(row)).join(",\n")}\n]\n`);
  } else process.stdout.write(renderSeedCheck(options.test, results, notes));
  // Like ingest: the run failed only when no seed could be checked at all; one bad mailbox is a row.
  return results.every((result) => result.placement === "error") ? EXIT.failed : EXIT.ok;
}

interface ReportCliOptions {
  db: string;
  provider?: string;
  test?: string;
  json?: boolean;
}

export async function runSeedsReport(options: ReportCliOptions): Promise<number> {
  if (!existsSync(options.db))
    throw new Error(`${options.db}: no such store; run \`deliverlens seeds check\` first`);
  const store = await Store.open(options.db, { readOnly: true });
  try {
    const rows = await seedPlacements(store, { provider: options.provider, testId: options.test });
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ schemaVersion: SEEDS_SCHEMA_VERSION, rows }, null, 2)}\n`
        : renderSeedReport(rows),
    );
  } finally {
    store.close();
  }
  return EXIT.ok;
}

/** A seed list is a few hundred lines; a file this large is not one. */
const MAX_SEED_LIST_BYTES = 16 * 1024 * 1024;

function readSeeds(path: string): Seed[] {
  let text: string;
  try {
    if (statSync(path).size > MAX_SEED_LIST_BYTES)
      throw new Error(`larger than ${MAX_SEED_LIST_BYTES / 1024 / 1024} MiB: not a seed list`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error)}`,
    );
  }
  try {
    const list = parseSeedList(text);
    for (const problem of list.problems)
      process.stderr.write(
        `deliverlens seeds: ${escapeLine(path)}:${problem.line}: ${escapeLine(problem.message)} (seed skipped)\n`,
      );
    return list.seeds;
  } catch (error) {
    if (error instanceof SeedListError) throw new Error(`${path}: ${error.message}`);
    throw error;
  }
}

/** `15m`, `20s`, `1h`, `500ms`, `0`: milliseconds, at most `max`. */
export function durationOption(flag: string, value: string, max: number): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match || (match[2] === undefined && Number(match[1]) !== 0))
    throw new UsageError(`${flag} must be a duration such as 20s, 15m or 1h: ${value}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: HOUR_MS }[match[2] ?? "s"] ?? 1000;
  const ms = Math.round(Number(match[1]) * unit);
  if (ms > max) throw new UsageError(`${flag} must be at most ${max / HOUR_MS} h: ${value}`);
  return ms;
}

function headerFields(raw: Buffer): { subject: string | null; messageId: string | null } {
  const text = raw.subarray(0, 256 * 1024).toString("utf8");
  const end = text.search(/\r?\n\r?\n/);
  const head = (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]/g, " ");
  const get = (name: string) =>
    new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, "im").exec(head)?.[1]?.trim() || null;
  const subject = get("subject");
  return { subject: subject === null ? null : decodeWords(subject), messageId: get("message-id") };
}

function resultRow(result: SeedResult): SeedResultRow {
  const v = result.verdicts;
  return {
    address: result.address,
    provider: result.provider,
    placement: result.placement,
    folder: result.folder,
    matchedBy: result.matchedBy,
    receivedAt: result.receivedAt,
    checkedAt: result.checkedAt,
    error: result.error,
    reasons: result.reasons,
    appleVerdict: v?.apple?.verdict ?? null,
    proofpointScore: v?.proofpoint?.score ?? null,
    proofpointSpamscore: v?.proofpoint?.spamscore ?? null,
    proofpointRule: v?.proofpoint?.rule ?? null,
    microsoftScl: v?.microsoft?.scl ?? null,
    spamassassinScore: v?.spamassassin?.score ?? null,
    dkim: v?.auth?.dkim ?? null,
    spf: v?.auth?.spf ?? null,
    dmarc: v?.auth?.dmarc ?? null,
  };
}
