import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import type { SimEvent } from "../../src/demo/program.ts";
import { daySummaryBehind } from "../../src/measures/index.ts";
import { messageKeySql, Store } from "../../src/store/index.ts";
import { FORMAT_WRITERS, formatOf } from "../../testkit/format-writers.ts";
import { scratchDir } from "../../testkit/scratch.ts";

const dir = scratchDir("deliverlens-log-and-dsn-");

/** One message bounced: the Postfix log's lines of it (review R25). */
const LOG = `Mar  3 10:00:00 mail postfix/cleanup[100]: 4ABC123: message-id=<m1@example.com>
Mar  3 10:00:00 mail postfix/qmgr[101]: 4ABC123: from=<news@example.com>, size=1200, nrcpt=1 (queue active)
Mar  3 10:00:04 mail postfix/smtp[102]: 4ABC123: to=<gone@borschow.example>, relay=mx.borschow.example[192.0.2.9]:25, delay=4, delays=0/0/2/2, dsn=5.1.1, status=bounced (host mx.borschow.example[192.0.2.9] said: 550 5.1.1 <gone@borschow.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))
Mar  3 10:00:05 mail postfix/bounce[103]: 4ABC123: sender non-delivery notification: 5DEF456
Mar  3 10:00:05 mail postfix/qmgr[101]: 4ABC123: removed
`;

/** The bounce (DSN) Postfix mailed the sender for it: the same Message-ID in its rfc822-headers part. */
const DSN = `Return-Path: <>
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
To: news@example.com
Subject: Undelivered Mail Returned to Sender
Date: Tue, 3 Mar 2026 10:00:05 +0000
Message-ID: <20260303100005.5DEF456@mail.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"

--BB
Content-Type: text/plain

This is the mail system at host mail.example.com.

<gone@borschow.example>: host mx.borschow.example[192.0.2.9] said: 550 5.1.1
    <gone@borschow.example>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)

--BB
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com
X-Postfix-Queue-ID: 4ABC123
Arrival-Date: Tue,  3 Mar 2026 10:00:00 +0000

Final-Recipient: rfc822; gone@borschow.example
Original-Recipient: rfc822;gone@borschow.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.borschow.example
Diagnostic-Code: smtp; 550 5.1.1 <gone@borschow.example>: Recipient address rejected: User unknown in virtual mailbox table

--BB
Content-Type: text/rfc822-headers

From: news@example.com
To: gone@borschow.example
Subject: hello
Message-ID: <m1@example.com>
Date: Tue, 3 Mar 2026 10:00:00 +0000

--BB--
`;

const folder = join(dir, "both");
mkdirSync(folder);
const log = join(folder, "mail.log");
const dsn = join(folder, "dsn.eml");
writeFileSync(log, LOG);
writeFileSync(dsn, DSN);

/** Ingests `runs` (each a list of inputs, one run each) into a fresh store: what it keeps, and the summaries. */
async function ingestRuns(runs: string[][], batches: boolean) {
  const store = await Store.open(":memory:");
  try {
    const files = [];
    for (const paths of runs)
      files.push(
        ...(await ingestInputs(store, paths, { batches, year: 2026, describeFailure: String })).files,
      );
    const kept = await store.one<{ bounced: number; messages: number }>(
      `SELECT count(*) FILTER (WHERE type = 'bounced')::INTEGER AS bounced,
        count(DISTINCT message_key)::INTEGER AS messages FROM events`,
    );
    const context = await store.all<Record<string, string | null>>(
      `SELECT message_id, campaign, sending_ip, pool, stream FROM events WHERE type = 'bounced' ORDER BY ALL`,
    );
    return { kept, files, context };
  } finally {
    store.close();
  }
}

test("a log's bounce and the DSN its MTA mailed for it are one bounce of one message, whichever comes first", async () => {
  for (const batches of [true, false])
    for (const runs of [[[log, dsn]], [[dsn, log]], [[log], [dsn]], [[dsn], [log]]]) {
      const { kept, files } = await ingestRuns(runs, batches);
      const what = `${runs.map((paths) => paths.map((path) => path.split("/").pop()).join("+")).join(", ")}${batches ? "" : " one by one"}`;
      assert.deepEqual(kept, { bounced: 1, messages: 1 }, what);
      assert.deepEqual(
        files.map((file) => [file.read, file.stored, file.duplicates]),
        files.map((_, at) => [1, at === 0 ? 1 : 0, at === 0 ? 0 : 1]),
        what,
      );
      const second = files[1];
      assert.equal(second.notes.length, 1, what);
      assert.match(
        second.notes[0],
        /^1 bounce also reported by a (log or events file|bounce email \(DSN\)) stored before/,
        what,
      );
    }
});

test("the same DSN ingested again is again the log's bounce: still one bounce", async () => {
  const { kept, files } = await ingestRuns([[log], [dsn], [dsn]], true);
  assert.deepEqual(kept, { bounced: 1, messages: 1 });
  assert.deepEqual(
    files.map((file) => [file.stored, file.duplicates, file.notes.length]),
    [
      [1, 0, 0],
      [0, 1, 1],
      [0, 1, 1],
    ],
  );
});

