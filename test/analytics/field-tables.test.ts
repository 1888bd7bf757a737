import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { generateEvents, planProgram, programOptions } from "../../src/demo/index.ts";
import type { FormatName } from "../../src/events/formats.ts";
import { EVENT_SOURCES } from "../../src/events/registry.ts";
import { fieldTableSql, Store } from "../../src/store/index.ts";
import { FORMAT_WRITERS, type WrittenFormat, writeFormats } from "../../testkit/format-writers.ts";

/**
 * The two readers derived from each format's field table — DuckDB's (compiled SQL) and the streaming JS
 * parser — store identical rows: on a generated program written in every format, and on every fixture.
 */
const FIXTURES = new URL("../fixtures/events/", import.meta.url).pathname;
const COLUMNS = `event_key, type, time, recipient, recipient_domain, provider, campaign, sending_ip, pool,
  sending_domain, stream, remote_mta, message_id, reply, reply_code, status, provider_code, reason, category,
  permanent, source_label, machine_open, reader_ip, user_agent, url, format`;

let dir = "";
let written: WrittenFormat[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "deliverlens-field-tables-"));
  const program = planProgram(programOptions({ days: 14, recipients: 300, seed: 11 }));
  written = await writeFormats(generateEvents(program), dir, { realistic: true });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Ingests `file` with each reader into its own store; returns both summaries, the row differences (as
 * EXCEPT ALL would give them, at most four of each kind) and the rows `query` reads from DuckDB's reader's store.
 * Both stores are in memory and their rows compared as JSON texts in JS: a store file per comparison, attached
 * to the other, cost more than the ingests of a small file.
 */
async function bothReaders(file: string, format: FormatName, query?: string) {
  const fast = await Store.open(":memory:");
  const js = await Store.open(":memory:");
  const a = await ingestFile(fast, file, { format });
  const b = await ingestFile(js, file, { format, fastPath: false });
  const texts = async (store: Store, sql: string) =>
    (await store.all<{ row: string }>(`SELECT to_json(r)::VARCHAR AS row FROM (${sql}) r`)).map((r) => r.row);
  const events = `SELECT ${COLUMNS} FROM events`;
  // The reply keys too: the parsers stage the masked reply (reply_mask), DuckDB's reader masks in SQL.
  const keys = "SELECT reply_key FROM event_rows";
  const [fastEvents, jsEvents, fastKeys, jsKeys] = [
    await texts(fast, events),
    await texts(js, events),
    await texts(fast, keys),
    await texts(js, keys),
  ];
  js.close();
  const differ = [
    ...[
      ...onlyIn(fastEvents, jsEvents).map((row) => ({ side: "duckdb only", row })),
      ...onlyIn(jsEvents, fastEvents).map((row) => ({ side: "parser only", row })),
    ].slice(0, 4),
    ...[
      ...onlyIn(fastKeys, jsKeys).map((row) => ({ side: "duckdb key only", row })),
      ...onlyIn(jsKeys, fastKeys).map((row) => ({ side: "parser key only", row })),
    ].slice(0, 4),
  ];
  const stored = fastEvents.length;
  const rows = query ? await fast.all<Record<string, unknown>>(query) : [];
  fast.close();
  return { a, b, differ, stored, rows };
}

/** The texts of `these` that `those` does not hold as many times (a multiset difference, as EXCEPT ALL). */
function onlyIn(these: readonly string[], those: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const text of those) left.set(text, (left.get(text) ?? 0) + 1);
  return these.filter((text) => {
    const n = left.get(text) ?? 0;
    if (n > 0) left.set(text, n - 1);
    return n === 0;
  });
}

/** Writes SendGrid NDJSON `lines` to `name`, checks both readers store every line alike; returns the file. */
async function sendgridReadersAgree(name: string, lines: string[]): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  const { a, b, differ, stored } = await bothReaders(file, "sendgrid");
  assert.deepEqual([a.reader, b.reader, stored], ["duckdb", "parsers", lines.length]);
  assert.deepEqual(differ, []);
  return file;
}

test("every JSON/CSV format has a field table, and a writer for the parity test", () => {
  const tabled = EVENT_SOURCES.filter((source) => source.table).map((source) => source.id);
  assert.deepEqual(tabled.sort(), [
    "csv",
    "kumomta",
    "mailgun",
    "ndjson",
    "pmta",
    "postmark",
    "sendgrid",
    "ses",
    "sparkpost",
  ]);
  for (const format of tabled) assert.ok(FORMAT_WRITERS[format], format);
});

