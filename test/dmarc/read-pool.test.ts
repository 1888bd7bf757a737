import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { ingestReportFiles } from "../../src/dmarc/ingest.ts";
import type { PreparedReading } from "../../src/dmarc/prepare.ts";
import { reportRoute } from "../../src/dmarc/read.ts";
import { readAllPrepared, readPrepared, warmReaders } from "../../src/dmarc/read-pool.ts";
import { Store } from "../../src/store/index.ts";
import { exited } from "../../testkit/child-exit.ts";
import { aggregateXml, zip } from "../../testkit/dmarc-reports.ts";

/**
 * Many report files are read on worker threads (src/dmarc/read-pool.ts): what is stored, and what each
 * file's summary says, is exactly what reading them on one thread gives — duplicates, refused files and
 * hostile text (quotes, commas, line breaks, formula starts) included, since the rows cross threads and
 * reach DuckDB as CSV lines.
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-pool-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const SAMPLES = fileURLToPath(new URL("../fixtures/dmarc/parsedmarc/", import.meta.url));
const HOSTILE = "a \"quoted\", comma\nline two =cmd|' /C calc'!A0 \u00e9\u2028";

function inputs(): string[] {
  const files = join(dir, "files");
  mkdirSync(files);
  const paths: string[] = [];
  const begin = Date.UTC(2026, 8, 1) / 1000;
  for (let i = 0; i < 72; i++) {
    const xml = aggregateXml({
      reporter: ["google.com", "Yahoo", "Outlook.com"][(i % 70) % 3],
      reportId: `pool-${i % 70}`, // the last two repeat earlier reports: duplicates
      begin: begin + (i % 70) * 86_400,
      end: begin + (i % 70) * 86_400 + ((i % 70) % 7 === 0 ? 3 * 86_400 : 86_399), // some span several days
      rows: Array.from({ length: 1 + (i % 9) }, (_, r) => ({
        ip: `198.51.100.${r + 1}`,
        count: 1 + ((i * 7 + r) % 23),
        dkim: r % 3 === 0 ? ("fail" as const) : ("pass" as const),
        spf: r % 2 === 0 ? ("fail" as const) : ("pass" as const),
        reasons: r === 1 ? ["forwarded"] : [],
        comment: r === 1 ? `${HOSTILE} ${i}` : undefined,
      })),
    });
    const name = join(files, `r${String(i).padStart(3, "0")}`);
    if (i % 3 === 0) writeFileSync(`${name}.xml`, xml);
    else if (i % 3 === 1) writeFileSync(`${name}.xml.gz`, gzipSync(xml));
    else writeFileSync(`${name}.zip`, zip([{ name: "report.xml", data: Buffer.from(xml) }]));
    paths.push(`${name}${i % 3 === 0 ? ".xml" : i % 3 === 1 ? ".xml.gz" : ".zip"}`);
  }
  writeFileSync(join(files, "bad.xml"), '<?xml version="1.0"?><feedback><report_metadata></feedback>');
  writeFileSync(join(files, "empty.xml"), "");
  copyFileSync(join(SAMPLES, "smtp_tls/rfc8460.json"), join(files, "tls.json"));
  paths.splice(10, 0, join(files, "bad.xml"));
  paths.splice(20, 0, join(files, "empty.xml"), join(files, "tls.json"), join(files, "missing.xml"));
  return paths;
}

async function ingestWith(paths: string[], threads: number) {
  const store = await Store.open(join(dir, `t${threads}.duckdb`), { threads: 3 });
  try {
    const summaries = await ingestReportFiles(store, paths, { threads, batchReports: 16 });
    // Batches are written on one DuckDB thread; the store's own setting is back afterwards.
    assert.deepEqual(await store.all("SELECT current_setting('threads')::INTEGER AS n"), [{ n: 3 }]);
    const rows = await store.all("SELECT * FROM dmarc_rows ORDER BY report_key, record, day");
    const reports = await store.all("SELECT * EXCLUDE (ingested_at) FROM dmarc_reports ORDER BY report_key");
    const tls = await store.all("SELECT * FROM tls_failures ORDER BY ALL");
    const comments = await store.all<{ c: string }>(
      "SELECT DISTINCT reason_comment AS c FROM dmarc_rows WHERE reason_comment IS NOT NULL ORDER BY 1",
    );
    return { summaries, rows, reports, tls, comments };
  } finally {
    store.close();
  }
}

test("reading on worker threads stores exactly what one thread stores, hostile text and refusals included", async () => {
  const paths = inputs();
  assert.ok(paths.length >= 64, "enough files for the reader threads");
  const threaded = await ingestWith(paths, 2);
  const single = await ingestWith(paths, 0);
  assert.deepEqual(threaded.summaries, single.summaries);
  assert.deepEqual(threaded.rows, single.rows);
  assert.deepEqual(threaded.reports, single.reports);
  assert.deepEqual(threaded.tls, single.tls);
  assert.equal(threaded.reports.length, 70);
  assert.equal(
    threaded.summaries.reduce((n, s) => n + s.duplicates, 0),
    2,
  );
  const problems = Object.fromEntries(
    threaded.summaries
      .filter((s) => s.problems.length > 0)
      .map((s) => [s.path.replace(/.*\//, ""), s.problems[0].reason]),
  );
  assert.deepEqual(problems, { "bad.xml": "invalid-xml", "empty.xml": "empty", "missing.xml": "unreadable" });
  assert.equal(threaded.summaries.find((s) => s.path.endsWith("tls.json"))?.tls, 1);
  // The hostile comment round-trips exactly through the CSV lines.
  // One comment per stored report that has a second record (1 + i % 9 records).
  assert.equal(threaded.comments.length, Array.from({ length: 70 }, (_, i) => i % 9).filter(Boolean).length);
  assert.ok(threaded.comments.every((row) => row.c.startsWith(HOSTILE)));
  // Multi-day reports spread whole counts that sum to the original.
  const sum = threaded.summaries.reduce((n, s) => n + s.messages, 0);
  const stored = threaded.rows.reduce(
    (n: number, r) => n + Number((r as { messages: bigint | number }).messages),
    0,
  );
  assert.equal(stored, sum);
});

test("files of any kind are checked on the reader threads as reportRoute checks them here, and only reports are read", async () => {
  // Reports, failure reports, TLS reports, emails carrying them, logs of every format, bounces, an mbox of
  // reports and bounces (both), a gzip'd log, an empty file and a missing one: copied twice (≥ 64 files).
  const sources = [
    ...readdirSync(SAMPLES, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name)),
    ...["events", "bounce-email"].flatMap((name) => {
      const fixtures = fileURLToPath(new URL(`../fixtures/${name}/`, import.meta.url));
      return readdirSync(fixtures, { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(fixtures, entry.name));
    }),
  ];
  const files = join(dir, "any");
  mkdirSync(files);
  const paths: string[] = [];
  for (const copy of [0, 1])
    for (const [i, source] of sources.entries()) {
      const path = join(files, `${copy}-${i}-${source.replace(/.*\//, "")}`);
      copyFileSync(source, path);
      paths.push(path);
    }
  const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));
  const mbox = (name: string) => readFileSync(join(fixtures, "bounce-email", name), "latin1");
  writeFileSync(
    join(files, "both.mbox"),
    `From a@b Mon Jan  1 00:00:00 2026\n${mbox("dmarc-aggregate.eml")}\nFrom c@d Mon Jan  1 00:00:00 2026\n${mbox("dsn-two-recipients.eml")}\n`,
  );
  writeFileSync(join(files, "log.gz"), gzipSync(readFileSync(join(fixtures, "events", "postfix-01.log"))));
  writeFileSync(join(files, "empty"), "");
  paths.push(join(files, "both.mbox"), join(files, "log.gz"), join(files, "empty"), join(files, "missing"));
  assert.ok(paths.length >= 64, "enough files for the reader threads");

  const routed: PreparedReading[] = [];
  for await (const reading of readAllPrepared(paths, { threads: 2, route: true })) routed.push(reading);
  assert.deepEqual(
    routed.map((reading) => reading.path),
    paths,
  );
  const routes: Record<string, number> = {};
  for (const [i, path] of paths.entries()) {
    const route = await reportRoute(path).catch(() => null);
    assert.equal(routed[i].route, route, path);
    routes[String(route)] = (routes[String(route)] ?? 0) + 1;
    if (route === null)
      assert.deepEqual(routed[i], { path, route: null, reports: [], problems: [], notes: [] });
    else
      assert.deepEqual(
        { ...routed[i], route: undefined },
        { ...(await readPrepared(path)), route: undefined },
      );
  }
  // Each kind is there.
  assert.ok(routes.reports > 40 && routes.null > 20 && routes.both === 1, JSON.stringify(routes));
});

test("the readers go on while readings are not taken (a batch being written), and every reading comes in order", {
  timeout: 120_000,
}, async () => {
  const files = join(dir, "ahead");
  mkdirSync(files);
  const paths = Array.from({ length: 120 }, (_, i) => {
    const path = join(files, `r${String(i).padStart(3, "0")}.xml`);
    writeFileSync(
      path,
      aggregateXml({
        reportId: `ahead-${i}`,
        begin: 1_767_225_600,
        end: 1_767_311_999,
        rows: [{ ip: "192.0.2.1", count: i + 1 }],
      }),
    );
    return path;
  });
  let reached = () => {};
  const many = new Promise<void>((resolve) => {
    reached = resolve;
  });
  // Two threads hold 8 files each in flight: more than 16 readings done while none is taken is read-ahead.
  const readings = readAllPrepared(paths, { threads: 2, onReady: (ready) => ready > 40 && reached() });
  const first = await readings.next();
  await many; // without read-ahead this never comes (the test times out)
  const all = [first.value as PreparedReading];
  for await (const reading of readings) all.push(reading);
  assert.deepEqual(
    all.map((reading) => reading.path),
    paths,
  );
  assert.deepEqual(
    all.map((reading) => (reading.reports[0]?.stored as { messages?: number } | undefined)?.messages),
    paths.map((_, i) => i + 1),
  );
});

test("reader threads run at a lower priority than the thread that writes the store (Linux: per thread)", {
  skip: process.platform !== "linux",
  timeout: 120_000,
}, async () => {
  const paths = readdirSync(join(dir, "ahead")).map((name) => join(dir, "ahead", name));
  /** Nice values of this process's threads by name (/proc/self/task/<id>/stat, field 19). */
  const niceOf = () =>
    readdirSync("/proc/self/task").map((id) => {
      const stat = readFileSync(`/proc/self/task/${id}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return {
        id: Number(id),
        name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
        nice: Number(fields[16]),
      };
    });
  const main = niceOf().find((thread) => thread.id === process.pid)?.nice ?? 0;
  // Sampled at every reading, the last sample kept: by the last reading both threads have read files, and each
  // lowers itself before its first read (at the first reading the other may still be starting, at nice 0).
  let readers: number[] = [];
  for await (const _ of readAllPrepared(paths, { threads: 2 }))
    readers = niceOf()
      .filter((thread) => thread.name === "WorkerThread")
      .map((thread) => thread.nice);
  assert.equal(readers.length, 2);
  for (const nice of readers) assert.equal(nice, Math.min(19, main + 5));
  assert.equal(niceOf().find((thread) => thread.id === process.pid)?.nice, main);
});

test("reader threads started ahead are taken by the next reading, and unused they let the process exit", {
  timeout: 120_000,
}, async () => {
  const paths = readdirSync(join(dir, "ahead")).map((name) => join(dir, "ahead", name));
  warmReaders(paths.length, { threads: 2 });
  const warmed: PreparedReading[] = [];
  for await (const reading of readAllPrepared(paths, { threads: 2 })) warmed.push(reading);
  const cold: PreparedReading[] = [];
  for await (const reading of readAllPrepared(paths, { threads: 2 })) cold.push(reading);
  assert.deepEqual(warmed, cold);
  // A process that starts them and never reads ends (the test times out otherwise).
  const pool = new URL("../../src/dmarc/read-pool.ts", import.meta.url).href;
  const child = spawn(process.execPath, [
    "--input-type=module",
    "-e",
    `import { warmReaders } from ${JSON.stringify(pool)}; warmReaders(100, { threads: 2 });`,
  ]);
  const { code } = await exited(child);
  assert.equal(code, 0);
});
