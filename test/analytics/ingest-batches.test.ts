import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type IngestInputsResult, ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { programOptions } from "../../src/demo/options.ts";
import { generateEvents, planProgram } from "../../src/demo/program.ts";
import { sendgridLine } from "../../src/demo/writers.ts";
import { Store } from "../../src/store/index.ts";
import { FORMAT_WRITERS, realistic } from "../../testkit/format-writers.ts";
import { scratchDir } from "../../testkit/scratch.ts";
import { storeDigest } from "../../testkit/store-digest.ts";

/**
 * Small files of one run are stored in batches (src/analytics/ingest/batch.ts): the store, the files'
 * summaries and the failures are those of storing each file on its own (`batches: false`), in far fewer
 * transactions.
 */

const dir = scratchDir("deliverlens-ingest-batches-");
const corpus = "test/fixtures/sisimai/eml";
const events = "test/fixtures/events";

/**
 * Corpus mails: bounces of many MTAs (arf-11/12 with a JST date), and Exim reports of one event
 * read with and without a hint (a later file's duplicate gives the stored row its hint: the batch splits).
 */
const MAILS = [
  "arf-11.eml",
  "arf-12.eml",
  "lhost-courier-01.eml",
  "lhost-courier-03.eml",
  "lhost-exim-01.eml",
  "lhost-exim-04.eml",
  "lhost-exim-35.eml",
  "lhost-exim-39.eml",
  "lhost-exim-42.eml",
  "lhost-exim-43.eml",
  "lhost-exim-53.eml",
  "lhost-exim-44.eml",
  "lhost-postfix-01.eml",
  "lhost-postfix-02.eml",
  "lhost-gmail-04.eml",
  "lhost-gmail-01.eml",
  "lhost-einsundeins-03.eml",
  "rfc3464-01.eml",
];

/** A folder: mails, the same mail twice, logs between them, a report, a SendGrid export, a file of no format. */
function mixedFolder(): string {
  const folder = join(dir, "mixed");
  mkdirSync(folder, { recursive: true });
  const files: [string, string][] = MAILS.map((name, at) => [
    join(corpus, name),
    `${String(at).padStart(2, "0")}-${name}`,
  ]);
  files.push(
    [join(corpus, MAILS[4]), "20-again.eml"],
    [join(events, "postfix-01.log"), "21-maillog"],
    [join(corpus, MAILS[11]), "22-after-log.eml"],
    [join(events, "exim-01.log"), "23-exim_mainlog"],
    [join(events, "postfix-01.log"), "24-maillog-again"],
    [join(events, "sendgrid-01.json"), "25-sendgrid.json"],
    ["test/fixtures/bounce-email/dmarc-aggregate.eml", "26-dmarc.eml"],
    [join(corpus, MAILS[12]), "28-last.eml"],
  );
  for (const [from, name] of files) copyFileSync(from, join(folder, name));
  writeFileSync(join(folder, "27-noise.bin"), Buffer.from([0, 1, 2, 255, 254, 0, 7, 9]));
  // Bounces with no usable time (a Date: nothing reads, no Received:): quarantined.
  for (const at of [29, 30, 31])
    writeFileSync(join(folder, `${at}-undated.eml`), undatedBounce(`u${at}@example.net`));
  return folder;
}

/** A delivery-status notice for `recipient` whose only date cannot be read. */
function undatedBounce(recipient: string): string {
  return [
    "From: MAILER-DAEMON@mx.example.org",
    "To: sender@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "Date: the day after tomorrow",
    `Message-ID: <undated-${recipient}>`,
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    "Your message could not be delivered.",
    "--b",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.org",
    "",
    `Final-Recipient: rfc822; ${recipient}`,
    "Action: failed",
    "Status: 5.1.1",
    "Diagnostic-Code: smtp; 550 5.1.1 user unknown",
    "--b--",
    "",
  ].join("\r\n");
}

const folder = mixedFolder();
const paths = readdirSync(folder)
  .sort()
  .map((name) => join(folder, name));

interface Run {
  result: IngestInputsResult;
  /** md5 of each table and view of the store but those `but` names. */
  digest: Record<string, string>;
  /**
   * `but` "rows": md5 of `event_rows` but the reply codes and statuses a file may leave to the view
   * (derived_from_reply); "events": of the `events` view but the source line (DuckDB's NDJSON reader numbers
   * no line; the parsers do).
   */
  butDigest: string | null;
  transactions: number;
}

/** What a test compares of two stores: all, all but `event_rows` (and `files`), or also but `events`. */
type But = "rows" | "events" | null;

const LEFT_OUT: Record<"rows" | "events", string[]> = {
  rows: ["event_rows", "files"],
  events: ["event_rows", "events", "files"],
};