for (const writer of Object.keys(FORMAT_WRITERS)) {
  test(`${writer}: DuckDB's reader and the parser store the same events of one program`, async () => {
    const file = written.find((w) => w.writer === writer);
    assert.ok(file);
    const { a, b, differ, stored } = await bothReaders(file.file, file.format as FormatName);
    assert.equal(a.reader, "duckdb", `${writer} is read by DuckDB`);
    assert.equal(b.reader, "parsers");
    assert.deepEqual(differ, []);
    assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 });
    assert.equal(a.read, a.stored + a.duplicates + a.quarantined);
    assert.ok(stored > 100, `${writer}: ${stored} events`);
  });
}

test("every fixture of every format: both readers store the same events", async () => {
  const files = readdirSync(FIXTURES).filter((name) => name !== "README.md");
  let byDuckdb = 0;
  for (const source of EVENT_SOURCES.filter((s) => s.table)) {
    for (const name of files.filter((f) => f.startsWith(`${source.id}-`))) {
      const { a, b, differ } = await bothReaders(join(FIXTURES, name), source.id);
      assert.deepEqual(differ, [], name);
      assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 }, name);
      if (a.reader === "duckdb") byDuckdb++;
    }
  }
  assert.ok(byDuckdb >= 5, `${byDuckdb} fixtures read by DuckDB`);
});

test("sparkpost: an event of a type SparkPost does not document is quarantined, its other kinds skipped, in both readers", async () => {
  const file = join(dir, "sparkpost-kinds.json");
  const event = (type: string, id: string) => ({
    type,
    event_id: id,
    rcpt_to: `${id}@example.com`,
    timestamp: "1700000000",
    raw_reason: "550 5.1.1 unknown user",
  });
  const records = [
    { msys: { message_event: event("bounce", "b1") } },
    { msys: { message_event: event("bounced", "x1") } },
    event("weird", "x2"),
    event("relay_delivery", "s1"),
    { msys: { relay_event: event("relay_delivery", "s2") } },
    { msys: {} },
  ];
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const { a, b, differ, stored } = await bothReaders(file, "sparkpost");
  assert.deepEqual(differ, []);
  assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 });
  assert.deepEqual([stored, a.read, a.quarantined], [1, 3, 2]);
});

test("sparkpost: a policy rejection of a suppressed address is a drop of a suppressed address, another policy rejection not, in both readers", async () => {
  const file = join(dir, "sparkpost-suppressed.json");
  const rejection = (id: string, reason: string) => ({
    msys: {
      message_event: {
        type: "policy_rejection",
        event_id: id,
        rcpt_to: `${id}@example.com`,
        timestamp: "1700000000",
        raw_reason: reason,
        error_code: "554",
        bounce_class: "25",
      },
    },
  });
  const records = [
    rejection("listed", "554 5.7.1 recipient address suppressed due to customer policy"),
    rejection("other", "554 5.7.1 [internal] message rejected by policy"),
  ];
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const query =
    "SELECT recipient, type::VARCHAR AS type, reason::VARCHAR AS reason FROM events ORDER BY recipient";
  const { a, differ, rows } = await bothReaders(file, "sparkpost", query);
  assert.deepEqual(differ, []);
  assert.equal(a.reader, "duckdb");
  assert.deepEqual(
    rows.map((r) => [r.recipient, r.type, r.reason === "suppressed"]),
    [
      ["listed@example.com", "dropped", true],
      ["other@example.com", "dropped", false],
    ],
  );
});

test("API pages (Mailgun `items`): DuckDB's reader unnests a top-level page as the parser does, and leaves pages of other shapes to it", async () => {
  const event = (id: string, extra: Record<string, unknown> = {}) => ({
    event: "failed",
    severity: "permanent",
    id,
    timestamp: 1700000000.5,
    recipient: `${id}@example.com`,
    "delivery-status": { code: 550, message: "5.1.1 unknown user" },
    ...extra,
  });
  const page = (items: unknown, at = 0) => ({
    items,
    paging: { next: `https://api.mailgun.net/v3/x/events/${at}` },
  });
  const cases: [string, string, "duckdb" | "parsers", number][] = [
    // Pages one per line and pretty-printed, an empty page, a record that is no page: DuckDB reads them.
    [
      "lines",
      `${[page([event("a1"), event("a2")]), page([]), event("a3")].map((r) => JSON.stringify(r)).join("\n")}\n`,
      "duckdb",
      3,
    ],
    ["pretty", `${JSON.stringify(page([event("b1"), event("b2"), event("b3")]), null, 2)}\n`, "duckdb", 3],
    // A page inside an array, pretty-printed or on one line (the parser reads an array's elements one by one).
    ["in an array", `${JSON.stringify([page([event("d1")]), event("d2")], null, 2)}\n`, "duckdb", 2],
    // An element's own items are not read, by either reader.
    [
      "nested items",
      `${JSON.stringify(page([event("f1", { items: [event("f2")] })]), null, 2)}\n`,
      "duckdb",
      1,
    ],
    // An element that is no object (or null); a page whose items are an object: the parser's.
    ["not an object", `${JSON.stringify(page([event("c1"), 5, "x", null]), null, 2)}\n`, "parsers", 1],
    [
      "items an object",
      `${JSON.stringify(page({ e1: event("e1") }))}\n${JSON.stringify(event("e2"))}\n`,
      "parsers",
      1,
    ],
    [
      "array line",
      `${JSON.stringify([page([event("g1")]), event("g2")])}\n${JSON.stringify(page([event("g3")]))}\n`,
      "duckdb",
      3,
    ],
  ];
  for (const [name, text, reader, stored] of cases) {
    const file = join(dir, `mailgun-pages-${name.replaceAll(" ", "-")}.json`);
    writeFileSync(file, text);
    const { a, b, differ, stored: n } = await bothReaders(file, "mailgun");
    assert.deepEqual([a.reader, differ, n], [reader, [], stored], name);
    assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 }, name);
  }
});

