import type { Store } from "./store.ts";

/** A seed test as `seeds send` (or the first `seeds check --test` of an ESP's send) records it. */
export interface SeedTestRow {
  testId: string;
  campaign: string | null;
  /** When `seeds send` sent it; null for seeds an ESP added to its own send. */
  sentAt: string | null;
  subject: string | null;
  messageId: string | null;
  envelopeFrom: string | null;
  /** `tagged` (header + body token), `dkim-signed` / `no-text-part` (header only), `unknown` (not sent by us). */
  bodyToken: string;
  seeds: number;
}

/** One seed's placement as one `seeds check` found it. Text fields come from mail: escape when shown. */
export interface SeedResultRow {
  address: string;
  provider: string;
  placement: string;
  folder: string | null;
  matchedBy: string | null;
  receivedAt: string | null;
  checkedAt: string;
  error: string | null;
  reasons: string[];
  appleVerdict: string | null;
  proofpointScore: number | null;
  proofpointSpamscore: number | null;
  proofpointRule: string | null;
  microsoftScl: number | null;
  spamassassinScore: number | null;
  dkim: string | null;
  spf: string | null;
  dmarc: string | null;
}

/** Record (or update) a test. A later `seeds send` with the same id replaces it. */
export async function saveSeedTest(store: Store, test: SeedTestRow): Promise<void> {
  await store.run(
    `INSERT OR REPLACE INTO seed_tests VALUES ($testId, $campaign, $sentAt::TIMESTAMP, $subject, $messageId,
      $envelopeFrom, $bodyToken, $seeds, now()::TIMESTAMP)`,
    {
      testId: test.testId,
      campaign: test.campaign,
      sentAt: test.sentAt,
      subject: test.subject,
      messageId: test.messageId,
      envelopeFrom: test.envelopeFrom,
      bodyToken: test.bodyToken,
      seeds: test.seeds,
    },
  );
}

/** The test's row, or null. */
export async function seedTest(store: Store, testId: string): Promise<SeedTestRow | null> {
  return store.one<SeedTestRow>(
    `SELECT test_id AS "testId", campaign, sent_at AS "sentAt", subject, message_id AS "messageId",
      envelope_from AS "envelopeFrom", body_token AS "bodyToken", seeds
     FROM seed_tests WHERE test_id = $testId`,
    { testId },
  );
}

/** Append one check's results (every check is kept: placement over time). */
export async function saveSeedResults(store: Store, testId: string, rows: SeedResultRow[]): Promise<void> {
  await store.transaction(async () => {
    for (const r of rows) {
      await store.run(
        `INSERT INTO seed_results VALUES ($testId, $checkedAt::TIMESTAMP, $address, $provider, $placement, $folder,
          $matchedBy, $receivedAt::TIMESTAMP, $error, $reasons, $appleVerdict, $proofpointScore, $proofpointSpamscore,
          $proofpointRule, $microsoftScl, $spamassassinScore, $dkim, $spf, $dmarc)`,
        {
          testId,
          checkedAt: r.checkedAt,
          address: r.address,
          provider: r.provider,
          placement: r.placement,
          folder: r.folder,
          matchedBy: r.matchedBy,
          receivedAt: r.receivedAt,
          error: r.error,
          reasons: JSON.stringify(r.reasons),
          appleVerdict: r.appleVerdict,
          proofpointScore: r.proofpointScore,
          proofpointSpamscore: r.proofpointSpamscore,
          proofpointRule: r.proofpointRule,
          microsoftScl: r.microsoftScl,
          spamassassinScore: r.spamassassinScore,
          dkim: r.dkim,
          spf: r.spf,
          dmarc: r.dmarc,
        },
      );
    }
  });
}

/** One campaign × provider line of `seeds report`: the latest check of each seed. */
export interface SeedPlacementRow {
  testId: string;
  campaign: string | null;
  /** The day of the test (sent, else first checked), YYYY-MM-DD. */
  day: string;
  provider: string;
  seeds: number;
  inbox: number;
  tab: number;
  junk: number;
  missing: number;
  error: number;
  /** Highest Proofpoint spamscore (else score) among this provider's copies, or null. */
  proofpointMax: number | null;
  /** Copies whose X-Apple-Action/MoveToFolder said Junk. */
  appleJunk: number;
  lastCheckedAt: string;
}

/** Placement per test (campaign) and provider, the latest result per seed, oldest test first. */
export async function seedPlacements(
  store: Store,
  filter: { provider?: string; testId?: string } = {},
): Promise<SeedPlacementRow[]> {
  return store.all<SeedPlacementRow>(
    `SELECT test_id AS "testId", campaign, day, provider, count(*)::INTEGER AS seeds,
        count(*) FILTER (WHERE placement = 'inbox')::INTEGER AS inbox,
        count(*) FILTER (WHERE placement = 'tab')::INTEGER AS tab,
        count(*) FILTER (WHERE placement = 'junk')::INTEGER AS junk,
        count(*) FILTER (WHERE placement = 'missing')::INTEGER AS missing,
        count(*) FILTER (WHERE placement = 'error')::INTEGER AS error,
        max(coalesce(proofpoint_spamscore, proofpoint_score)) AS "proofpointMax",
        count(*) FILTER (WHERE apple_verdict = 'junk')::INTEGER AS "appleJunk",
        max(checked_at) AS "lastCheckedAt"
     FROM seed_latest
     WHERE ($provider IS NULL OR provider = $provider) AND ($testId IS NULL OR test_id = $testId)
     GROUP BY ALL ORDER BY day, "testId", provider`,
    { provider: filter.provider ?? null, testId: filter.testId ?? null },
  );
}
