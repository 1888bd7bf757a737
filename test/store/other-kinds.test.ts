import assert from "node:assert/strict";
import { test } from "node:test";
import { eventSource } from "../../src/events/index.ts";
import { otherKindsSql, Store } from "../../src/store/index.ts";

/**
 * otherKindsSql's two forms — one EXISTS per column and kind (a big file: zone maps skip row groups), one scan
 * testing every row (a small file: cheaper to plan) — tell the same thing of a file's rows: whether a text
 * column holds DuckDB's text of a JSON object, list or boolean, or a number leaf a boolean's 1 or 0.
 */
test("the one-scan and per-column forms of the other-kinds check agree", async () => {
  const table = eventSource("sendgrid")?.table;
  const big = otherKindsSql(table);
  const small = otherKindsSql(table, 1);
  assert.ok(big !== null && small !== null && big !== small);
  const forms: [string, string][] = [
    ["per column", big],
    ["one scan", small],
  ];
  const store = await Store.open(":memory:");
  try {
    const row = (file: number, column: string, value: string) =>
      `INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id, ${column})
        VALUES (${file}, 'delivered', TIMESTAMP '2026-12-01 00:00:00', 'a@b.example', 'other', ${file}, ${value})`;
    const cases: [string, string, boolean][] = [
      ["campaign", "'{\"a\":1}'", true],
      ["message_id", "'[1]'", true],
      ["url", "'true'", true],
      ["reply_code", "1", true],
      ["campaign", "'[CS01] policy'", false],
      ["message_id", "'m1@example.com'", false],
      ["reply_code", "550", false],
    ];
    for (const [at, [column, value, hit]] of cases.entries()) {
      await store.run(row(at + 1, column, value));
      for (const [form, sql] of forms) {
        const got: boolean | undefined = (await store.one<{ hit: boolean }>(sql, { file_id: at + 1 }))?.hit;
        assert.equal(got, hit, `${column} ${value}: ${form}`);
      }
    }
  } finally {
    store.close();
  }
});
