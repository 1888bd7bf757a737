import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type IngestOptions, ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { countEvents, dailyStats } from "../../src/analytics/stats/daily.ts";
import { computeStats, resolveQuery, type StatsQuery } from "../../src/analytics/stats/index.ts";
import {
  daySummaryCovers,
  filesWithoutSent,
  firstAttemptsCover,
  firstAttemptsSql,
  openRules,
  rebuildDaySummary,
  refreshDaySummary,
  summaryFirstAttemptsSql,
} from "../../src/measures/index.ts";
import { Store } from "../../src/store/index.ts";
import { dayOf, writeSmallProgram } from "../../testkit/analytics-program.ts";
import { migrateThenKill, writeOldStore } from "../../testkit/old-store.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/events");
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

test("a file's rows are merged in (not rebuilt); rows deleted and as many appended, or another definition, leave the summary behind", async () => {
  const asOf = async () => ({ as_of: (await resolveQuery(store, {})).params.as_of });
  await store.run("BEGIN TRANSACTION");
  try {
    assert.equal(await daySummaryCovers(store, await asOf(), 0), true);
    const copy = `INSERT INTO event_rows SELECT * REPLACE (xor(event_key, 1234567::UBIGINT) AS event_key, 9999 AS file_id)
      FROM event_rows WHERE file_id = 1 ORDER BY event_key LIMIT 300`;
    await store.run(copy);
    assert.equal(await refreshDaySummary(store, 9999, 300), "merged");
    await assertParity(true);
    // Another writer: 300 rows out, 300 others in, the summary not told.
    await store.run("DELETE FROM event_rows WHERE file_id = 9999");
    await store.run(copy.replace("1234567::UBIGINT", "7654321::UBIGINT"));
    assert.equal(await daySummaryCovers(store, await asOf(), 0), false, "same count, other rows");
    assert.equal(await refreshDaySummary(store, 9999, 0), "rebuilt");
    await assertParity(true);
    await store.run("UPDATE summary_state SET definition = definition + 1");
    assert.equal(await daySummaryCovers(store, await asOf(), 0), false, "counted by another definition");
  } finally {
    await store.run("ROLLBACK");
  }
  assert.equal(await daySummaryCovers(store, await asOf(), 0), true);
});

/** The summary's tables as they are. */
async function summaryTables(s: Store) {
  return Promise.all(
    [
      "SELECT * FROM day_counts ORDER BY ALL",
      "SELECT * FROM day_deferred ORDER BY ALL",
      "SELECT * FROM day_first_attempts ORDER BY ALL",
      "SELECT * FROM summary_state",
    ].map((sql) => s.all(sql)),
  );
}

test("what ingest keeps from its one scan of a file equals the summary rebuilt from every row: a first file with repeated and bad lines, then a file of stored, repeated and new records", async () => {
  const path = join(dir, "scan.duckdb");
  const lines = readFileSync(files[0], "utf8").split("\n").filter(Boolean);
  const first = join(dir, "scan-first.ndjson");
  const second = join(dir, "scan-second.ndjson");
  const third = join(dir, "scan-third.ndjson");
  // DuckDB's reader takes the first (repeats only); the bad line sends the second to the parsers.
  writeFileSync(first, `${[...lines.slice(0, 300), ...lines.slice(0, 25)].join("\n")}\n`);
  writeFileSync(second, `${[...lines.slice(250, 600), "{not json", ...lines.slice(590, 600)].join("\n")}\n`);
  writeFileSync(third, `${lines.slice(550, 700).join("\n")}\n`);
  const s = await Store.open(path);
  try {
    const expected = [
      { stored: 300, duplicates: 25, quarantined: 0, reader: "duckdb" },
      { stored: 300, duplicates: 60, quarantined: 1, reader: "parsers" },
      { stored: 100, duplicates: 50, quarantined: 0, reader: "duckdb" },
    ];
    for (const [n, file] of [first, second, third].entries()) {
      const summary = await ingestFile(s, file);
      const { stored, duplicates, quarantined, reader } = summary;
      assert.deepEqual({ stored, duplicates, quarantined, reader }, expected[n], file);
      const kept = await summaryTables(s);
      assert.ok(kept[0].length > 0);
      await rebuildDaySummary(s);
      assert.deepEqual(kept, await summaryTables(s), file);
    }
  } finally {
    s.close();
  }
});

