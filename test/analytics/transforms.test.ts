import assert from "node:assert/strict";
import { test } from "node:test";
import { TRANSFORMS, type TransformName } from "../../src/events/field-table.ts";
import { TRANSFORM_JS } from "../../src/events/transforms.ts";
import { Store, transformSql } from "../../src/store/index.ts";

/**
 * Every transform of the field tables has a JavaScript implementation and an SQL twin: on the same
 * values they agree (text fields read "" as null in both readers, so "" and null are the same here). Time transforms may yield null in SQL where JavaScript reads more (V8's Date.parse):
 * such a row is flagged and the file read by the JS parser, so only a different non-null value is a drift.
 */
const TEXTS = [
  "550",
  "5501 not a code",
  "550 x 5.7.1",
  "550 5.7.1234 too many digits",
  "550-5.7.1 dash",
  "550\t5.7.1 tab",
  "  5.2.2 mailbox full  ",
  "451  4.7.0 [TSS04] two spaces",
  "5.1.1 (bad mailbox)",
  "550 5x7y1 not a status",
  "0.0.0",
  "smtp; 550 5.1.1 user unknown",
  "SMTP;550 5.7.1 [CS01] Message rejected due to local policy",
  "x-postfix; host not found",
  "dns; mx.example.com (192.0.2.1)",
  "mx01.mail.icloud.com",
  "MX.Example.COM (192.0.2.1)",
  "<id@host.example>",
  " <id@host.example> ",
  "<>",
  "a@B.Example.COM>",
  "a@",
  "no-at",
  "[2001:db8::1]:25",
  "192.0.2.1:4321",
  "2001:db8::1",
  "spring-sale:acme@icloud.com",
  ":x",
  "true",
  "yes",
  "1",
  "0",
  "no",
  "t",
  "1767225600",
  "1767225600.5",
  "1767225600123",
  "2016-01-27T14:59:44.101Z",
  "2016-01-27T14:59:44.1019Z",
  "2026-01-01 00:30:00+0100",
  "2026-01-01T00:30:00+01:00",
  "2026-07-01 12:00:00",
  "2026-02-30 00:00:00",
  // Times that do not exist (review R94): both readers refuse them, neither rolls them over.
  "2026-02-31T00:00:00Z",
  "2026-12-06T24:00:00Z",
  "2026-12-06T19:00:00+24:00",
  "2026-12-06 19:00:00 +2400",
  "2026-12-06T19:00:00.123456+99:59",
  "1969-12-31T23:00:00Z",
  "Sun, 06 Dec 2026 19:00:00 +2400",
  "2026-05-01",
  "nope",
  "-5",
  "Bounce",
  " Delivered ",
  "<id@host.example>\t",
  "4.4.7 expired \r\n",
  // The trim's guard compares the first bytes (STARTS_BLANK_SQL): a first byte '!' or a control character
  // other than whitespace, and whitespace after a multi-byte character.
  "!bang",
  " leading",
  "\u0001ctl ",
  "\u00e9t\u00e9 ",
  "processed",
  "constructor",
  " ",
  "\t\r\n",
  "\u00a0",
  " 1767225600 ",
  // Text that JavaScript's Number or DuckDB's cast reads as a number and the other does not (NUMBER_TEXT):
  "0x226",
  "0b1000100110",
  "0o1046",
  "550\u00a0",
  "\u00a0550",
  "550\u2028",
  "1_000",
  "1_767_225_600",
  "\u0665\u0665\u0660",
  "Infinity",
  "-inf",
  "nan",
  "1e400",
  // and text both read alike.
  " 550 ",
  "550\n",
  "\t550\r",
  "\u000b550\u000c",
  "550.",
  "550.0",
  ".5",
  "+550",
  "5.5e2",
  "5.E2",
  "00550",
];
const NUMBERS = [
  1767225600,
  1534110422.389832,
  1767225600123,
  -5,
  1e11,
  0,
  550,
  550.5,
  2 ** 31,
  2 ** 31 - 1,
  -0,
];
const JSONS = [
  '"2026-05-01T10:00:00Z"',
  '"2026-05-01"',
  "1767225600",
  "1767225600.25",
  "true",
  '"1"',
  '"yes"',
  "0",
  '{"address":"192.0.2.1:25"}',
  '"192.0.2.1:25"',
  '"550"',
  "550",
  '"x"',
  '"0x226"',
  '"550\\u00a0"',
  '"1_000"',
  '" 550 "',
  '"5.5e2"',
  '"1767225600"',
  '"1_767_225_600"',
];
const TIMES = new Set<TransformName>(["isoTime", "zonedTime", "genericTime"]);
const TZ = "America/New_York";

interface Case {
  name: TransformName;
  js: unknown;
  args: { sql: string; type: string }[];
  shown: string;
}

/** Cases per query: DuckDB's planner takes time superlinear in a query's columns (one query of all: minutes). */
const CHUNK = 50;