/** The bounce of `<m1@example.com>` to gone@borschow.example, as every JSON/CSV writer writes it. */
const BOUNCE: SimEvent = {
  type: "bounced",
  time: Date.parse("2026-03-03T10:00:04Z") / 1000,
  recipient: "gone@borschow.example",
  campaign: "news",
  stream: "marketing",
  // As KumoMTA and many exports keep it (blanks around it too); the KumoMTA writer adds its own brackets.
  messageId: " <m1@example.com> ",
  eventId: "ev-m1-gone",
  sendingIp: "192.0.2.10",
  pool: "marketing",
  reply:
    "550 5.1.1 <gone@borschow.example>: Recipient address rejected: User unknown in virtual mailbox table",
  status: "5.1.1",
  machineOpen: null,
  readerIp: null,
  url: null,
};

/** The same bounce in an Exim main log (its `id=` is the Message-ID without brackets). */
const EXIM = `2026-03-03 10:00:00 1vAbCd-000123-AB <= news@mail.example-shop.com H=app.example.com [192.0.2.5] P=esmtp S=1234 id=m1@example.com
2026-03-03 10:00:04 1vAbCd-000123-AB ** gone@borschow.example R=dnslookup T=remote_smtp H=mx.borschow.example [192.0.2.9]: SMTP error from remote mail server after RCPT TO:<gone@borschow.example>: ${BOUNCE.reply}
2026-03-03 10:00:05 1vAbCd-000123-AB Completed
`;

/**
 * The formats whose Message-ID field can carry its angle brackets (and blanks, in a hand-made export), as
 * their documentation shows it: SendGrid's `smtp-id` (`<…@ismtpd….sendgrid.net>`), PowerMTA's logged
 * `header_message-id` and KumoMTA's logged `headers.Message-ID` (the header as the message carried it),
 * Mailgun's `message.headers.message-id` (a copy of the header) and the generic schema's `message_id`
 * (docs/FORMATS.md). Their readers must store the id bare. The others' id is the ESP's own token (Postmark
 * `MessageID`, SES `mail.messageId`, SparkPost `message_id`): written bare here, as they write it.
 */
const BRACKETED = new Set(["sendgrid", "pmta", "kumomta", "mailgun", "ndjson", "csv"]);

/** Every reader that carries a Message-ID: its file of the bounce. */
const sources: [string, string][] = [
  ["postfix", log],
  ["exim", join(folder, "exim.log")],
  ...Object.entries(FORMAT_WRITERS).map(([name, writer]): [string, string] => [
    name,
    join(folder, `${name}.${writer.ext}`),
  ]),
];
writeFileSync(join(folder, "exim.log"), EXIM);
for (const [name, writer] of Object.entries(FORMAT_WRITERS)) {
  const bare = BOUNCE.messageId.trim().slice(1, -1);
  // The KumoMTA writer adds the brackets itself.
  const bracketed = BRACKETED.has(formatOf(name)) && name !== "kumomta";
  let line = writer.line({ ...BOUNCE, messageId: bracketed ? BOUNCE.messageId : bare });
  assert.ok(line, name);
  // The SendGrid writer writes the id as `sg_message_id` (SendGrid's own token); `smtp-id` is the Message-ID.
  if (name === "sendgrid")
    line = JSON.stringify({
      ...JSON.parse(line),
      "smtp-id": BOUNCE.messageId,
      sg_message_id: "m1.filter0001.1.0",
    });
  let header = writer.header;
  // The PowerMTA writer logs no header field; an accounting file configured to log Message-ID has this one.
  if (name === "pmta") {
    header += ",header_message-id";
    line += `,${BOUNCE.messageId}`;
  }
  writeFileSync(join(folder, `${name}.${writer.ext}`), `${header ? `${header}\n` : ""}${line}\n`);
}

test("every reader's bounce and its DSN are one bounce of one message, with the log's context, whichever comes first (R29)", async () => {
  for (const [name, file] of sources) {
    // What the log's file alone stores: the bare id, and the sending IP, pool and campaign the DSN lacks.
    const alone = await ingestRuns([[file]], false);
    assert.equal(alone.context[0]?.message_id, "m1@example.com", name);
    for (const [runs, batches] of [
      [[[file, dsn]], true],
      [[[dsn, file]], true],
      [[[file], [dsn]], false],
      [[[dsn], [file]], false],
    ] as const) {
      const { kept, files, context } = await ingestRuns(
        runs.map((paths) => [...paths]),
        batches,
      );
      const what = `${name}: ${runs.map((paths) => paths.map((path) => path.split("/").pop()).join("+")).join(", ")}${batches ? "" : " one by one"}`;
      assert.deepEqual(kept, { bounced: 1, messages: 1 }, what);
      assert.deepEqual(
        files.map((summary) => [summary.read, summary.stored, summary.duplicates]),
        [
          [1, 1, 0],
          [1, 0, 1],
        ],
        what,
      );
      assert.deepEqual(context, alone.context, what);
    }
  }
});

