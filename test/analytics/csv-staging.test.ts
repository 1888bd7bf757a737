import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CsvStaging, partSql } from "../../src/analytics/ingest/csv-staging.ts";
import { insertFlagged } from "../../src/analytics/ingest/finalize.ts";
import { stageWithParsers } from "../../src/analytics/ingest/js-path.ts";
import { STAGING_COLUMNS, type StagingRow } from "../../src/analytics/ingest/staging.ts";
import { Store } from "../../src/store/index.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

/** The JS parsers' rows reach DuckDB as CSV parts (src/analytics/ingest/csv-staging.ts): exactly, and in parts. */

const EMPTY = Object.fromEntries(STAGING_COLUMNS.map(([name]) => [name, null])) as StagingRow;
const dir = mkdtempSync(join(tmpdir(), "deliverlens-csv-staging-"));
after(() => rmSync(dir, { recursive: true, force: true }));

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
  const store = await Store.open(":memory:");
  const staging = new CsvStaging();
  try {
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
    const part = staging.endPart();
    assert.ok(part !== null);
    const rows = await store.all<{
      reply: string | null;
      time: unknown;
      line: bigint;
      machine_open: boolean;
      status: string | null;
    }>(`SELECT reply, epoch_ms(time) AS time, line, machine_open, status FROM (${partSql(part)})`);
    assert.equal(rows.length, texts.length + 1);
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
});

test("a log staged in many parts stores the same rows as in one part, and the parts are removed", async () => {
  const log = join(dir, "grepped.log");
  writeFileSync(log, [...postfixGrepLogChunks(300, 7)].join(""));
  const stored = async (partRows: number) => {
    const store = await Store.open(":memory:");
    const parts: string[] = [];
    try {
      const staged = await stageWithParsers(
        log,
        "postfix",
        { year: 2026 },
        async (sql) => {
          parts.push(/read_csv\('([^']+)'/.exec(sql)?.[1] ?? "");
          return insertFlagged(store, sql, {}, 1, false);
        },
        partRows,
      );
      const rows = await store.all<{ row: string }>(
        "SELECT concat_ws('|', type, time, recipient, reply, line) AS row FROM event_rows ORDER BY line",
      );
      assert.equal(staged.inserted, rows.length);
      return { rows: rows.map((r) => r.row), parts };
    } finally {
      store.close();
    }
  };
  const whole = await stored(1 << 18);
  const split = await stored(64);
  assert.equal(whole.parts.length, 1);
  assert.ok(split.parts.length > 3, `${split.parts.length} parts`);
  assert.ok(whole.rows.length >= 300);
  assert.deepEqual(split.rows, whole.rows);
  for (const part of [...whole.parts, ...split.parts]) assert.equal(existsSync(part), false, part);
});