test("a first file with a bad line and no repeat, then one of stored records only: the kept summary is the rebuilt one, and no settled-away row is counted", async () => {
  const lines = readFileSync(files[0], "utf8").split("\n").filter(Boolean);
  const first = join(dir, "flagged-first.ndjson");
  const again = join(dir, "flagged-again.ndjson");
  // The bad line sends the file to the parsers; nothing repeats, so nothing is scanned a second time.
  writeFileSync(first, `${[...lines.slice(0, 200), "{not json", ...lines.slice(200, 300)].join("\n")}\n`);
  writeFileSync(again, `${lines.slice(100, 200).join("\n")}\n`);
  const s = await Store.open(join(dir, "flagged.duckdb"));
  try {
    const expected = [
      { stored: 300, duplicates: 0, quarantined: 1 },
      { stored: 0, duplicates: 100, quarantined: 0 },
    ];
    for (const [n, file] of [first, again].entries()) {
      const { stored, duplicates, quarantined } = await ingestFile(s, file);
      assert.deepEqual({ stored, duplicates, quarantined }, expected[n], file);
      const flagged = await s.all(
        "SELECT DISTINCT type FROM day_counts WHERE starts_with(type::VARCHAR, '!')",
      );
      assert.deepEqual(flagged, [], file);
      assert.equal(await daySummaryCovers(s, { as_of: null }, 0), true, file);
      const kept = await summaryTables(s);
      await rebuildDaySummary(s);
      assert.deepEqual(kept, await summaryTables(s), file);
    }
  } finally {
    s.close();
  }
});

/** A generic CSV of `[message id, day of March 2026, type]` attempts (type `sent` for a format that logs sends). */
function attemptsCsv(path: string, rows: [string, number, string][]): string {
  const lines = rows.map(
    ([id, day, type], i) =>
      `2026-03-${String(day).padStart(2, "0")}T10:00:${String(i).padStart(2, "0")}Z,${id}@icloud.com,${type},c,${id}`,
  );
  writeFileSync(path, `time,recipient,type,campaign,message_id\n${lines.join("\n")}\n`);
  return path;
}

test("first attempts kept file by file equal those counted from every row: a message's retry in an earlier file, a later one, another format, a re-ingest, and a format's first sent event", async () => {
  const s = await Store.open(join(dir, "first.duckdb"));
  const csv = (name: string, rows: [string, number, string][]) => attemptsCsv(join(dir, name), rows);
  const steps: [string, IngestOptions?][] = [
    [
      csv("first-a.csv", [
        ["m1", 12, "deferred"],
        ["m1", 13, "delivered"],
        ["m2", 12, "delivered"],
        ["m3", 14, "bounced"],
      ]),
    ],
    // m1 tried first two days before; m2 retried later; m4 new.
    [
      csv("first-b.csv", [
        ["m1", 10, "deferred"],
        ["m2", 15, "deferred"],
        ["m4", 15, "delivered"],
        ["m4", 16, "delivered"],
      ]),
    ],
    [join(FIXTURES, "postfix-01.log"), { year: 2026 }],
    [join(dir, "first-b.csv")], // stored records only: unchanged
    // m3 again, before its bounce, in a file of the same format: still counted by first attempts.
    [
      csv("first-c.csv", [
        ["m3", 11, "deferred"],
        ["m5", 20, "delivered"],
      ]),
    ],
    // The format's first `sent` event: its files are counted by their sends from now on.
    [
      csv("first-d.csv", [
        ["m6", 21, "sent"],
        ["m6", 21, "delivered"],
      ]),
    ],
    // A file of that format without one: counted by the format's sends, not by first attempts.
    [csv("first-e.csv", [["m7", 22, "delivered"]])],
  ];
  try {
    for (const [n, [path, options]] of steps.entries()) {
      const { stored } = await ingestFile(s, path, options);
      assert.equal(stored === 0, n === 3, path);
      const q = await resolveQuery(s, {});
      const unlogged = await filesWithoutSent(s);
      assert.equal(await firstAttemptsCover(s, unlogged), true, path);
      const kept = await s.all(
        `SELECT * FROM (${summaryFirstAttemptsSql(q.dayWhere)}) ORDER BY ALL`,
        q.params,
      );
      const counted = await s.all(
        `SELECT * FROM (${firstAttemptsSql(q.where, unlogged)}) ORDER BY ALL`,
        q.params,
      );
      assert.deepEqual(kept, counted, path);
      // A period with a start (before every row) reads the rows: the same days.
      const fromRows = await dailyStats(s, await resolveQuery(s, { from: "2026-01-01" }));
      assert.deepEqual(await dailyStats(s, q), fromRows, path);
      const tables = await summaryTables(s);
      await rebuildDaySummary(s);
      assert.deepEqual(tables, await summaryTables(s), path);
      if (n === 1) {
        assert.deepEqual(
          kept.filter((r) => r.d === "2026-03-10T00:00:00.000Z" || r.d === "2026-03-12T00:00:00.000Z"),
          [
            { provider: "apple", d: "2026-03-10T00:00:00.000Z", pairs: 1 },
            { provider: "apple", d: "2026-03-12T00:00:00.000Z", pairs: 1 },
          ],
          "m1 moved to the 10th, m2 stays on the 12th",
        );
      }
    }
    const files = await s.one<{ files: number[] }>("SELECT first_attempt_files AS files FROM summary_state");
    assert.equal(files?.files.length, 1, "only the Postfix log is counted by first attempts now");
  } finally {
    s.close();
  }
});