/**
 * One ingest of `paths` into a fresh store, digested as `but` says; `failFirst`: the run's first transaction
 * fails.
 */
async function ingest(
  name: string,
  batches: boolean,
  failFirst = false,
  inputs = paths,
  but: But = null,
): Promise<Run> {
  const store = await Store.open(join(dir, `${name}.duckdb`));
  let transactions = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = async (work) => {
    transactions++;
    if (failFirst && transactions === 1)
      return transaction(async () => {
        await work();
        throw new Error("the disk is full");
      });
    return transaction(work);
  };
  try {
    const result = await ingestInputs(store, inputs, {
      batches,
      describeFailure: (error) => String(error),
    });
    const md5 = async (sql: string) =>
      createHash("md5")
        .update(
          JSON.stringify(await store.all(sql), (_, value) =>
            typeof value === "bigint" ? String(value) : value,
          ),
        )
        .digest("hex");
    const butDigest =
      but === "rows"
        ? await md5("SELECT * EXCLUDE (reply_code, status) FROM event_rows ORDER BY ALL")
        : but === "events"
          ? await md5("SELECT * EXCLUDE (line) FROM events ORDER BY ALL")
          : null;
    const digest = await storeDigest(store, but === null ? [] : LEFT_OUT[but]);
    return { result, digest, butDigest, transactions };
  } finally {
    store.close();
  }
}

/** The files' summaries but their timing. */
const untimed = (run: Run) => run.result.files.map((file) => ({ ...file, seconds: 0 }));

const alone = await ingest("alone", false);

test("a folder stored in batches is the store, summaries and failures of its files stored one by one", async () => {
  const batched = await ingest("batched", true);
  assert.deepEqual(batched.digest, alone.digest);
  assert.deepEqual(untimed(batched), untimed(alone));
  assert.deepEqual(batched.result.failures, alone.result.failures);
  assert.deepEqual(batched.result.reports, alone.result.reports);
  // What the comparison covers: quarantined rows, a repeated mail, a file of no format, a report.
  const file = (name: string) => alone.result.files.find((f) => f.path.endsWith(name));
  assert.ok(alone.result.files.reduce((sum, f) => sum + f.quarantined, 0) >= 3);
  assert.deepEqual(
    [file("20-again.eml")?.stored, file("20-again.eml")?.duplicates],
    [0, file("04-lhost-exim-01.eml")?.stored],
  );
  assert.deepEqual(
    alone.result.failures.map((f) => f.path),
    [join(folder, "27-noise.bin")],
  );
  assert.equal(alone.result.reports.length, 1);
  // One by one, two transactions a file (its rows, then their settle: ingest.ts loadFile); in batches, far fewer.
  // (The SendGrid export, a pretty-printed array, took a third until DuckDB's reader of any JSON layout read it:
  // its line reader's attempt failed.)
  assert.equal(alone.transactions, 2 * alone.result.files.length);
  assert.ok(
    batched.transactions <= alone.transactions / 2,
    `${batched.transactions} transactions for ${alone.result.files.length} files`,
  );
});

test("a batch that fails to store is stored again file by file: no file is lost", async () => {
  const failed = await ingest("failed", true, true);
  assert.deepEqual(failed.digest, alone.digest);
  assert.deepEqual(untimed(failed), untimed(alone));
  assert.deepEqual(failed.result.failures, alone.result.failures);
});

/**
 * A delivery-status notice (`id` its Message-ID) that reports `recipient` twice, refused with two replies:
 * one event (its identity is the report's: src/pipeline/report-identity.ts) in two records of one line.
 */
function reportingTwice(id: string, recipient: string, others = 0): string {
  const recipients = [recipient, ...Array.from({ length: others }, (_, at) => `r${at}-${recipient}`)];
  return [
    "From: MAILER-DAEMON@mx.example.org",
    "To: sender@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Tue, 3 Mar 2026 10:00:00 +0000",
    `Message-ID: <${id}@mx.example.org>`,
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    "",
    "--b",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.org",
    ...["550 5.1.1 user unknown", "552 5.2.2 mailbox full", "554 5.7.1 rejected"].flatMap((reply) =>
      recipients.flatMap((to) => [
        "",
        `Final-Recipient: rfc822; ${to}`,
        "Action: failed",
        `Status: ${reply.split(" ")[1]}`,
        `Diagnostic-Code: smtp; ${reply}`,
      ]),
    ),
    "--b--",
    "",
  ].join("\n");
}

