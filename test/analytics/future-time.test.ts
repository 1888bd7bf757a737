import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { hygiene } from "../../src/analytics/hygiene/hygiene.ts";
import { FUTURE_PROBLEM } from "../../src/analytics/ingest/finalize.ts";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { resolveQuery } from "../../src/analytics/stats/query.ts";
import { latestEvent } from "../../src/diagnose/load-facts.ts";
import { loadHours } from "../../src/serve/detect.ts";
import { Store } from "../../src/store/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { scratchDir } from "../../testkit/scratch.ts";

const dir = scratchDir("deliverlens-future-time-");

/** A generic NDJSON bounce (a format DuckDB's reader takes). */
const record = (time: string, recipient: string) =>
  JSON.stringify({ type: "bounced", time, recipient, reply: "550 5.1.1 user unknown" });

/** A Postfix DSN dated `date` for `recipient` (a bounce email's time is its Date:, the remote MTA's clock). */
const dsn = (date: string, recipient: string) => `Return-Path: <>
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
To: sender@example.com
Subject: Undelivered Mail Returned to Sender
Date: ${date}
Message-ID: <dsn-${recipient}@mail.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"

--BB
Content-Type: text/plain

<${recipient}>: host mx.example.org[192.0.2.9] said: 550 5.1.1 User unknown (in reply to RCPT TO command)

--BB
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com

Final-Recipient: rfc822; ${recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--BB--
`;

const quarantined = (store: Store) =>
  store.all<{ path: string; line: number | null; reason: string; raw: string }>(
    "SELECT path, line, reason, raw FROM quarantine ORDER BY path, line",
  );

test("a record dated more than a day after the ingest's clock is quarantined with its line, whichever reader read it", async () => {
  const store = await Store.open(":memory:");
  const clock = Date.parse("2026-03-10T12:00:00Z");
  const now = () => clock;
  // DuckDB reads the file without such a record; with one, the parsers read it whole (its line is kept).
  const plain = join(dir, "plain.ndjson");
  writeFileSync(plain, `${record("2026-03-01T10:00:00Z", "a@example.org")}\n`);
  assert.equal((await ingestFile(store, plain, { now })).reader, "duckdb");
  const mixed = join(dir, "mixed.ndjson");
  writeFileSync(
    mixed,
    [
      record("2026-03-02T10:00:00Z", "b@example.org"),
      // Within the tolerance of a day: a clock or a zone a few hours off.
      record("2026-03-11T11:00:00Z", "c@example.org"),
      record("2026-03-11T13:00:00Z", "d@example.org"),
      record("2099-01-01T00:00:00Z", "e@example.org"),
    ].join("\n"),
  );
  const summary = await ingestFile(store, mixed, { now });
  assert.equal(summary.reader, "parsers");
  assert.deepEqual([summary.read, summary.stored, summary.duplicates, summary.quarantined], [4, 2, 0, 2]);
  const rows = await quarantined(store);
  assert.deepEqual(
    rows.map((row) => [row.path, row.line, row.reason]),
    [
      [mixed, 3, FUTURE_PROBLEM],
      [mixed, 4, FUTURE_PROBLEM],
    ],
  );
  assert.deepEqual(JSON.parse(rows[1].raw), {
    type: "bounced",
    recipient: "e@example.org",
    time: "2099-01-01T00:00:00.000Z",
  });
  // A bounce email read by the parsers, and a Postfix log line of a year ahead.
  const email = join(dir, "future.eml");
  writeFileSync(email, dsn("Fri, 1 Jan 2099 00:00:00 +0000", "f@example.org"));
  assert.deepEqual((await ingestFile(store, email, { now })).quarantined, 1);
  const log = join(dir, "maillog");
  writeFileSync(
    log,
    "Mar  2 10:00:00 mx postfix/smtp[1]: ABC123: to=<g@example.org>, relay=mx.example.org[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.9] said: 550 5.1.1 User unknown (in reply to RCPT TO command))\n",
  );
  const ahead = await ingestFile(store, log, { now, format: "postfix", year: 2027, tz: "UTC" });
  assert.deepEqual([ahead.stored, ahead.quarantined], [0, 1]);
  assert.equal((await ingestFile(store, log, { now, format: "postfix", year: 2026, tz: "UTC" })).stored, 1);
  const times = await store.all<{ time: string }>("SELECT time FROM events ORDER BY time");
  assert.deepEqual(
    times.map((row) => row.time),
    [
      "2026-03-01T10:00:00.000Z",
      "2026-03-02T10:00:00.000Z",
      "2026-03-02T10:00:00.000Z",
      "2026-03-11T11:00:00.000Z",
    ],
  );
  // The files' `ingested_at` is the ingest's clock, in UTC.
  const at = await store.all<{ t: string }>("SELECT DISTINCT ingested_at::VARCHAR AS t FROM files");
  assert.deepEqual(
    at.map((row) => row.t),
    ["2026-03-10 12:00:00"],
  );
  store.close();
});

