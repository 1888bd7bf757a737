import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { countEvents } from "../../src/analytics/stats/daily.ts";
import { computeStats, resolveQuery, type StatsQuery } from "../../src/analytics/stats/index.ts";
import { daySummaryCovers, openRules } from "../../src/measures/index.ts";
import { Store } from "../../src/store/index.ts";
import { dayOf, writeSmallProgram } from "../../testkit/analytics-program.ts";
import { migrateThenKill, writeOldStore } from "../../testkit/old-store.ts";

let dir = "";
let store: Store;
let files: string[] = [];

before(async () => {
  const written = await writeSmallProgram("by-stream");
  dir = written.dir;
  // The SendGrid file dealt into two, line by line, each deferral retried ten minutes later in the other
  // file: the same recipients deferred on the same days in both files, so a day's distinct deferred
  // recipients must be counted over files, not added up.
  const sendgrid = written.files.find((f) => f.endsWith(".ndjson"))!;
  const lines = readFileSync(sendgrid, "utf8").split("\n").filter(Boolean);
  const halves: string[][] = [[], []];
  lines.forEach((line, i) => {
    halves[i % 2].push(line);
    const event = JSON.parse(line) as { event: string; timestamp: number; sg_event_id: string };
    if (event.event !== "deferred") return;
    const retry = { ...event, timestamp: event.timestamp + 600, sg_event_id: `${event.sg_event_id}-retry` };
    halves[1 - (i % 2)].push(JSON.stringify(retry));
  });
  const paths = halves.map((half, n) => {
    const path = join(dir, `half-${n}.ndjson`);
    writeFileSync(path, `${half.join("\n")}\n`);
    return path;
  });
  files = [...paths, ...written.files.filter((f) => f !== sendgrid)];
  store = await Store.open(join(dir, "summary.duckdb"));
  for (const file of files) await ingestFile(store, file);
  await ingestFile(store, paths[0]); // every record a duplicate: nothing added twice
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const QUERIES: StatsQuery[] = [
  {},
  { provider: "apple" },
  { from: dayOf(20), to: dayOf(40) },
  { asOf: dayOf(30) },
  { provider: "google", from: dayOf(10), asOf: dayOf(50) },
];

/** The daily counts from the summary and from the rows, for every query; the summary must be the one read. */
async function assertParity(expectSummary: boolean) {
  for (const query of QUERIES) {
    const q = await resolveQuery(store, query);
    assert.equal(await daySummaryCovers(store, { as_of: q.params.as_of }, 0), expectSummary);
    const [summary] = await countEvents(store, q);
    const [rows] = await countEvents(store, q, true);
    assert.deepEqual(summary, rows, JSON.stringify(query));
    assert.ok(rows.length > 0, JSON.stringify(query));
  }
}

test("the day summary gives the daily counts the rows give, for every period and provider", async () => {
  await assertParity(true);
  const q = await resolveQuery(store, {});
  const [rows] = await countEvents(store, q, true);
  assert.ok(
    rows.some((d) => d.deferredRecipients > 0 && d.deferredRecipients < d.deferredAttempts),
    "deferrals repeated within a day",
  );
});

test("rows written around ingest leave the summary behind: stats reads the rows until the next ingest rebuilds it", async () => {
  await store.run(
    `INSERT INTO event_rows SELECT * REPLACE (file_id + 1000 AS file_id) FROM event_rows
     WHERE type = 'deferred' ORDER BY time, event_key LIMIT 40`,
  );
  await assertParity(false);
  const report = await computeStats(store, {});
  const [rows] = await countEvents(store, await resolveQuery(store, {}), true);
  assert.deepEqual(
    report.daily.map((d) => [d.provider, d.day, d.deferredAttempts, d.deferredRecipients]),
    rows.map((d) => [d.provider, d.day, d.deferredAttempts, d.deferredRecipients]),
  );
  await ingestFile(store, files[1]); // duplicates only, yet the summary is rebuilt
  await assertParity(true);
});

test("the summary is not read for an as-of instant inside a day with later rows, nor with Apple's egress ranges", async () => {
  const day = dayOf(30);
  const later = await store.one<{ n: number }>(
    `SELECT count(*) AS n FROM event_rows WHERE time > $t::TIMESTAMP AND time < $t::TIMESTAMP::DATE + INTERVAL 1 DAY`,
    { t: `${day} 12:00:00` },
  );
  assert.ok((later?.n ?? 0) > 0);
  assert.equal(await daySummaryCovers(store, { as_of: `${day} 12:00:00` }, 0), false);
  assert.equal(await daySummaryCovers(store, { as_of: `${day} 23:59:59.999999` }, 0), true);
  assert.equal(
    await daySummaryCovers(store, { as_of: `${day} 23:59:59.999999` }, openRules(1).proxyIps),
    false,
  );
});

test("a store from before the day summary, killed before the checkpoint after migrating, opens again; stats reads its rows until an ingest rebuilds it", async () => {
  const path = join(dir, "old.duckdb");
  await writeOldStore(path, 8, [
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id, recipient_hash, message_key)
      VALUES (1, 'deferred', TIMESTAMP '2026-03-02 10:49:42', 'a@icloud.com', 'apple', 1, hash('a@icloud.com'), 1)`,
  ]);
  const killed = migrateThenKill(path);
  assert.equal(killed.signal, "SIGKILL", String(killed.stderr));
  const old = await Store.open(path);
  try {
    const asOf = async () => ({ as_of: (await resolveQuery(old, {})).params.as_of });
    assert.equal(await daySummaryCovers(old, await asOf(), 0), false, "the summary is behind the old rows");
    const [days] = await countEvents(old, await resolveQuery(old, {}));
    assert.deepEqual(
      days.map((d) => [d.provider, d.day, d.deferredAttempts, d.deferredRecipients]),
      [["apple", "2026-03-02", 1, 1]],
    );
    await ingestFile(old, files[2]);
    assert.equal(await daySummaryCovers(old, await asOf(), 0), true, "rebuilt by the ingest");
    const q = await resolveQuery(old, {});
    const [rebuilt] = await countEvents(old, q);
    assert.deepEqual(rebuilt, (await countEvents(old, q, true))[0]);
    assert.ok(rebuilt.some((d) => d.day === "2026-03-02" && d.deferredRecipients >= 1));
  } finally {
    old.close();
  }
});