test("generic NDJSON: keys DuckDB would match differently (case, a field named twice) are left to the parser", async () => {
  const cases = [
    ["cased.ndjson", '{"time":"2026-05-01T10:00:00Z","Recipient":"a@icloud.com","type":"delivered"}'],
    [
      "twice.ndjson",
      '{"time":"2026-05-01T10:00:00Z","email":"first@icloud.com","recipient":"second@icloud.com","type":"delivered"}',
    ],
  ] as const;
  const recipients: string[] = [];
  for (const [name, line] of cases) {
    const file = join(dir, name);
    writeFileSync(file, `${line}\n`);
    const { a, b, differ } = await bothReaders(file, "ndjson");
    assert.deepEqual([a.reader, a.stored, b.stored], ["parsers", 1, 1], name);
    assert.deepEqual(differ, [], name);
    const store = await Store.open(":memory:");
    await ingestFile(store, file);
    recipients.push(
      ...(await store.all<{ recipient: string }>("SELECT recipient FROM events")).map((r) => r.recipient),
    );
    store.close();
  }
  // The parser takes the first name of a record that maps to a field.
  assert.deepEqual(recipients, ["a@icloud.com", "first@icloud.com"]);
});

test("JSON values of every type where a field reads text or a list's first item (SendGrid `category`): both readers agree", async () => {
  const categories = [
    '"promo"',
    "7",
    "1.5",
    "true",
    "null",
    '{"a":1}',
    "[]",
    '["welcome","promo"]',
    "[42]",
    "[null]",
    "[[1]]",
    '[{"a":1}]',
    "[false]",
    '[""]',
    '""',
    // Strings with escapes, unicode, commas and quotes, alone or in lists.
    '["Gr\\u00fc\\u00dfe \\u65e5\\u672c"]',
    '["Grüße 日本"]',
    '["a,b"]',
    '["a\\",\\"b"]',
    '["back\\\\slash"]',
    '["tab\\tx"]',
    '[" spaced "]',
    '["x","y"]',
    '["x",1]',
    '"quoted \\"x\\""',
    '"Grüße"',
    '"a,b"',
  ];
  const lines = categories.map(
    (category, i) =>
      `{"email":"user${i}@icloud.com","timestamp":1772448580,"event":"delivered","sg_event_id":"c${i}","category":${category},"ip":"192.0.2.${i}"}`,
  );
  const file = await sendgridReadersAgree("sendgrid-categories.ndjson", lines);
  const store = await Store.open(":memory:");
  await ingestFile(store, file);
  const campaigns = await store.all<{ campaign: string | null }>(
    "SELECT campaign FROM events ORDER BY recipient",
  );
  store.close();
  assert.ok(campaigns.some((row) => row.campaign === "welcome"));
  assert.ok(campaigns.some((row) => row.campaign === "42"));
});