/** The cases' SQL, a query per CHUNK cases (one column per case). */
async function sqlValues(store: Store, cases: Case[]): Promise<unknown[]> {
  const compiled = cases.map((c) => transformSql(c.name, c.args as never));
  const values: unknown[] = [];
  for (let from = 0; from < compiled.length; from += CHUNK) {
    const chunk = compiled.slice(from, from + CHUNK);
    const sql = `SELECT ${chunk.map((c, i) => `${c.sql} AS v${i}`).join(", ")}`;
    const row = (await store.one<Record<string, unknown>>(sql, sql.includes("$tz") ? { tz: TZ } : {})) ?? {};
    for (const [i, c] of chunk.entries()) {
      const v = row[`v${i}`] ?? null;
      values.push(c.type === "TIMESTAMP" && typeof v === "string" ? new Date(v).toISOString() : v);
    }
  }
  return values;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

test("every transform's SQL twin gives the JavaScript result", async () => {
  const cases: Case[] = [];
  const arity = (name: TransformName) => (name === "enhancedCode" || name === "replyWithCode" ? 3 : 1);
  for (const name of Object.keys(TRANSFORMS) as TransformName[]) {
    const fn = TRANSFORM_JS[name];
    if (arity(name) === 3) continue;
    for (const t of TEXTS)
      cases.push({
        name,
        js: fn([t], TZ),
        args: [{ sql: literal(t), type: "VARCHAR" }],
        shown: JSON.stringify(t),
      });
    // zonedTime reads text only
    for (const n of name === "zonedTime" ? [] : NUMBERS)
      cases.push({
        name,
        js: fn([n], TZ),
        args: [{ sql: `${n}::DOUBLE`, type: "DOUBLE" }],
        shown: String(n),
      });
    for (const j of JSONS)
      cases.push({
        name,
        js: fn([JSON.parse(j)], TZ),
        args: [{ sql: `${literal(j)}::JSON`, type: "JSON" }],
        shown: j,
      });
  }
  for (const content of [
    "[CS01] Message rejected",
    "550 5.7.1 already whole",
    "5.7.1 status first",
    "",
    "OK",
  ])
    for (const code of [550, null])
      for (const status of ["5.7.1", null])
        cases.push({
          name: "replyWithCode",
          js: TRANSFORM_JS.replyWithCode([content, code, status], TZ),
          args: [
            { sql: literal(content), type: "VARCHAR" },
            { sql: code === null ? "NULL::INTEGER" : String(code), type: "INTEGER" },
            { sql: status === null ? "NULL::VARCHAR" : literal(status), type: "VARCHAR" },
          ],
          shown: JSON.stringify([content, code, status]),
        });
  for (const parts of [
    [5, 7, 1],
    [4, 0, 0],
    [5, null, 1],
    [5.5, 1, 1],
    [5, 2 ** 31, 1],
    [1e20, 1, 1],
    [5, 2 ** 31 - 1, 1],
  ])
    cases.push({
      name: "enhancedCode",
      js: TRANSFORM_JS.enhancedCode(parts, TZ),
      args: parts.map((p) => ({ sql: p === null ? "NULL::DOUBLE" : `${p}::DOUBLE`, type: "DOUBLE" })),
      shown: JSON.stringify(parts),
    });
  const store = await Store.open(":memory:");
  const sql = await sqlValues(store, cases);
  store.close();
  const norm = (v: unknown) => JSON.stringify(v === "" || v === undefined ? null : v);
  const drifts = cases
    .map((c, i) => ({ c, sql: sql[i] }))
    .filter(({ c, sql }) => norm(c.js) !== norm(sql) && !(TIMES.has(c.name) && sql === null))
    .map(({ c, sql }) => `${c.name}(${c.shown}): JS ${JSON.stringify(c.js)} SQL ${JSON.stringify(sql)}`);
  assert.ok(cases.length > 900, `${cases.length} cases`);
  assert.deepEqual(drifts, []);
});

test("no time transform reads a time that does not exist, in either reader (review R94)", async () => {
  const impossible = [
    "2026-02-31T00:00:00Z",
    "2026-12-06T24:00:00Z",
    "2026-12-06T19:00:00+24:00",
    "2026-12-06 19:00:00 +2400",
    "2026-12-06T19:00:00.123456+99:59",
    "2026-02-29 10:00:00",
  ];
  const store = await Store.open(":memory:");
  try {
    for (const name of TIMES) {
      const cases = impossible.map((t) => ({
        name,
        js: TRANSFORM_JS[name]([t], TZ),
        args: [{ sql: literal(t), type: "VARCHAR" }],
        shown: t,
      }));
      for (const c of cases) assert.equal(c.js, null, `${name} ${c.shown}`);
      const sql = await sqlValues(store, cases);
      for (const [i, c] of cases.entries()) assert.equal(sql[i], null, `${name} SQL ${c.shown}`);
    }
  } finally {
    store.close();
  }
});
