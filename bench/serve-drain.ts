/**
 * `npm run bench:serve-drain`: what one spool drain costs `deliverlens serve` as the store grows — the
 * drain's dedupe against the stored events must cost in proportion to the batch, not to the store.
 *
 *   node bench/serve-drain.ts [--stored 10000000] [--batch 2000] [--drains 5] [--email-bounces 0]
 *
 * Fills a store (one DuckDB thread, as serve opens it) with `--stored` synthetic events, then drains
 * `--drains` spool segments of `--batch` new SendGrid events and one segment of retried (already stored)
 * events, exactly as serve does (ingestFile). Prints the median wall and CPU milliseconds (the process's,
 * DuckDB's threads included) per drain at a small store (the first 10,000 rows) and at the full size,
 * with the machine's load.
 */
import { rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ingestFile } from "../src/analytics/ingest/ingest.ts";
import { eventKeySql, messageKeySql, recipientHashSql, Store } from "../src/store/index.ts";
import { sendgridEvents } from "../testkit/serve.ts";

const { values } = parseArgs({
  options: {
    stored: { type: "string", default: "10000000" },
    batch: { type: "string", default: "2000" },
    drains: { type: "string", default: "5" },
    /** key: ingest's dedupe (the key alone); key-and-time: serve's (IngestOptions.dedupeWithTime). */
    dedupe: { type: "string", default: "key-and-time" },
    /**
     * Bounces of a bounce-email file the store also holds (0: none): each drain then runs the match of its
     * bounces against the DSNs' (docs/STORE.md "A bounce reported by a log and by the DSN its MTA mailed").
     */
    "email-bounces": { type: "string", default: "0" },
  },
});
const STORED = Number(values.stored);
const BATCH = Number(values.batch);
const DRAINS = Number(values.drains);
const WITH_TIME = values.dedupe === "key-and-time";
const SMALL = Math.min(10_000, STORED);
const EMAIL_BOUNCES = Number(values["email-bounces"]);

const dir = await mkdtemp(join(tmpdir(), "deliverlens-bench-drain-"));
const store = await Store.open(join(dir, "drain.duckdb"), { threads: 1 });
let segments = 0;

/** Synthetic stored events (distinct keys, a month of times, Gmail and Apple), rows `from`..`to`-1. */
async function fill(from: number, to: number): Promise<void> {
  const step = 1_000_000;
  for (let at = from; at < to; at += step) {
    await store.run(
      `INSERT INTO event_rows BY NAME SELECT *, ${recipientHashSql()} AS recipient_hash, ${messageKeySql()} AS message_key
       FROM (SELECT ${eventKeySql("'fill-' || i")} AS event_key, 'delivered' AS type,
         TIMESTAMP '2026-05-01' + to_seconds(i % 2592000) AS time,
         'u' || i || CASE WHEN i % 3 = 0 THEN '@icloud.com' ELSE '@gmail.com' END AS recipient,
         CASE WHEN i % 3 = 0 THEN 'apple' ELSE 'google' END AS provider, 'fill' AS campaign,
         NULL::VARCHAR AS message_id, 1 AS file_id, i AS line
       FROM range($from, $to) t(i))`,
      { from: at, to: Math.min(to, at + step) },
    );
  }
}

/** File 1 as a bounce-email file with EMAIL_BOUNCES bounced rows (message ids and recipients of their own). */
async function fillEmailBounces(): Promise<void> {
  if (EMAIL_BOUNCES === 0) return;
  await store.run(
    `INSERT INTO files (file_id, path, format, ingested_at, records_read, stored, duplicates, quarantined, seconds)
     VALUES (1, 'bounces.mbox', 'email', TIMESTAMP '2026-06-01', $n, $n, 0, 0, 0)`,
    { n: EMAIL_BOUNCES },
  );
  await store.run(
    `INSERT INTO event_rows BY NAME SELECT *, ${recipientHashSql()} AS recipient_hash, ${messageKeySql()} AS message_key
     FROM (SELECT ${eventKeySql("'dsn-' || i")} AS event_key, 'bounced' AS type,
       TIMESTAMP '2026-05-01' + to_seconds(i % 2592000) AS time, 'gone' || i || '@gmail.com' AS recipient,
       'google' AS provider, NULL::VARCHAR AS campaign, 'dsn-' || i || '@example.com' AS message_id,
       1 AS file_id, 1 AS line
     FROM range($n) t(i))`,
    { n: EMAIL_BOUNCES },
  );
}

async function drain(
  events: object[],
): Promise<{ ms: number; cpuMs: number; stored: number; duplicates: number }> {
  const path = join(dir, `${String(++segments).padStart(16, "0")}-sendgrid.ndjson`);
  writeFileSync(path, `${events.map((event) => JSON.stringify(event)).join("\n")}\n`);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const summary = await ingestFile(store, path, { format: "sendgrid", dedupeWithTime: WITH_TIME });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  rmSync(path);
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    stored: summary.stored,
    duplicates: summary.duplicates,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label: string, rows: number) {
  const fresh: number[] = [];
  const cpu: number[] = [];
  let last: object[] = [];
  for (let i = 0; i < DRAINS; i++) {
    last = sendgridEvents(BATCH, `${label}-${i}`, 1_780_000_000 + i * BATCH);
    const result = await drain(last);
    if (result.stored !== BATCH) throw new Error(`stored ${result.stored} of ${BATCH}`);
    fresh.push(result.ms);
    cpu.push(result.cpuMs);
  }
  const retried = await drain(last);
  if (retried.stored !== 0 || retried.duplicates !== BATCH)
    throw new Error(`a retried segment stored ${retried.stored}`);
  console.log(
    `${rows.toLocaleString("en")} stored events: drain of ${BATCH} new events ${median(fresh).toFixed(0)} ms wall, ${median(cpu).toFixed(0)} ms CPU (medians of ${DRAINS}); of ${BATCH} retried ones ${retried.ms.toFixed(0)} ms wall, ${retried.cpuMs.toFixed(0)} ms CPU`,
  );
  return median(cpu);
}

try {
  console.log(
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  await fill(0, SMALL);
  await fillEmailBounces();
  const small = await measure("small", SMALL);
  const filling = performance.now();
  await fill(SMALL, STORED);
  console.log(
    `filled to ${STORED.toLocaleString("en")} in ${((performance.now() - filling) / 1000).toFixed(1)} s`,
  );
  const large = await measure("large", STORED);
  console.log(
    `CPU ratio ${(large / small).toFixed(2)} for ${(STORED / SMALL).toFixed(0)}× the stored events; load average at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