test("JSON values of every type where a field reads a boolean (SendGrid `sg_machine_open`, Postmark `SuppressSending`): both readers agree", async () => {
  // Values DuckDB's BOOLEAN reading takes (2, 1.5, -1, "t" and "TRUE" as true, "f" as false), where the
  // `bool` transform finds no boolean; then values it cannot read as one.
  const groups = [
    ["true", "false", "1", "0", "2", "1.5", "-1", '"t"', '"f"', '"yes"', '"no"', '"TRUE"'],
    ['"1"', '"0"', '""', "null", "{}", "[true]", '{"a":true}'],
  ];
  // true: true, 1, "yes", "1"; false: false, 0, "no", "0"; anything else none.
  const expected = [
    [
      { n: 3, open: false },
      { n: 3, open: true },
      { n: 6, open: null },
    ],
    [
      { n: 1, open: false },
      { n: 1, open: true },
      { n: 5, open: null },
    ],
  ];
  for (const [g, values] of groups.entries()) {
    const opens = values.map(
      (value, i) =>
        `{"email":"user${i}@icloud.com","timestamp":1772448580,"event":"open","sg_event_id":"b${i}","sg_machine_open":${value}}`,
    );
    const file = await sendgridReadersAgree(`sendgrid-machine-open-${g}.ndjson`, opens);
    const store = await Store.open(":memory:");
    await ingestFile(store, file);
    const machine = await store.all<{ n: number; open: boolean | null }>(
      "SELECT count(*)::INTEGER AS n, machine_open AS open FROM events GROUP BY ALL ORDER BY ALL",
    );
    store.close();
    assert.deepEqual(machine, expected[g], values.join(" "));
  }
  // A subscription change is an unsubscribe unless SuppressSending reads false.
  const changes = groups[0].map(
    (value, i) =>
      `{"RecordType":"SubscriptionChange","MessageID":"m${i}","Recipient":"user${i}@icloud.com","ChangedAt":"2026-03-02T10:00:${10 + i}Z","SuppressSending":${value}}`,
  );
  const postmark = join(dir, "postmark-suppress-sending.ndjson");
  writeFileSync(postmark, `${changes.join("\n")}\n`);
  const { a, b, differ, stored } = await bothReaders(postmark, "postmark");
  assert.deepEqual([a.reader, b.reader], ["duckdb", "parsers"]);
  assert.deepEqual(differ, []);
  assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 });
  // false, 0 and "no" read false: no event.
  assert.equal(stored, changes.length - 3);
});

/** The recipient keys of TEXT_KEYS. */
const RECIPIENT_KEYS = new Set(["email", "Recipient", "recipient", "rcpt_to"]);

/** Writer → keys of its realistic records holding text: a recipient, a message id, the event type. */
const TEXT_KEYS: Record<string, string[]> = {
  sendgrid: ["email", "sg_message_id", "event", "campaign_id"],
  postmark: ["Recipient", "MessageID", "RecordType"],
  mailgun: ["recipient", "event"],
  ndjson: ["recipient", "message_id", "type"],
  kumomta: ["recipient", "type"],
  sparkpost: ["rcpt_to", "message_id", "type"],
  "ses-raw": ["messageId", "eventType"],
};

test("an object, a list or a boolean where a field reads text (a recipient, a message id, the type): both readers store the same events", async () => {
  // DuckDB reads the JSON text of such a value (`{"a":1}`, `["x"]`, `true`) where the parser finds none;
  // each case is one record of a realistic file given one such value, alone in its file.
  const kinds = ['{"a":1}', '["x"]', "true"];
  let cases = 0;
  let byParsers = 0;
  for (const [writer, keys] of Object.entries(TEXT_KEYS)) {
    const file = written.find((w) => w.writer === writer);
    assert.ok(file, writer);
    const lines = readFileSync(file.file, "utf8").split("\n").filter(Boolean).slice(0, 12);
    for (const [k, key] of keys.entries()) {
      // The first key (a recipient but for SES's message id) takes an object or a list; a recipient also a
      // boolean (`true` or `false`), which the insert tests row by row.
      const first = kinds[(k + cases) % (k === 0 ? 2 : kinds.length)];
      const boolean = cases % 2 === 0 ? "true" : "false";
      for (const value of RECIPIENT_KEYS.has(key) ? [first, boolean] : [first]) {
        const at = lines.findIndex((line) => line.includes(`"${key}":"`));
        assert.ok(at >= 0, `${writer}: no "${key}"`);
        const hostile = lines[at].replace(new RegExp(`"${key}":"(?:[^"\\\\]|\\\\.)*"`), `"${key}":${value}`);
        assert.notEqual(hostile, lines[at]);
        const name = join(dir, `other-kind-${writer}-${key}.json`);
        writeFileSync(name, `${lines.map((line, i) => (i === at ? hostile : line)).join("\n")}\n`);
        const { a, b, differ } = await bothReaders(name, file.format as FormatName);
        const shown = `${writer} ${key}: ${value}`;
        // Where DuckDB's reader reads the value as JSON (KumoMTA's recipient list) it may keep the file.
        if (a.reader === "parsers") byParsers++;
        assert.deepEqual(differ, [], shown);
        assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 }, shown);
        cases++;
      }
    }
  }
  // A boolean where a number is read (a time, a reply code): DuckDB reads true as 1, false as 0.
  for (const [writer, key, value] of [
    ["kumomta", "timestamp", "true"],
    ["mailgun", "code", "false"],
    ["sendgrid", "timestamp", "false"],
  ]) {
    const file = written.find((w) => w.writer === writer);
    assert.ok(file, writer);
    const lines = readFileSync(file.file, "utf8").split("\n").filter(Boolean).slice(0, 12);
    const at = lines.findIndex((line) => new RegExp(`"${key}":[0-9]`).test(line));
    assert.ok(at >= 0, `${writer}: no "${key}"`);
    const name = join(dir, `other-kind-${writer}-${key}.json`);
    const hostile = lines[at].replace(new RegExp(`"${key}":[0-9.]+`), `"${key}":${value}`);
    writeFileSync(name, `${lines.map((line, i) => (i === at ? hostile : line)).join("\n")}\n`);
    const { a, b, differ } = await bothReaders(name, file.format as FormatName);
    assert.deepEqual(differ, [], `${writer} ${key}: ${value}`);
    assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 }, `${writer} ${key}`);
    if (a.reader === "parsers") byParsers++;
    cases++;
  }
  assert.ok(cases >= 27, `${cases} cases`);
  assert.ok(byParsers >= cases - 2, `${byParsers} of ${cases} left to the parsers`);
});