test("a store written before the first attempts were kept (schema 14, summary definition 1) opens; stats counts its first attempts from the rows until an ingest rebuilds the summary", async () => {
  const path = join(dir, "v13.duckdb");
  const row = (key: number, type: string, time: string) =>
    `(${key}, '${type}', TIMESTAMP '${time}', 'a@icloud.com', 'apple', 1, hash('a@icloud.com'), 77)`;
  await writeOldStore(path, 14, [
    `INSERT INTO files VALUES (1, 'old.log', 'postfix', 1, TIMESTAMP '2026-03-01', TIMESTAMP '2026-03-05',
      2, 2, 0, 0, 0.1, NULL)`,
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id, recipient_hash, message_key)
      VALUES ${row(1, "deferred", "2026-03-02 10:00:00")}, ${row(2, "delivered", "2026-03-03 10:00:00")}`,
    "INSERT INTO day_counts SELECT provider, time::DATE, type, NULL, count(*) FROM event_rows GROUP BY ALL",
    "INSERT INTO day_deferred VALUES ('apple', DATE '2026-03-02', 1)",
    "INSERT INTO summary_state SELECT count(*), sum(event_key), 1 FROM event_rows",
  ]);
  const old = await Store.open(path);
  try {
    const sent = async () =>
      (await dailyStats(old, await resolveQuery(old, {}))).map((d) => [d.provider, d.day, d.sent]);
    assert.equal(await firstAttemptsCover(old, await filesWithoutSent(old)), false);
    assert.deepEqual(await sent(), [
      ["apple", "2026-03-02", 1],
      ["apple", "2026-03-03", 0],
    ]);
    await ingestFile(old, join(FIXTURES, "postfix-01.log"), { year: 2026 });
    const q = await resolveQuery(old, {});
    assert.equal(await daySummaryCovers(old, { as_of: q.params.as_of }, 0), true, "rebuilt by the ingest");
    assert.equal(await firstAttemptsCover(old, await filesWithoutSent(old)), true);
    const days = await sent();
    assert.deepEqual(
      days.filter((d) => d[1] > "2026-03"),
      [
        ["apple", "2026-03-02", 1],
        ["apple", "2026-03-03", 0],
      ],
    );
    assert.deepEqual(
      await dailyStats(old, q),
      await dailyStats(old, await resolveQuery(old, { from: "2026-01-01" })),
    );
  } finally {
    old.close();
  }
});
