import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { writeSmallProgram } from "../../testkit/analytics-program.ts";

let dir = "";
let files: string[] = [];
before(async () => {
  const written = await writeSmallProgram("by-stream", { recipients: 600, days: 21 });
  dir = written.dir;
  files = written.files;
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every column but `line`: DuckDB's readers number lines only for files with bad records (docs/STORE.md). */
const COLUMNS = `event_key, type, time, recipient, recipient_domain, provider, campaign, sending_ip, pool,
  sending_domain, stream, remote_mta, message_id, reply, reply_code, status, provider_code, reason, category,
  permanent, source_label, machine_open, reader_ip, user_agent, url, format`;

test("DuckDB's readers and the JS parsers store the same events", async () => {
  const fast = await Store.open(":memory:");
  const js = await Store.open(join(dir, "js.duckdb"));
  for (const file of files) {
    const a = await ingestFile(fast, file);
    const b = await ingestFile(js, file, { fastPath: false });
    assert.equal(a.reader, "duckdb");
    assert.equal(b.reader, "parsers");
    assert.deepEqual({ ...a, reader: "", seconds: 0 }, { ...b, reader: "", seconds: 0 });
  }
  js.close();
  await fast.run(`ATTACH '${join(dir, "js.duckdb")}' AS js (READ_ONLY)`);
  const differ = await fast.one<{ n: number }>(`SELECT count(*) AS n FROM (
    (SELECT ${COLUMNS} FROM events EXCEPT ALL SELECT ${COLUMNS} FROM js.events)
    UNION ALL (SELECT ${COLUMNS} FROM js.events EXCEPT ALL SELECT ${COLUMNS} FROM events))`);
  assert.equal(differ?.n, 0);
  const total = await fast.one<{ n: number }>("SELECT count(*) AS n FROM events");
  assert.ok((total?.n ?? 0) > 1000);
  fast.close();
});

test("re-ingesting adds nothing and the summary reconciles", async () => {
  const store = await Store.open(":memory:");
  const first = await ingestFile(store, files[0]);
  const again = await ingestFile(store, files[0]);
  assert.equal(first.read, first.stored + first.duplicates + first.quarantined);
  assert.equal(again.stored, 0);
  assert.equal(again.duplicates, first.stored);
  const rows = await store.all<{ file_id: number; records_read: number; stored: number }>(
    "SELECT file_id, records_read, stored FROM files ORDER BY file_id",
  );
  assert.deepEqual(rows, [
    { file_id: 1, records_read: first.read, stored: first.stored },
    { file_id: 2, records_read: again.read, stored: 0 },
  ]);
  store.close();
});

test("both paths read edge-case addresses, reply codes and statuses the same way", async () => {
  const replies = [
    ["550", null],
    ["5501 not a code", null],
    ["550 x 5.7.1", null],
    ["550 5.7.1234 too many digits", null],
    ["550-5.7.1 dash", null],
    ["550\t5.7.1 tab", null],
    ["  5.2.2 mailbox full  ", null],
    ["451  4.7.0 [TSS04] two spaces", null],
    ["550 5.1.1 user unknown", "5.1.1 (bad mailbox)"],
    ["554 5.7.9 policy", "0.0.0"],
    [" \t ", null],
    ["550 5x7y1 not a status", null],
  ];
  const emails = [" \tX@Gmail.COM\t ", "y@yahoo.com ", "Z@icloud.com"];
  const lines = replies.map(([reason, status], i) =>
    JSON.stringify({
      email: emails[i % emails.length],
      timestamp: 1767225600 + i,
      event: i % 2 ? "deferred" : "bounce",
      sg_event_id: `e${i}`,
      reason,
      ...(status ? { status } : {}),
    }),
  );
  const path = join(dir, "edge-cases.ndjson");
  writeFileSync(path, `${lines.join("\n")}\n`);
  const columns = "recipient, recipient_domain, provider, reply, reply_code, status, category";
  const read = async (fastPath: boolean) => {
    const store = await Store.open(":memory:");
    await ingestFile(store, path, { format: "sendgrid", fastPath });
    const rows = await store.all(`SELECT ${columns} FROM events ORDER BY time`);
    store.close();
    return rows;
  };
  const fast = await read(true);
  assert.deepEqual(fast, await read(false));
  assert.equal(fast.length, replies.length);
  assert.deepEqual(fast[0], {
    recipient: "x@gmail.com",
    recipient_domain: "gmail.com",
    provider: "google",
    reply: "550",
    reply_code: 550,
    status: null,
    category: fast[0].category,
  });
  assert.deepEqual(
    fast.map((row) => [row.reply_code, row.status]),
    [
      [550, null],
      [null, null],
      [550, null],
      [550, null],
      [550, "5.7.1"],
      [550, "5.7.1"],
      [null, "5.2.2"],
      [451, "4.7.0"],
      [550, "5.1.1"],
      [554, "5.7.9"],
      [null, null],
      [550, null],
    ],
  );
});

const SENDGRID = [
  '{"email":"A@iCloud.com","timestamp":1767225600,"event":"delivered","sg_event_id":"d1","ip":"192.0.2.10","response":"250 2.0.0 OK"}',
  '{"email":"a@icloud.com","timestamp":1767225660,"event":"open","sg_event_id":"o1","ip":"17.58.1.2","sg_machine_open":true}',
  '{"email":"a@icloud.com","timestamp":1767225700,"event":"click","sg_event_id":"c1","ip":"198.51.100.7","url":"https://example.com/x"}',
  '{"email":"b@gmail.com","timestamp":"nope","event":"open","sg_event_id":"o2"}',
  "{not json",
  "",
  '{"email":"c@yahoo.com","timestamp":1767225800,"event":"bounce","sg_event_id":"b1","ip":"192.0.2.11","reason":"550 5.7.1 [CS01] Message rejected due to local policy","type":"blocked"}',
  '{"email":"c@yahoo.com","timestamp":1767225800,"event":"bounce","sg_event_id":"b1","ip":"192.0.2.11","reason":"550 5.7.1 [CS01] Message rejected due to local policy","type":"blocked"}',
].join("\n");

for (const fastPath of [true, false]) {
  const reader = fastPath ? "DuckDB" : "JS";
  test(`${reader} path: bad records are quarantined with file and line; duplicates within a file counted once`, async () => {
    const path = join(dir, `hand-${reader}.ndjson`);
    writeFileSync(path, `${SENDGRID}\n`);
    const store = await Store.open(":memory:");
    const summary = await ingestFile(store, path, { format: "sendgrid", fastPath });
    assert.deepEqual(
      {
        read: summary.read,
        stored: summary.stored,
        duplicates: summary.duplicates,
        quarantined: summary.quarantined,
      },
      { read: 7, stored: 4, duplicates: 1, quarantined: 2 },
    );
    const quarantine = await store.all<{ path: string; line: number }>(
      "SELECT path, line FROM quarantine ORDER BY line",
    );
    assert.deepEqual(quarantine, [
      { path, line: 4 },
      { path, line: 5 },
    ]);
    store.close();
  });

  test(`${reader} path: an event three times within a file is stored once and counted as two duplicates`, async () => {
    const event = '{"email":"d@gmail.com","timestamp":1767225900,"event":"delivered","sg_event_id":"d9"}';
    const path = join(dir, `thrice-${reader}.ndjson`);
    writeFileSync(path, `${[event, event, SENDGRID.split("\n")[0], event].join("\n")}\n`);
    const store = await Store.open(":memory:");
    const summary = await ingestFile(store, path, { format: "sendgrid", fastPath });
    assert.deepEqual(
      { read: summary.read, stored: summary.stored, duplicates: summary.duplicates },
      { read: 4, stored: 2, duplicates: 2 },
    );
    const kept = await store.one<{ n: number }>(
      "SELECT count(*) AS n FROM events WHERE recipient = 'd@gmail.com'",
    );
    assert.equal(kept?.n, 1);
    store.close();
  });

  test(`${reader} path: SendGrid's ip is the sending IP on deliveries/bounces and the reader's on opens/clicks`, async () => {
    const path = join(dir, `ip-${reader}.ndjson`);
    writeFileSync(path, `${SENDGRID}\n`);
    const store = await Store.open(":memory:");
    await ingestFile(store, path, { format: "sendgrid", fastPath });
    const rows = await store.all(
      "SELECT type, recipient, provider, sending_ip, reader_ip, machine_open FROM events ORDER BY time, type",
    );
    assert.deepEqual(rows, [
      {
        type: "delivered",
        recipient: "a@icloud.com",
        provider: "apple",
        sending_ip: "192.0.2.10",
        reader_ip: null,
        machine_open: null,
      },
      {
        type: "open",
        recipient: "a@icloud.com",
        provider: "apple",
        sending_ip: null,
        reader_ip: "17.58.1.2",
        machine_open: true,
      },
      {
        type: "click",
        recipient: "a@icloud.com",
        provider: "apple",
        sending_ip: null,
        reader_ip: "198.51.100.7",
        machine_open: null,
      },
      {
        type: "bounced",
        recipient: "c@yahoo.com",
        provider: "yahoo",
        sending_ip: "192.0.2.11",
        reader_ip: null,
        machine_open: null,
      },
    ]);
    store.close();
  });
}

test("times are stored in UTC: PowerMTA offsets, and naive times read in --tz", async () => {
  const path = join(dir, "tz.csv");
  writeFileSync(
    path,
    [
      "type,timeLogged,rcpt,dsnDiag,jobId",
      "d,2026-01-01 00:30:00+0100,a@icloud.com,250 ok,j1",
      "d,2026-07-01 12:00:00,b@icloud.com,250 ok,j1",
    ].join("\n"),
  );
  for (const fastPath of [true, false]) {
    const store = await Store.open(":memory:");
    await ingestFile(store, path, { format: "pmta", tz: "America/New_York", fastPath });
    const times = await store.all<{ time: string }>("SELECT time FROM events ORDER BY time");
    assert.deepEqual(
      times.map((t) => t.time),
      ["2025-12-31T23:30:00.000Z", "2026-07-01T16:00:00.000Z"],
    );
    store.close();
  }
});

test("classic syslog lines take --year for the first line and roll over New Year", async () => {
  const path = join(dir, "maillog");
  const line = (stamp: string, id: string) =>
    `${stamp} mx postfix/smtp[1]: ${id}: to=<u@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))`;
  writeFileSync(path, `${line("Dec 31 23:59:00", "AAA111")}\n${line("Jan  1 00:01:00", "BBB222")}\n`);
  const store = await Store.open(":memory:");
  const summary = await ingestFile(store, path, { format: "postfix", year: 2025, tz: "UTC" });
  assert.equal(summary.stored, 2);
  const times = await store.all<{ time: string }>("SELECT time FROM events ORDER BY time");
  assert.deepEqual(
    times.map((t) => t.time),
    ["2025-12-31T23:59:00.000Z", "2026-01-01T00:01:00.000Z"],
  );
  store.close();
});

test("gzip and zstd inputs are read transparently by DuckDB, whatever their names (magic bytes decide)", async () => {
  const plain = SENDGRID.split("\n").slice(0, 3).join("\n");
  const inputs = [
    ["events.ndjson.gz", gzipSync(plain), "duckdb"],
    ["events.bin", gzipSync(plain), "duckdb"],
    ["events.ndjson.zst", zstdCompressSync(plain), "duckdb"],
  ] as const;
  for (const [name, bytes, reader] of inputs) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const store = await Store.open(":memory:");
    const summary = await ingestFile(store, path, { format: "sendgrid" });
    assert.deepEqual([summary.reader, summary.stored, summary.quarantined], [reader, 3, 0], name);
    store.close();
  }
});

test("a file's row in `files` carries its seconds, written in the file's own transaction", async () => {
  const store = await Store.open(":memory:");
  try {
    for (const options of [{}, { fastPath: false }]) {
      const summary = await ingestFile(store, files[0], options);
      const row = await store.one<{ seconds: number }>(
        "SELECT seconds FROM files WHERE file_id = (SELECT max(file_id) FROM files)",
      );
      assert.ok(summary.seconds > 0);
      assert.equal(row?.seconds, summary.seconds);
    }
  } finally {
    store.close();
  }
});