test("an integer beyond 2^53 where text is read (Postmark's int64 `ID`, an export's 64-bit event id): both readers keep its digits", async () => {
  // Neighbours JSON.parse rounds to one double (4323372036854775808): the parsers made them one event.
  for (const [writer, key, ids, array] of [
    ["postmark", "ID", ["4323372036854775807", "4323372036854775806"], false],
    ["postmark", "ID", ["4323372036854775807", "4323372036854775806"], true],
    ["ndjson", "event_id", ["-12345678901234567891", "-12345678901234567892"], false],
  ] as const) {
    const file = written.find((w) => w.writer === writer);
    assert.ok(file, writer);
    const all = readFileSync(file.file, "utf8").split("\n").filter(Boolean);
    const pattern = new RegExp(`"${key}":("[^"]*"|[0-9]+)`);
    // Ten records, then the first two holding the key, given the long integers.
    const holding = all.filter((line) => pattern.test(line)).slice(0, ids.length);
    assert.equal(holding.length, ids.length, writer);
    const changed = [
      ...all.slice(0, 10).filter((line) => !holding.includes(line)),
      ...holding.map((line, i) => line.replace(pattern, `"${key}":${ids[i]}`)),
    ];
    const name = join(dir, `long-integer-${writer}${array ? "-array" : ""}.json`);
    // As one JSON array on one line (the parser's scanner hands over each record) or one record a line.
    writeFileSync(name, array ? `[${changed.join(",")}]\n` : `${changed.join("\n")}\n`);
    const { a, b, differ, stored, rows } = await bothReaders(
      name,
      file.format as FormatName,
      "SELECT count(DISTINCT event_key)::INTEGER AS n FROM events",
    );
    const shown = `${writer} ${key}${array ? " (array)" : ""}`;
    assert.deepEqual([a.reader, b.reader], ["duckdb", "parsers"], shown);
    assert.deepEqual(differ, [], shown);
    assert.deepEqual([a.stored, b.stored, a.duplicates, b.duplicates], [stored, stored, 0, 0], shown);
    assert.deepEqual(rows, [{ n: stored }], shown);
  }
});

test("PowerMTA accounting files without a header (rotated files): DuckDB reads them by the default header, as the parser does", async () => {
  const file = written.find((w) => w.writer === "pmta");
  assert.ok(file);
  const rows = readFileSync(file.file, "utf8").split("\n").filter(Boolean).slice(1, 41);
  const name = join(dir, "pmta-headerless.csv");
  writeFileSync(name, `${rows.join("\n")}\n`);
  const { a, b, differ, stored } = await bothReaders(name, "pmta");
  assert.deepEqual([a.reader, b.reader, differ], ["duckdb", "parsers", []]);
  assert.deepEqual([a.read, a.quarantined, stored > 0], [b.read, 0, true]);
});

