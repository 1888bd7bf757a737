import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { duckdbMayRead, ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { detectFormat } from "../../src/events/detect.ts";
import type { FormatName } from "../../src/events/formats.ts";
import { openInput } from "../../src/events/index.ts";
import { classifyEventStream } from "../../src/pipeline/index.ts";
import { Store } from "../../src/store/index.ts";
import { writeSmallProgram } from "../../testkit/analytics-program.ts";

/**
 * Issue 11's "one classification path": every input read by `classify` and stored by `ingest` (DuckDB's
 * readers and the JS parsers) gets the same reason, category and provider code for every event.
 */
const FIXTURES = fileURLToPath(new URL("../fixtures/events/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deliverlens-one-path-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A deferral that later expires, in a full log and grep'd: `expired` in classify and in the store. */
const EXPIRY_LOG = [
  "Jan  5 08:00:00 mta1 postfix/qmgr[2101]: 4F2A1B3C9D: from=<news@mail.example.net>, size=2000, nrcpt=3 (queue active)",
  "Jan  5 08:00:01 mta1 postfix/smtp[3001]: 4F2A1B3C9D: to=<ann@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.23]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=4.7.1, status=deferred (host mx01.mail.icloud.com[17.57.155.23] said: 421 4.7.1 [HM08] Message from (192.0.2.10) temporarily deferred. 8f3a9b2c11d0e4f5 (in reply to RCPT TO command))",
  "Jan  5 08:00:01 mta1 postfix/smtp[3001]: 4F2A1B3C9D: to=<bob@example-corp.com>, relay=mx.example-corp.com[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=4.4.1, status=deferred (connect to mx.example-corp.com[198.51.100.7]:25: Connection timed out)",
  // Postfix's generic access(5) DEFER text, until the queue gave up (review R75's probe p18).
  "Jan  5 08:00:02 mta1 postfix/smtp[3001]: 4F2A1B3C9D: to=<cal@example-shop.org>, relay=mx.example-shop.org[198.51.100.9]:25, delay=2.2, delays=0.1/0/0.5/1.6, dsn=4.7.1, status=deferred (host mx.example-shop.org[198.51.100.9] said: 450 4.7.1 <cal@example-shop.org>: Recipient address rejected: Access denied (in reply to RCPT TO command))",
  "Jan  9 20:00:00 mta1 postfix/qmgr[2101]: 4F2A1B3C9D: from=<news@mail.example.net>, status=expired, returned to sender",
  "Jan  9 20:00:00 mta1 postfix/qmgr[2101]: 4F2A1B3C9D: removed",
];

function inputs(): { path: string; format: FormatName }[] {
  const found: { path: string; format: FormatName }[] = [];
  for (const name of readdirSync(FIXTURES).filter((n) => n !== "README.md")) {
    found.push({ path: join(FIXTURES, name), format: detectFormatOf(join(FIXTURES, name)) });
  }
  const full = join(dir, "expiry.log");
  writeFileSync(full, `${EXPIRY_LOG.join("\n")}\n`);
  const grepped = join(dir, "expiry-grepped.log");
  writeFileSync(grepped, `${EXPIRY_LOG.filter((line) => line.includes("status=")).join("\n")}\n`);
  found.push({ path: full, format: "postfix" }, { path: grepped, format: "postfix" });
  return found;
}

type Verdict = string;
const verdict = (
  recipient: string | null,
  timeMs: number,
  reason: unknown,
  category: unknown,
  code: unknown,
) =>
  `${recipient?.trim().toLowerCase()} ${new Date(timeMs).toISOString()} ${reason} ${category} ${code ?? "-"}`;

async function classified(path: string, format: FormatName): Promise<Verdict[]> {
  const out = new Set<Verdict>();
  for await (const batch of classifyEventStream(openInput(path), format, path, { year: 2026 })) {
    for (const item of batch) {
      if (!("reason" in item) || item.time === null) continue;
      out.add(verdict(item.recipient, Date.parse(item.time), item.reason, item.category, item.providerCode));
    }
  }
  return [...out].sort();
}

/**
 * How `ingest` may read a file of `format`: DuckDB's readers (fastPath) where the format has one, and the
 * parsers. A format DuckDB's readers do not take is read by the parsers either way — the same run: once.
 */
const readersOf = (format: FormatName): boolean[] => (duckdbMayRead(format, {}) ? [true, false] : [false]);

async function stored(path: string, format: FormatName, fastPath: boolean): Promise<Verdict[]> {
  const store = await Store.open(":memory:");
  try {
    await ingestFile(store, path, { format, year: 2026, fastPath });
    const rows = await store.all<Record<string, unknown>>(
      `SELECT recipient, epoch_ms(time) AS ms, reason, category, provider_code FROM events
       WHERE type IN ('bounced', 'deferred', 'dropped', 'complaint')`,
    );
    const out = new Set(
      rows.map((r) =>
        verdict(r.recipient as string | null, Number(r.ms), r.reason, r.category, r.provider_code),
      ),
    );
    return [...out].sort();
  } finally {
    store.close();
  }
}

test("classify and ingest classify every event of every format alike (reason, category, provider code)", async () => {
  const written = await writeSmallProgram("by-stream", { recipients: 2500, days: 21 });
  try {
    const all = [...inputs(), ...written.files.map((path) => ({ path, format: detectFormatOf(path) }))];
    let compared = 0;
    for (const { path, format } of all) {
      const expected = await classified(path, format);
      for (const fastPath of readersOf(format)) {
        const actual = await stored(path, format, fastPath);
        assert.deepEqual(actual, expected, `${path} (${fastPath ? "DuckDB readers" : "JS parsers"})`);
      }
      compared += expected.length;
    }
    assert.ok(compared > 100, `compared ${compared} events`);
  } finally {
    rmSync(written.dir, { recursive: true, force: true });
  }
});

test("a grep'd Postfix deferral that later expires bounces with the expiry hint in classify and in the store", async () => {
  const grepped = inputs().find((input) => input.path.endsWith("expiry-grepped.log"))!;
  const expected = await classified(grepped.path, "postfix");
  const expiries = expected.filter((v) => v.includes("2026-01-09T20:00:00.000Z"));
  assert.equal(expiries.length, 3, expected.join("\n"));
  // The bare timeout is classified by the hint (a reply that names its cause keeps that cause: HM08).
  assert.ok(
    expiries.some((v) => v.startsWith("bob@example-corp.com") && / expired transient /.test(v)),
    expiries.join("\n"),
  );
  assert.ok(
    expiries.some((v) => v.startsWith("ann@icloud.com") && / HM08$/.test(v)),
    expiries.join("\n"),
  );
  // Words Sisimai probes before an MTA's expiry (reason/lib.go: `expired` is a retried reason, UserUnknown a
  // ClassOrder[0] probe) keep their reason; the 4xx keeps it transient (review R75, docs/CLASSIFICATION.md).
  assert.ok(
    expiries.some((v) => v.startsWith("cal@example-shop.org") && / userunknown transient /.test(v)),
    expiries.join("\n"),
  );
  assert.deepEqual(await stored(grepped.path, "postfix", false), expected);
});

function detectFormatOf(path: string): FormatName {
  const head = readFileHead(path);
  const format = detectFormat(head, path);
  if (!format) throw new Error(`no format for ${path}`);
  return format;
}

function readFileHead(path: string): string {
  return readFileSync(path, "utf8").slice(0, 65536);
}

/**
 * Pairs of recipients with the same reply through the same relay whose verdicts differ only by the recipient's
 * domain: NTT docomo's table reads docomo.ne.jp's 5.2.0 as its reception filter (also written with a root
 * dot), Yahoo's rules apply to its label domains (yahoo.com.ar) and Google's to subdomains of gmail.com, where
 * the store's exact provider list says "other" as it does for example.org.
 */
const SINGLED_OUT_PAIRS = [
  {
    dsn: "5.2.0",
    status: "bounced",
    // At RCPT TO (after DATA an unknown user is a filter's refusal for any domain: smtp-phase.ts).
    reply: "550 Unknown user (in reply to RCPT TO command)",
    domain: "docomo.ne.jp",
  },
  {
    dsn: "5.2.0",
    status: "bounced",
    reply: "550 Unknown user (in reply to RCPT TO command)",
    domain: "docomo.ne.jp.",
  },
  {
    // Yahoo's own words for a disabled account ("421 Max message per connection reached" reads ratelimited for
    // any domain since review R130: a receiver's cap says what it is).
    dsn: "5.0.0",
    status: "bounced",
    reply: "554 delivery error: dd ****@yahoo.com is no longer valid. (in reply to RCPT TO command)",
    domain: "yahoo.com.ar",
  },
  {
    // A Google host table's phrase in words that name no provider (Gmail's own sentences name Google for any domain).
    dsn: "4.7.0",
    status: "deferred",
    reply: "421 4.7.0 Try again later, closing connection. (in reply to end of DATA command)",
    domain: "sub.gmail.com",
  },
];

for (const pair of SINGLED_OUT_PAIRS) {
  test(`a recipient domain the classifier singles out (${pair.domain}) keeps its own verdict in classify and in the store, whatever comes first`, async () => {
    const at = (qid: string, rcpt: string) =>
      `Feb  2 12:01:09 mail postfix/smtp[123]: ${qid}: to=<${rcpt}>, relay=mx.example.net[192.0.2.1]:25, delay=1.3, delays=0/0/0.4/0.9, dsn=${pair.dsn}, status=${pair.status} (host mx.example.net[192.0.2.1] said: ${pair.reply})`;
    const write = (name: string, lines: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, `${lines.join("\n")}\n`);
      return path;
    };
    const singled = at("Q0001", `u6@${pair.domain}`);
    const other = at("Q0002", "u40@example.org");
    const alone = [
      ...(await classified(write("singled.log", [singled]), "postfix")),
      ...(await classified(write("other.log", [other]), "postfix")),
    ].sort();
    assert.notEqual(
      alone[0].split(" ").slice(2).join(" "),
      alone[1].split(" ").slice(2).join(" "),
      alone.join("\n"),
    );
    for (const lines of [
      [singled, other],
      [other, singled],
    ]) {
      const path = write("both.log", lines);
      assert.deepEqual(await classified(path, "postfix"), alone);
      for (const fastPath of readersOf("postfix"))
        assert.deepEqual(await stored(path, "postfix", fastPath), alone);
    }
  });
}

test("an event's reply code is what the store keeps: the source's, else the one its reply leads with (review R95)", async () => {
  const line = (qid: string, rcpt: string, dsn: string, status: string, reply: string) =>
    `Jan  5 14:11:38 mta1 postfix/smtp[3032]: ${qid}: to=<${rcpt}>, relay=mx.example-corp.com[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=${dsn}, status=${status} (host mx.example-corp.com[198.51.100.7] said: ${reply} (in reply to end of DATA command))`;
  const path = join(dir, "r95.log");
  writeFileSync(
    path,
    `${[
      line(
        "Pjv0n0dzQSgm64",
        "a@example-corp.com",
        "2.0.0",
        "sent",
        "status=sent 250 2.0.0 Ok: queued as F427462886AC",
      ),
      line("GhYDB81MrDQ3pn", "b@example-corp.com", "2.0.0", "sent", "250 2.0.0 Ok: queued as F427462886AD"),
      line("Pjv0n0dzQSgm65", "c@example-corp.com", "5.1.1", "bounced", "status=sent 550 5.1.1 User unknown"),
      line("Pjv0n0dzQSgm66", "d@example-corp.com", "5.1.1", "bounced", "550 5.1.1 User unknown"),
    ].join("\n")}\n`,
  );
  const shown: string[] = [];
  for await (const batch of classifyEventStream(openInput(path), "postfix", path, {
    year: 2026,
    all: true,
  })) {
    for (const item of batch) if ("reason" in item) shown.push(`${item.recipient} ${item.replyCode ?? "-"}`);
  }
  assert.deepEqual(shown.sort(), [
    "a@example-corp.com -",
    "b@example-corp.com 250",
    "c@example-corp.com -",
    "d@example-corp.com 550",
  ]);
  for (const fastPath of readersOf("postfix")) {
    const store = await Store.open(":memory:");
    try {
      await ingestFile(store, path, { format: "postfix", year: 2026, fastPath });
      const rows = await store.all<{ recipient: string; reply_code: number | null }>(
        "SELECT recipient, reply_code FROM events",
      );
      assert.deepEqual(rows.map((r) => `${r.recipient} ${r.reply_code ?? "-"}`).sort(), shown.sort());
    } finally {
      store.close();
    }
  }
});

/** Each event's status as `classify --all` shows it and as the store keeps it (both readers), by recipient. */
async function statuses(path: string, format: FormatName): Promise<{ shown: string[]; stored: string[][] }> {
  const shown: string[] = [];
  for await (const batch of classifyEventStream(openInput(path), format, path, { year: 2026, all: true }))
    for (const item of batch) if ("reason" in item) shown.push(`${item.recipient} ${item.status ?? "-"}`);
  const stored: string[][] = [];
  for (const fastPath of readersOf(format)) {
    const store = await Store.open(":memory:");
    try {
      await ingestFile(store, path, { format, year: 2026, fastPath });
      const rows = await store.all<{ recipient: string; status: string | null }>(
        "SELECT recipient, status FROM events WHERE type <> 'sent'",
      );
      stored.push(rows.map((r) => `${r.recipient} ${r.status ?? "-"}`).sort());
    } finally {
      store.close();
    }
  }
  return { shown: shown.sort(), stored };
}

test("an event's status is what the store keeps: its reader's, never one the classifier found further in (R95's status half)", async () => {
  const line = (qid: string, rcpt: string, dsn: string | null, status: string, reply: string) =>
    `Jan  5 14:11:38 mta1 postfix/smtp[3032]: ${qid}: to=<${rcpt}>, relay=mx.example-corp.com[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.5/0.6,${dsn === null ? "" : ` dsn=${dsn},`} status=${status} (host mx.example-corp.com[198.51.100.7] said: ${reply} (in reply to RCPT TO command))`;
  const log = join(dir, "status.log");
  writeFileSync(
    log,
    `${[
      line("Pjv0n0dzQSgm70", "a@example-corp.com", null, "bounced", "550 5.1.1 User unknown"),
      line("Pjv0n0dzQSgm71", "b@example-corp.com", "5.x", "bounced", "x said: 550 5.7.1 blocked by policy"),
      line("Pjv0n0dzQSgm72", "c@example-corp.com", "", "bounced", "554 note 4.4.7 then 5.7.1 refused"),
      line("Pjv0n0dzQSgm73", "d@example-corp.com", "5.1.1", "bounced", "550 5.1.1 User unknown"),
      line(
        "Pjv0n0dzQSgm74",
        "e@example-corp.com",
        null,
        "sent",
        "status=sent 250 2.0.0 Ok: queued as F4274628",
      ),
    ].join("\n")}\n`,
  );
  const ndjson = join(dir, "status.jsonl");
  const event = (recipient: string, type: string, reply: string) =>
    JSON.stringify({ time: "2026-05-01T10:00:00Z", recipient, type, reply });
  writeFileSync(
    ndjson,
    `${[
      event("f@example.com", "bounced", "x said: 550 5.7.1 blocked by policy"),
      event("g@example.com", "deferred", "421 note 4.4.7 then 4.7.0 try later"),
      event("h@example.com", "bounced", "550 5.1.1 user unknown"),
      event("i@example.com", "delivered", "250 ok queued, status 2.0.0"),
    ].join("\n")}\n`,
  );
  for (const [path, format] of [
    [log, "postfix"],
    [ndjson, "ndjson"],
  ] as const) {
    const { shown, stored } = await statuses(path, format);
    for (const kept of stored) assert.deepEqual(shown, kept, path);
  }
  // Shown: the reader's status (NDJSON's leading one), not the 5.7.1 or 4.7.0 the classifier reads further in.
  const { shown } = await statuses(ndjson, "ndjson");
  assert.deepEqual(shown, ["f@example.com -", "g@example.com -", "h@example.com 5.1.1", "i@example.com -"]);
});