test("a format whose Message-ID can carry brackets stores it bare, read by DuckDB, by the parsers or in a batch", async () => {
  const bracketed = sources.filter(([name]) => BRACKETED.has(formatOf(name)));
  assert.equal(new Set(bracketed.map(([name]) => formatOf(name))).size, BRACKETED.size);
  for (const [name, file] of bracketed) {
    // A second small file of the format: the two are read as one batch (batch.ts), by one DuckDB read, or by the
    // parsers.
    const copy = file.replace(/(\.[a-z]+)$/, "-copy$1");
    copyFileSync(file, copy);
    for (const [how, paths, fastPath, expected] of [
      ["duckdb", [file], true, [["duckdb", 1, 0]]],
      ["parsers", [file], false, [["parsers", 1, 0]]],
      [
        "batch",
        [file, copy],
        true,
        [
          ["duckdb", 1, 0],
          ["duckdb", 0, 1],
        ],
      ],
      [
        "batch",
        [file, copy],
        false,
        [
          ["parsers", 1, 0],
          ["parsers", 0, 1],
        ],
      ],
    ] as const) {
      const store = await Store.open(":memory:");
      try {
        const { files } = await ingestInputs(store, [...paths], {
          fastPath,
          batches: how === "batch",
          year: 2026,
          describeFailure: String,
        });
        const what = `${name} (${how}, fastPath ${fastPath})`;
        assert.deepEqual(
          files.map((summary) => [summary.reader, summary.stored, summary.duplicates]),
          expected,
          what,
        );
        const rows = await store.all<{ id: string; right: boolean }>(
          `SELECT DISTINCT message_id AS id, message_key = ${messageKeySql()} AS right FROM event_rows`,
        );
        assert.deepEqual(rows, [{ id: "m1@example.com", right: true }], what);
      } finally {
        store.close();
      }
    }
    rmSync(copy);
  }
});

test("a store an older version wrote with `<…>` Message-IDs is migrated: one form, message keys and summary again, event keys kept", async () => {
  const path = join(dir, "old.duckdb");
  const kumo = join(folder, "kumomta.jsonl");
  // What a version-15 ingest of the KumoMTA log stored: its event key (the identity hashes the id as the log
  // writes it, then as now), the id with its brackets and the message key of that form, a current summary.
  // Keyed as a store from before version 17 is (key_state's md5 recipe), then without that version.
  let store = await Store.open(path);
  await store.run("UPDATE key_state SET recipe = 'md5'");
  await ingestInputs(store, [kumo], { year: 2026, describeFailure: String });
  await store.run(`UPDATE event_rows SET message_id = '<' || message_id || '>'`);
  await store.run(`UPDATE event_rows SET message_key = ${messageKeySql()}`);
  await store.run("DELETE FROM schema_version WHERE version >= 16");
  await store.run(
    `DROP TABLE key_state; DROP TABLE recipient_hosts; DROP TABLE hosted_domains; DROP TABLE hosting_state;
      DROP TABLE legacy_log_files; DROP TABLE unsettled_files; ALTER TABLE event_rows DROP COLUMN queue_id`,
  );
  const old = await store.one<{ id: string; key: bigint; event_key: bigint }>(
    "SELECT message_id AS id, message_key AS key, event_key FROM event_rows",
  );
  assert.equal(old?.id, "<m1@example.com>");
  assert.equal(await daySummaryBehind(store), false);
  store.close();

  store = await Store.open(path);
  try {
    const migrated = await store.one<{ id: string; key: bigint; event_key: bigint; right: boolean }>(
      `SELECT message_id AS id, message_key AS key, event_key, message_key = ${messageKeySql()} AS right FROM event_rows`,
    );
    assert.equal(migrated?.id, "m1@example.com");
    assert.equal(migrated?.right, true);
    assert.notEqual(migrated?.key, old?.key);
    assert.equal(migrated?.event_key, old?.event_key);
    // Its message keys changed: the summary counted the old ones, and is rebuilt by the next ingest.
    assert.equal(await daySummaryBehind(store), true);
    // The same log again is the stored bounce; its DSN is too (matched by the one form).
    const again = await ingestInputs(store, [kumo, dsn], { year: 2026, describeFailure: String });
    assert.deepEqual(
      again.files.map((file) => [file.stored, file.duplicates]),
      [
        [0, 1],
        [0, 1],
      ],
    );
    const kept = await store.one<{ bounced: number; messages: number }>(
      `SELECT count(*) FILTER (WHERE type = 'bounced')::INTEGER AS bounced,
        count(DISTINCT message_key)::INTEGER AS messages FROM events`,
    );
    assert.deepEqual(kept, { bounced: 1, messages: 1 });
    assert.equal(await daySummaryBehind(store), false);
  } finally {
    store.close();
  }
});