test('KumoMTA `source_address.address` "": the sending IP is `egress_source` in both readers, DuckDB\'s reading the file', async () => {
  // hostAddress("") is no value in JavaScript; its SQL twin gave "", which `first` kept (R28).
  const file = written.find((w) => w.writer === "kumomta");
  assert.ok(file);
  const lines = readFileSync(file.file, "utf8").split("\n").filter(Boolean).slice(0, 12);
  const emptied = lines.map((line) =>
    line.replace(/"source_address":\{"address":"[^"]*"/, '"source_address":{"address":""'),
  );
  assert.ok(emptied.some((line, i) => line !== lines[i]));
  const name = join(dir, "kumomta-empty-source-address.jsonl");
  writeFileSync(name, `${emptied.join("\n")}\n`);
  const { a, b, differ, rows } = await bothReaders(
    name,
    "kumomta",
    "SELECT DISTINCT sending_ip AS ip FROM events ORDER BY ip",
  );
  assert.deepEqual([a.reader, b.reader], ["duckdb", "parsers"]);
  assert.deepEqual(differ, []);
  assert.ok(rows.length > 0 && rows.every((row) => String(row.ip).startsWith("ip-")), JSON.stringify(rows));
});

test("reply codes and statuses the events view derives from the reply (SendGrid, DuckDB's reader) are those the parser stores, whitespace around the reply too", async () => {
  const { leadingReplyCode, leadingStatus } = await import("../../src/bounce/reply.ts");
  const replies = [
    "250 2.0.0 OK",
    "250 2.0.0\n",
    "\t250 2.0.0",
    "  250 2.0.0 OK",
    " 2.0.0 queued",
    "2.0.0 ok",
    "250 OK",
    "   ",
    "550 5.7.1 [CS01] Message rejected",
    "  550 5.7.1 [CS01] Message rejected",
  ];
  const lines = replies.flatMap((response, i) =>
    ["delivered", "bounce", "deferred", "processed"].map((event) =>
      JSON.stringify({
        email: `user${i}@icloud.com`,
        timestamp: 1772448580 + i,
        event,
        sg_event_id: `${event}${i}`,
        response,
        ...(i === 6 ? { status: "2.1.5" } : {}),
      }),
    ),
  );
  const file = await sendgridReadersAgree("sendgrid-reply-whitespace.ndjson", lines);
  const store = await Store.open(":memory:");
  await ingestFile(store, file);
  const rows = await store.all<{ code: number | null; status: string | null }>(
    "SELECT reply_code AS code, status FROM events WHERE type = 'delivered' ORDER BY recipient",
  );
  const kept = await store.one<{ n: number }>(
    "SELECT count(*) AS n FROM event_rows WHERE type = 'delivered' AND (status IS NOT NULL OR reply_code IS NOT NULL)",
  );
  store.close();
  assert.deepEqual(
    rows.map((row) => row.status),
    replies.map((reply, i) => (i === 6 ? "2.1.5" : leadingStatus(reply))),
  );
  assert.deepEqual(
    rows.map((row) => row.code),
    replies.map((reply) => leadingReplyCode(reply.trim())),
  );
  // Delivered rows store a status only from the status field or where trimming changed their reply.
  assert.ok((kept?.n ?? 0) < replies.length, `${kept?.n} delivered rows store a status`);
});

test("recipient domains of addresses with no, one or several '@' (DuckDB's reader): the part after the last, as the parser has it", async () => {
  const recipients = ["a@b.com", "üñ@x.com", '"a@b"@c.org', "@", "a@", "nobody", "a@@b", "x@y@icloud.com"];
  const lines = recipients.map((email, i) =>
    JSON.stringify({
      email,
      timestamp: 1772448580 + i,
      event: "bounce",
      sg_event_id: `d${i}`,
      reason: "550 5.1.1 no such user",
    }),
  );
  const file = join(dir, "sendgrid-domains.ndjson");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const { a, b, differ } = await bothReaders(file, "sendgrid");
  assert.deepEqual([a.reader, b.reader], ["duckdb", "parsers"]);
  assert.deepEqual(differ, []);
  const store = await Store.open(":memory:");
  await ingestFile(store, file);
  const rows = await store.all<{ recipient: string; domain: string | null; provider: string }>(
    "SELECT recipient, recipient_domain AS domain, provider::VARCHAR AS provider FROM events ORDER BY line, recipient",
  );
  store.close();
  const byRecipient = new Map(rows.map((row) => [row.recipient, row]));
  for (const recipient of recipients) {
    const row = byRecipient.get(recipient);
    assert.equal(row?.domain, recipient.includes("@") ? recipient.split("@").at(-1) : null, recipient);
  }
  assert.equal(byRecipient.get("x@y@icloud.com")?.provider, "apple");
});

test("a recipient holding a C0 control or DEL (ESC, NUL, a tab inside) is quarantined by both readers, not stored (R152)", async () => {
  const controls = ["x\u001b[31mred@b.com", "a\u0000@b.com", "a\u007f@b.com", "a\tb@b.com", "a\nb@b.com"];
  // Kept: ASCII whitespace at the ends (trimmed), text JSON escapes that is no control ('"', '\\'), C1 and UTF-8.
  const recipients = [...controls, "\tfine@b.com\r\n", '"q\\uote"@b.com', "a\u009b@b.com", "üñ@x.com"];
  const lines = recipients.map((email, i) =>
    JSON.stringify({ email, timestamp: 1772448580 + i, event: "bounce", reason: "550 5.1.1 no such user" }),
  );
  const csv = `type,recipient,time\n${recipients.map((r, i) => `bounced,"${r.replaceAll('"', '""')}",2026-03-01T00:00:0${i}Z`).join("\n")}\n`;
  for (const [format, text] of [
    ["sendgrid", `${lines.join("\n")}\n`],
    ["csv", csv],
  ] as const) {
    const file = join(dir, `control-recipients.${format}`);
    writeFileSync(file, text);
    const { a, b, differ, stored } = await bothReaders(file, format);
    assert.deepEqual(differ, [], format);
    assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 }, format);
    assert.deepEqual([a.quarantined, stored], [controls.length, recipients.length - controls.length], format);
  }
  // A file of the kept ones only stays with DuckDB's reader.
  await sendgridReadersAgree("kept-recipients.ndjson", lines.slice(controls.length));
});