test("of a report's records of one event, the first is stored, alone, in a batch and in an mbox", async () => {
  const folder = join(dir, "twice");
  mkdirSync(folder, { recursive: true });
  const inputs = MAILS.map((name, at) => {
    const to = join(folder, `${String(at).padStart(2, "0")}-${name}`);
    copyFileSync(join(corpus, name), to);
    return to;
  });
  const eml = join(folder, "10-twice.eml");
  writeFileSync(eml, reportingTwice("twice-eml", "eml@example.net", 99));
  // An mbox: a mail before the report and after it (each record's line is its message's).
  const mbox = join(folder, "11-twice.mbox");
  const mail = (name: string) => readFileSync(join(corpus, name), "utf8").replace(/^From /gm, ">From ");
  writeFileSync(
    mbox,
    [mail(MAILS[0]), reportingTwice("twice-mbox", "mbox@example.net", 99), mail(MAILS[1])]
      .map((text) => `From MAILER-DAEMON Tue Mar  3 10:00:00 2026\n${text.trimEnd()}\n\n`)
      .join(""),
  );
  inputs.splice(10, 0, eml, mbox);
  for (const [name, batches, files] of [
    ["twice-alone", false, inputs],
    ["twice-batched", true, inputs],
    ["twice-eml", true, [eml]],
    ["twice-mbox", false, [mbox]],
  ] as const) {
    const store = await Store.open(join(dir, `${name}.duckdb`));
    try {
      const result = await ingestInputs(store, files, { batches, describeFailure: String });
      // Each of the 100 recipients keeps its first record's reply.
      const rows = await store.all<{ report: string; reply: string; n: number }>(
        `SELECT regexp_extract(recipient, '(eml|mbox)@', 1) AS report, reply, count(*)::INTEGER AS n
        FROM events WHERE regexp_matches(recipient, '(eml|mbox)@example[.]net$') GROUP BY ALL ORDER BY ALL`,
      );
      const first = (report: string) => ({ report, reply: "550 5.1.1 user unknown", n: 100 });
      const expected = [
        ...(files.includes(eml) ? [first("eml")] : []),
        ...(files.includes(mbox) ? [first("mbox")] : []),
      ];
      assert.deepEqual(rows, expected, name);
      const summary = result.files.find((file) => file.path === eml);
      if (summary)
        assert.deepEqual([summary.read, summary.stored, summary.duplicates], [300, 100, 200], name);
    } finally {
      store.close();
    }
  }
});

/**
 * A folder of SendGrid webhook POST bodies (a JSON array of events each, `files` of them) from a generated
 * program, a lone SendGrid export among mails, and a second folder of POSTs after the mails.
 */
function webhookFolder(): string[] {
  const folder = join(dir, "webhooks");
  mkdirSync(folder, { recursive: true });
  const lines: string[] = [];
  for (const event of generateEvents(planProgram(programOptions({ days: 10, recipients: 200, seed: 3 }))))
    lines.push(sendgridLine(event).trimEnd());
  const write = (name: string, records: string[]) => {
    writeFileSync(join(folder, name), `[${records.join(",")}]`);
    return join(folder, name);
  };
  const posts = (prefix: string, from: number, files: number) =>
    Array.from({ length: files }, (_, at) =>
      write(`${prefix}-${at}.json`, lines.slice(from + at * 30, from + (at + 1) * 30)),
    );
  // The last POST repeats a record of the first: a duplicate across files of one batch.
  const last = write("b-repeat.json", [lines[0], ...lines.slice(900, 910)]);
  return [
    ...posts("a", 0, 12),
    join(corpus, MAILS[0]),
    write("lone.json", lines.slice(400, 430)),
    join(corpus, MAILS[1]),
    ...posts("b", 500, 6),
    last,
  ];
}

test("webhook POSTs DuckDB would read one by one are read by the parsers in batches: the same views", async () => {
  const inputs = webhookFolder();
  const alone = await ingest("posts-alone", false, false, inputs, "rows");
  const batched = await ingest("posts-batched", true, false, inputs, "rows");
  // Read by DuckDB alone, a file leaves reply codes and statuses the view derives unset in `event_rows`
  // (files.derived_from_reply); every view and other table is the same.
  assert.deepEqual(batched.digest, alone.digest);
  assert.ok("events" in batched.digest);
  // And the rows are, but those two columns.
  assert.equal(batched.butDigest, alone.butDigest);
  const unread = (run: Run) => untimed(run).map(({ reader: _, ...file }) => file);
  assert.deepEqual(unread(batched), unread(alone));
  // The lone export is DuckDB's as before; the POSTs are read in two batches.
  assert.deepEqual(
    batched.result.files.map((file) => file.reader),
    inputs.map((path) => (path.endsWith("lone.json") ? "duckdb" : "parsers")),
  );
  assert.equal(alone.result.files.find((file) => file.path.endsWith("b-repeat.json"))?.duplicates, 1);
  assert.deepEqual(batched.result.failures, []);
  assert.ok(batched.transactions <= 6, `${batched.transactions} transactions for ${inputs.length} files`);
});