test("small files stored in a batch quarantine their future records as each file alone does", async () => {
  const now = () => Date.parse("2026-03-10T12:00:00Z");
  const paths = ["a", "b", "c"].map((name) => join(dir, `batch-${name}.eml`));
  writeFileSync(paths[0], dsn("Mon, 2 Mar 2026 10:00:00 +0000", "h@example.org"));
  writeFileSync(paths[1], dsn("Fri, 1 Jan 2099 00:00:00 +0000", "i@example.org"));
  writeFileSync(paths[2], dsn("Tue, 3 Mar 2026 10:00:00 +0000", "j@example.org"));
  const counts = async (batches: boolean) => {
    const store = await Store.open(":memory:");
    const run = await ingestInputs(store, paths, { now, batches, describeFailure: String });
    const rows = await quarantined(store);
    store.close();
    return {
      files: run.files.map((file) => [file.stored, file.quarantined]),
      quarantine: rows.map((row) => [row.path, row.reason]),
    };
  };
  const alone = await counts(false);
  assert.deepEqual(alone, {
    files: [
      [1, 0],
      [0, 1],
      [1, 0],
    ],
    quarantine: [[paths[1], FUTURE_PROBLEM]],
  });
  assert.deepEqual(await counts(true), alone);
});

test("the measures' as of is never a row dated past the store's last ingest (stores of older versions hold such rows)", async () => {
  const store = await Store.open(":memory:");
  const path = join(dir, "as-of.ndjson");
  writeFileSync(
    path,
    [
      record("2026-03-01T10:00:00Z", "k@example.org"),
      record("2026-03-02T10:00:00Z", "l@example.org"),
      JSON.stringify({ type: "open", time: "2026-03-02T11:00:00Z", recipient: "l@example.org" }),
    ].join("\n"),
  );
  await ingestFile(store, path, { now: () => Date.parse("2026-03-03T00:00:00Z") });
  const measured = async () => ({
    asOf: (await resolveQuery(store, {})).asOf,
    latest: await latestEvent(store),
    serve: (await loadHours(store)).now,
    hygiene: await hygiene(store),
  });
  const before = await measured();
  assert.equal(before.asOf, "2026-03-02T11:00:00.000Z");
  // What an older version stored: a row of the same file dated 2099 (two days past the ingest is too late).
  for (const time of ["2099-01-01 00:00:00", "2026-03-05 00:00:01"])
    await store.run(
      `INSERT INTO event_rows SELECT * REPLACE (TIMESTAMP '${time}' AS time, hash('${time}') AS event_key)
      FROM event_rows LIMIT 1`,
    );
  assert.deepEqual(await measured(), before);
  store.close();
});

test("ingest exits 0 when it stored records beside one dated in the future, and counts that one quarantined", async () => {
  const path = join(dir, "cli.ndjson");
  writeFileSync(
    path,
    `${record("2026-03-01T10:00:00Z", "m@example.org")}\n${record("2099-01-01T00:00:00Z", "n@example.org")}\n`,
  );
  const run = await spawnCli(["ingest", path, "--db", join(dir, "cli.duckdb"), "--json"]);
  assert.equal(run.status, 0, run.stderr);
  const { totals } = JSON.parse(run.stdout);
  assert.deepEqual([totals.read, totals.stored, totals.quarantined], [2, 1, 1]);
  // Nothing else: every record rejected (exit 1), and the message says why, not only "wrong --format?".
  const only = join(dir, "only-future.ndjson");
  writeFileSync(only, `${record("2099-01-01T00:00:00Z", "o@example.org")}\n`);
  const rejected = await spawnCli(["ingest", only, "--db", join(dir, "only.duckdb")]);
  assert.equal(rejected.status, 1);
  assert.match(rejected.stderr, /every record was rejected \(1 quarantined, most as "time in the future/);
});