test("SES in SNS envelopes: DuckDB's reader skips a subscription confirmation unparsed, and leaves a notification that is not JSON to the parser", async () => {
  const note = (id: string, message: string) =>
    JSON.stringify({
      Type: "Notification",
      MessageId: id,
      TopicArn: "arn:aws:sns:us-east-1:1:ses",
      Message: message,
    });
  const delivery = JSON.stringify({
    eventType: "Delivery",
    mail: { timestamp: "2026-03-02T10:49:40.000Z", messageId: "m1", destination: ["a@icloud.com"] },
    delivery: {
      timestamp: "2026-03-02T10:49:42.000Z",
      recipients: ["a@icloud.com"],
      smtpResponse: "250 2.0.0 OK",
    },
  });
  const confirmation = JSON.stringify({
    Type: "SubscriptionConfirmation",
    MessageId: "sns-0",
    TopicArn: "arn:aws:sns:us-east-1:1:ses",
    Message:
      "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:1:ses. To confirm, visit the SubscribeURL",
  });
  const cases = [
    ["sns-confirmation.json", [confirmation, note("sns-1", delivery)], ["duckdb", 1, 0]],
    [
      "sns-not-json.json",
      [note("sns-1", delivery), note("sns-2", '{"eventType": "Delivery", "mail": ')],
      ["parsers", 1, 1],
    ],
  ] as const;
  for (const [name, lines, [reader, stored, quarantined]] of cases) {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const { a, b, differ } = await bothReaders(file, "ses");
    assert.deepEqual([a.reader, a.stored, a.quarantined], [reader, stored, quarantined], name);
    assert.deepEqual([b.stored, b.quarantined], [stored, quarantined], name);
    assert.deepEqual(differ, [], name);
  }
});