test("hourly exports over 1 MiB (a folder of rotated files) join a batch too: one transaction, the store file by file gives", async () => {
  const folder = join(dir, "hourly");
  mkdirSync(folder, { recursive: true });
  const lines: string[] = [];
  for (const event of generateEvents(planProgram(programOptions({ days: 4, recipients: 5000, seed: 5 }))))
    lines.push(sendgridLine(event).trimEnd());
  const half = Math.ceil(lines.length / 2);
  const inputs = [lines.slice(0, half), lines.slice(half)].map((records, at) => {
    const path = join(folder, `events-${at}.ndjson`);
    writeFileSync(path, `${records.join("\n")}\n`);
    return path;
  });
  for (const path of inputs) {
    const size = readFileSync(path).length;
    assert.ok(size > 1024 * 1024 && size <= 4 * 1024 * 1024, `${path}: ${size} bytes`);
  }
  const alone = await ingest("hourly-alone", false, false, inputs);
  const batched = await ingest("hourly-batched", true, false, inputs);
  // DuckDB's NDJSON reader reads each file alone, and both in one read in a batch: the same store.
  assert.deepEqual(batched.digest, alone.digest);
  assert.deepEqual(
    batched.result.files.map((file) => [file.read, file.stored]),
    alone.result.files.map((file) => [file.read, file.stored]),
  );
  assert.deepEqual(
    batched.result.files.map((file) => file.reader),
    ["duckdb", "duckdb"],
  );
  assert.equal(batched.transactions, 1);
});

/** Mailgun Events API pages (`{items, paging}`, pretty-printed) of a generated program in `folder`: 4 of 25 events, the last repeating one of the first. */
function mailgunPages(folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  const events: unknown[] = [];
  for (const event of generateEvents(planProgram(programOptions({ days: 3, recipients: 60, seed: 7 })))) {
    const line = FORMAT_WRITERS.mailgun.line(realistic(event));
    if (line) events.push(JSON.parse(line)["event-data"]);
    if (events.length === 100) break;
  }
  const pages = [0, 1, 2, 3].map((at) => events.slice(at * 25, (at + 1) * 25));
  pages[3].push(events[0]);
  return pages.map((items, at) => {
    const path = join(folder, `page-${at}.json`);
    writeFileSync(
      path,
      `${JSON.stringify({ items, paging: { next: `https://api.mailgun.net/v3/x/events/${at + 1}` } }, null, 2)}\n`,
    );
    return path;
  });
}

test("small files DuckDB reads alike (API pages) are read by one DuckDB read in a batch: the store file by file gives; a bad record sends the batch to the parsers", async () => {
  const inputs = mailgunPages(join(dir, "pages"));
  const alone = await ingest("pages-alone", false, false, inputs);
  const batched = await ingest("pages-batched", true, false, inputs);
  assert.deepEqual(batched.digest, alone.digest);
  assert.deepEqual(untimed(batched), untimed(alone));
  assert.deepEqual(
    batched.result.files.map((file) => [file.reader, file.duplicates]),
    [...inputs.map(() => ["duckdb", 0]).slice(0, 3), ["duckdb", 1]],
  );
  assert.equal(batched.transactions, 1);
  // A page (pretty-printed, as the others: one read) holding an element that is no object: the parsers read the
  // whole batch, and quarantine it.
  const bad = join(dir, "pages", "page-9.json");
  const { items } = JSON.parse(readFileSync(inputs[0], "utf8"));
  writeFileSync(bad, JSON.stringify({ items: [items[1], 5] }, null, 2));
  const withBad = [...inputs, bad];
  const badAlone = await ingest("bad-pages-alone", false, false, withBad, "events");
  const badBatched = await ingest("bad-pages-batched", true, false, withBad, "events");
  assert.deepEqual(badBatched.digest, badAlone.digest);
  assert.equal(badBatched.butDigest, badAlone.butDigest);
  const unread = (run: Run) => untimed(run).map(({ reader: _, ...file }) => file);
  assert.deepEqual(unread(badBatched), unread(badAlone));
  assert.deepEqual(
    badBatched.result.files.map((file) => [file.reader, file.quarantined]),
    [...inputs.map(() => ["parsers", 0]), ["parsers", 1]],
  );
  assert.deepEqual(
    badBatched.result.files.map((file) => file.duplicates),
    [0, 0, 0, 1, 1],
  );
});
