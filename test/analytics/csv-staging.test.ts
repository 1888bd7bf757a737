import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { CsvStaging, partSql } from "../../src/analytics/ingest/csv-staging.ts";
import { insertFlagged } from "../../src/analytics/ingest/finalize.ts";
import { stageWithParsers } from "../../src/analytics/ingest/js-path.ts";
import { STAGING_COLUMNS, type StagingRow } from "../../src/analytics/ingest/staging.ts";
import { Store } from "../../src/store/index.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

/**
 * The JS parsers' rows reach DuckDB as CSV (src/analytics/ingest/csv-staging.ts): exactly, through a
 * named pipe read while it is written or through a file, and a failure on either side ends both.
 */

const EMPTY = Object.fromEntries(STAGING_COLUMNS.map(([name]) => [name, null])) as StagingRow;
const dir = mkdtempSync(join(tmpdir(), "deliverlens-csv-staging-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the columns a row leaves out are derived as the rows had them: the recipient's domain, skip", async () => {
  const recipients = [
    "a@b.example",
    "a@b@c.example",
    "x@",
    "no-at-sign",
    "@only",
    "zoë@exämple.de",
    '"q"@x.example',
    null,
  ];
  const store = await Store.open(":memory:");
  const staging = new CsvStaging(false);
  try {
    recipients.forEach((recipient, i) => {
      staging.add({ ...EMPTY, type: "bounced", time: 0, recipient, line: i });
    });
    // A record the source does not model (js-path.ts: a line, nothing else), and a bad record.
    staging.add({ ...EMPTY, line: 100 });
    staging.add({ ...EMPTY, line: 101, problem: "unreadable", raw: "x" });
    await staging.end(() => null);
    const rows = await store.all<{ recipient_domain: string | null; skip: boolean }>(
      `SELECT recipient_domain, skip FROM (${partSql(staging.path)}) ORDER BY line`,
    );
    // What stagingRow gave before the column was derived: after the last `@`, NULL without one.
    const domains = recipients.map((r) => (r?.includes("@") ? r.slice(r.lastIndexOf("@") + 1) : null));
    assert.deepEqual(
      rows.map((row) => row.recipient_domain),
      [...domains, null, null],
    );
    assert.deepEqual(
      rows.map((row) => row.skip),
      [...recipients.map(() => false), true, false],
    );
  } finally {
    staging.close();
    store.close();
  }
});

test("a log format's rows leave out the columns its parser never sets: read back as NULL, and a row setting one fails", async () => {
  const store = await Store.open(":memory:");
  const staging = new CsvStaging(false, 1, "postfix");
  try {
    const row = { ...EMPTY, type: "bounced", time: 0, recipient: "a@b.example", pool: "p1", reply: "550 x" };
    staging.add({ ...row, line: 1 });
    assert.throws(() => staging.add({ ...row, campaign: "c", line: 2 }), /sets campaign/);
    assert.throws(() => staging.add({ ...row, machine_open: false, line: 3 }), /sets machine_open/);
    await staging.end(() => null);
    const rows = await store.all<Record<string, unknown>>(
      `SELECT * FROM (${partSql(staging.path, "postfix")})`,
    );
    assert.equal(rows.length, 1);
    assert.deepEqual(
      STAGING_COLUMNS.map(([name]) => name).filter((name) => rows[0][name] !== null),
      ["type", "time", "recipient", "recipient_domain", "pool", "reply", "line", "skip"],
    );
    assert.equal(rows[0].pool, "p1");
    assert.equal(rows[0].campaign, null);
    assert.equal(rows[0].skip, false);
  } finally {
    staging.close();
    store.close();
  }
});

test("CSV staging gives DuckDB every value back exactly: quotes, commas, line breaks, NUL, non-BMP, empty vs NULL", async () => {
  const texts = [
    'a "quoted", comma',
    "line\nbreak\r\nand CR\r",
    "nul\u0000inside",
    "  leading and trailing spaces  ",
    "emoji 📬 and ß and 中文",
    "",
    '""',
    "\\N",
    "x".repeat(200_000),
    // Larger than the write buffer, in three-byte characters with quotes: rows written across writes.
    `"${"中".repeat(1_500_000)}"`,
    ...Array.from({ length: 40 }, (_, i) => `${"é".repeat(50_000 + i)}"${i}`),
  ];
  for (const pipe of [true, false]) {
    const store = await Store.open(":memory:");
    const staging = new CsvStaging(pipe);
    try {
      const reading = store.all<{
        reply: string | null;
        time: unknown;
        line: bigint;
        machine_open: boolean;
        status: string | null;
      }>(`SELECT reply, epoch_ms(time) AS time, line, machine_open, status FROM (${partSql(staging.path)})`);
      if (!pipe) reading.catch(() => {});
      texts.forEach((text, i) => {
        staging.add({
          ...EMPTY,
          type: "bounced",
          time: Date.UTC(2026, 0, 5, 8, 0, i),
          reply: text,
          reply_code: 550,
          line: 2 ** 40 + i,
          machine_open: i % 2 === 0,
        });
      });
      staging.add({ ...EMPTY, type: "deferred", line: 99 });
      await staging.end(() => null);
      // A file is read once complete (a query started before reads it empty, or fails).
      const rows = pipe
        ? await reading
        : await store.all<Awaited<typeof reading>[number]>(
            `SELECT reply, epoch_ms(time) AS time, line, machine_open, status FROM (${partSql(staging.path)})`,
          );
      assert.equal(rows.length, texts.length + 1, pipe ? "pipe" : "file");
      texts.forEach((text, i) => {
        assert.equal(rows[i].reply, text);
        assert.equal(Number(rows[i].time), Date.UTC(2026, 0, 5, 8, 0, i));
        assert.equal(Number(rows[i].line), 2 ** 40 + i);
        assert.equal(rows[i].machine_open, i % 2 === 0);
        assert.equal(rows[i].status, null);
      });
      assert.equal(rows[texts.length].reply, null);
      assert.equal(rows[texts.length].time, null);
    } finally {
      staging.close();
      store.close();
    }
  }
});

test("a log goes to DuckDB in one statement, through a pipe or a file, with the same rows; the staging is removed", async () => {
  const log = join(dir, "grepped.log");
  writeFileSync(log, [...postfixGrepLogChunks(300, 7)].join(""));
  const stored = async (pipe: boolean) => {
    const store = await Store.open(":memory:");
    const paths: string[] = [];
    try {
      const staged = await stageWithParsers(
        log,
        "postfix",
        { year: 2026 },
        async (sql) => {
          paths.push(/read_csv\('([^']+)'/.exec(sql)?.[1] ?? "");
          return insertFlagged(store, sql, {}, 1, Date.now(), false);
        },
        pipe,
      );
      assert.equal(staged.piped, pipe && process.platform !== "win32");
      const rows = await store.all<{ row: string }>(
        "SELECT concat_ws('|', type, time, recipient, reply, line) AS row FROM event_rows ORDER BY line",
      );
      assert.equal(staged.inserted, rows.length);
      return { rows: rows.map((r) => r.row), paths };
    } finally {
      store.close();
    }
  };
  const piped = await stored(true);
  const filed = await stored(false);
  assert.equal(piped.paths.length, 1);
  assert.equal(filed.paths.length, 1);
  assert.ok(piped.rows.length >= 300);
  assert.deepEqual(piped.rows, filed.rows);
  for (const path of [...piped.paths, ...filed.paths]) assert.equal(existsSync(dirname(path)), false, path);
});

test("bounce emails (an mbox) are staged through a pipe as through a file", async () => {
  const mbox = new URL("../fixtures/bounce-email/two.mbox", import.meta.url).pathname;
  const stored = async (pipe: boolean) => {
    const store = await Store.open(":memory:");
    try {
      const staged = await stageWithParsers(
        mbox,
        "email",
        {},
        (sql) => insertFlagged(store, sql, {}, 1, Date.now(), false),
        pipe,
      );
      const rows = await store.all<{ row: string }>(
        "SELECT concat_ws('|', type, time, recipient, reply, line) AS row FROM event_rows ORDER BY ALL",
      );
      assert.equal(staged.inserted, rows.length);
      return rows.map((r) => r.row);
    } finally {
      store.close();
    }
  };
  const piped = await stored(true);
  assert.ok(piped.length >= 2, `${piped.length} rows`);
  assert.deepEqual(piped, await stored(false));
});

/** A log larger than the pipe and the staging buffer (1 MB), so that the writer waits for DuckDB. */
function largeLog(): string {
  const log = join(dir, "large.log");
  if (!existsSync(log)) writeFileSync(log, [...postfixGrepLogChunks(20_000, 11)].join(""));
  return log;
}

test("DuckDB failing while it reads the pipe fails the staging with its error, without waiting forever", async () => {
  const store = await Store.open(":memory:");
  try {
    await assert.rejects(
      stageWithParsers(largeLog(), "postfix", { year: 2026 }, (sql) =>
        store.exec(
          `CREATE TEMP TABLE t AS SELECT CASE WHEN line > 100 THEN error('reader broke') END FROM (${sql})`,
        ),
      ),
      /reader broke/,
    );
    // The connection is free again.
    assert.equal((await store.one<{ n: number }>("SELECT 42 AS n"))?.n, 42);
  } finally {
    store.close();
  }
});

test("a statement that fails before reading the pipe fails the staging, without waiting forever", async () => {
  const store = await Store.open(":memory:");
  try {
    await assert.rejects(
      stageWithParsers(largeLog(), "postfix", { year: 2026 }, (sql) =>
        store.exec(`SELECT no_such_column FROM (${sql})`),
      ),
      /no_such_column/,
    );
  } finally {
    store.close();
  }
});

test("a staging ended for a failed parse ends DuckDB's read of the pipe, whether or not rows went through", async () => {
  for (const rows of [0, 3, 50_000]) {
    const store = await Store.open(":memory:");
    const staging = new CsvStaging();
    try {
      const reading = store.one<{ n: bigint }>(`SELECT count(*) AS n FROM (${partSql(staging.path)})`);
      for (let i = 0; i < rows; i++)
        staging.add({ ...EMPTY, type: "bounced", reply: "x".repeat(100), line: i });
      if (rows > 10) await staging.drain(() => null);
      staging.add({ ...EMPTY, type: "bounced", line: -1 });
      await staging.end(() => null, true);
      // The rows drained before went through; the discarded ones did not.
      assert.equal(Number((await reading)?.n), rows > 10 ? rows : 0);
    } finally {
      staging.close();
      store.close();
    }
  }
});