test("SES: a file starting in an SNS envelope is read by DuckDB's enveloped reader, and by its general one when a record is bare", async () => {
  const table = EVENT_SOURCES.find((source) => source.table?.format === "ses")?.table;
  assert.ok(table);
  // The enveloped reader reads the envelope's two fields only, none of a bare notification's.
  const enveloped = fieldTableSql(table, { reader: "ndjson", compression: "none", enveloped: true });
  assert.match(enveloped, /columns = \{'Type': 'VARCHAR', 'Message': 'VARCHAR'\}/);
  const lines = readFileSync(written.find((w) => w.writer === "ses")?.file ?? "", "utf8").split("\n");
  const bare = (line: string) => JSON.parse(JSON.parse(line).Message);
  const cases = [
    ["ses-enveloped.json", lines.slice(0, 40)],
    // A bare notification after enveloped ones: the enveloped reader flags it, the general one reads it.
    ["ses-mixed.json", [...lines.slice(0, 20), JSON.stringify(bare(lines[20])), ...lines.slice(21, 40)]],
    ["ses-bare-first.json", [JSON.stringify(bare(lines[0])), ...lines.slice(1, 40)]],
  ] as const;
  for (const [name, records] of cases) {
    const file = join(dir, name);
    writeFileSync(file, `${records.join("\n")}\n`);
    const { a, b, differ } = await bothReaders(file, "ses");
    assert.deepEqual([a.reader, a.stored, a.quarantined], ["duckdb", b.stored, 0], name);
    assert.ok(b.stored >= 40, name);
    assert.deepEqual(differ, [], name);
    const store = await Store.open(":memory:");
    try {
      const flagged = await store.one<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM (${enveloped}) WHERE problem IS NOT NULL`,
        { path: file },
      );
      assert.equal(flagged?.n, name === "ses-enveloped.json" ? 0 : 1, name);
    } finally {
      store.close();
    }
  }
});

test("whitespace around values, ASCII and not (NBSP, U+2028, U+FEFF, U+3000, VT, FF): both readers store the same events", async () => {
  const spaces = [" ", "\t", "\u000b", "\u000c", "\u00a0", "\u2028", "\ufeff", "\u3000"];
  const lines: string[] = [];
  spaces.forEach((space, i) => {
    const at = (text: string, where: number) =>
      where === 0 ? `${space}${text}` : where === 1 ? `${text}${space}` : text.replace(" ", space);
    for (let where = 0; where < 3; where++) {
      const id = `${i}-${where}`;
      lines.push(
        JSON.stringify({
          email: at(`user${id}@icloud.com`, where === 2 ? 0 : where),
          timestamp: 1772448580 + i * 10 + where,
          event: "bounce",
          "smtp-id": `<m${id}@example.org>`,
          reason: at("550 5.7.1 [CS01] Message rejected due to local policy", where),
          status: at("5.7.1", where === 2 ? 1 : where),
        }),
        JSON.stringify({
          email: `d${id}@gmail.com`,
          timestamp: 1772448590 + i * 10 + where,
          event: "delivered",
          response: at("250 2.0.0 OK", where),
        }),
      );
    }
  });
  await sendgridReadersAgree("sendgrid-whitespace.ndjson", lines);
});

test("ASCII whitespace between JSON records (a tab before a batch's '[', VT or FF before a record or alone on a line): both readers skip it, DuckDB's keeping the file", async () => {
  const event = (i: number) =>
    JSON.stringify({
      email: `ws${i}@b.com`,
      timestamp: 1772448580 + i,
      event: "bounce",
      reason: "550 5.1.1 unknown",
    });
  const files: [string, string][] = [
    ["ws-batches.json", `\t[${event(1)},${event(2)}]\n\u000b\n \t[${event(3)}]\n\u000c\n`],
    ["ws-records.ndjson", `${event(1)}\n\u000b${event(2)}\n\u000c\n\t \t${event(3)}\t\n`],
  ];
  for (const [name, text] of files) {
    const file = join(dir, name);
    writeFileSync(file, text);
    const { a, b, differ, stored } = await bothReaders(file, "sendgrid");
    assert.deepEqual([a.reader, b.reader, stored, a.quarantined], ["duckdb", "parsers", 3, 0], name);
    assert.deepEqual(differ, [], name);
    assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 }, name);
  }
});

test("SES tags and values of odd shapes (strings, lists of several, escapes, unicode, missing parts): both readers store the same events", async () => {
  const tagShapes: unknown[] = [
    ["promo"],
    "promo",
    ["Grüße 日本"],
    ['say "hi"'],
    ["a", "b"],
    [],
    [""],
    [7],
    [null],
    { nested: ["x"] },
    ["back\\slash"],
    ['comma","quote'],
  ];
  const lines = tagShapes.map((tag, i) =>
    JSON.stringify({
      Type: "Notification",
      MessageId: `sns-${i}`,
      Message: JSON.stringify({
        eventType: i % 3 === 0 ? "Bounce" : "Delivery",
        mail: {
          timestamp: "2026-03-02T10:49:40.000Z",
          source: i % 4 === 0 ? "Grüße <news@mail.example.com>" : "news@mail.example.com",
          messageId: `m${i}`,
          destination: [`user${i}@icloud.com`],
          ...(i % 5 === 4 ? {} : { tags: { campaign_id: tag, stream: tag, "ses:outgoing-ip": tag } }),
        },
        ...(i % 3 === 0
          ? {
              bounce: {
                bounceType: "Permanent",
                bounceSubType: "General",
                timestamp: "2026-03-02T10:49:41.000Z",
                feedbackId: `fb${i}`,
                bouncedRecipients: [
                  {
                    emailAddress: `user${i}@icloud.com`,
                    status: "5.7.1",
                    diagnosticCode: "smtp; 550 5.7.1 [CS01] Message rejected",
                  },
                ],
              },
            }
          : {
              delivery: {
                timestamp: "2026-03-02T10:49:42.000Z",
                recipients: [`user${i}@icloud.com`],
                smtpResponse:
                  i % 2 ? "250 2.0.0 OK  1772448582 – gsmtp ✓" : "250 2.0.0 Ok: queued as 289D0AE24BB",
              },
            }),
      }),
    }),
  );
  const file = join(dir, "ses-odd-tags.json");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const { a, b, differ, stored } = await bothReaders(file, "ses");
  assert.deepEqual([a.reader, b.reader, stored], ["duckdb", "parsers", lines.length]);
  assert.deepEqual(differ, []);
});
