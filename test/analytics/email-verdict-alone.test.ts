import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { readEmail } from "../../src/bounce/email/index.ts";
import { Store } from "../../src/store/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * Issue 11's one classification path for bounce emails (test/analytics/format-verdict-alone.test.ts holds it for
 * every other format): `ingest` of a folder of bounce emails and of an mbox of the same messages stores each
 * reported recipient as an event whose reason, category, provider code, permanence and classified provider are
 * those of its record when that one message is read alone (`readEmail`), whatever the store's reply keys took as a
 * shortcut across messages; and `classify` of the mbox gives each message's records as reading it alone does. The
 * messages are the reports real MTAs wrote on loopback (test/fixtures/mta-made: seven carriers, every third file),
 * whose replies repeat across carriers with different reports around them.
 */
const MADE = join(import.meta.dirname, "../fixtures/mta-made");
const dir = scratchDir("email-verdict-");

/** Each carrier's messages whose file names `pick` keeps (given each carrier's sorted names and their index). */
function madeMessages(pick: (name: string, i: number) => boolean): { name: string; raw: Buffer }[] {
  return readdirSync(MADE)
    .filter((carrier) => !carrier.includes("."))
    .flatMap((carrier) =>
      readdirSync(join(MADE, carrier))
        .filter((name) => name.endsWith(".eml"))
        .sort()
        .filter(pick)
        .map((name) => ({ name: `${carrier}-${name}`, raw: readFileSync(join(MADE, carrier, name)) })),
    );
}

const MESSAGES = madeMessages((_, i) => i % 3 === 0);

interface Verdict {
  reason: string;
  category: string;
  providerCode: string | null;
  permanent: boolean;
  provider: string;
}

/** A message's records read alone, by recipient (lower case), vacation replies left out (no event). */
function alone(raw: Buffer, name: string): Map<string, Verdict[]> {
  const byRecipient = new Map<string, Verdict[]>();
  for (const record of readEmail(raw, name).records) {
    if (record.reason === "vacation") continue;
    const key = record.recipient?.toLowerCase() ?? "";
    const { reason, category, providerCode, permanent, provider } = record;
    byRecipient.set(key, [
      ...(byRecipient.get(key) ?? []),
      { reason, category, providerCode, permanent, provider },
    ]);
  }
  return byRecipient;
}

interface Row extends Verdict {
  path: string;
  line: number;
  recipient: string;
  type: string;
}

async function stored(paths: string[]): Promise<Row[]> {
  const store = await Store.open(":memory:");
  try {
    // As `ingest DIR` does: small files stored in batches, where one message's reply keys meet another's.
    const run = await ingestInputs(store, paths, { describeFailure: String });
    assert.deepEqual(run.failures, []);
    return await store.all<Row>(
      `SELECT f.path, e.line::INTEGER AS line, lower(e.recipient) AS recipient, e.type::VARCHAR AS type, e.reason, e.category,
         e.provider_code AS "providerCode", e.permanent, rc.provider
       FROM events e JOIN event_rows r USING (event_key) LEFT JOIN reply_classes rc ON rc.reply_key = r.reply_key
       JOIN files f ON f.file_id = e.file_id`,
    );
  } finally {
    store.close();
  }
}

/**
 * Each stored failure (bounced, deferred) carries the verdict of a record of its message read alone, every other
 * stored event (a success notice: the store classifies failures only) names a recipient its message reports, and
 * each record is stored once.
 */
function compare(
  rows: Row[],
  messageOf: (row: Row) => { name: string; raw: Buffer },
  messages: readonly { name: string; raw: Buffer }[] = MESSAGES,
): number {
  const want = new Map<string, Map<string, Verdict[]>>();
  const seen = new Map<string, number>();
  for (const row of rows) {
    const message = messageOf(row);
    let records = want.get(message.name);
    if (records === undefined) {
      records = alone(message.raw, message.name);
      want.set(message.name, records);
    }
    const candidates = records.get(row.recipient) ?? [];
    assert.ok(candidates.length > 0, `${message.name} ${row.recipient}: no record alone`);
    const key = `${message.name} ${row.recipient}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (row.type !== "bounced" && row.type !== "deferred") continue;
    const verdict: Verdict = {
      reason: row.reason,
      category: row.category,
      providerCode: row.providerCode,
      permanent: row.permanent,
      provider: row.provider,
    };
    assert.ok(
      candidates.some((candidate) => JSON.stringify(candidate) === JSON.stringify(verdict)),
      `${message.name} ${row.recipient}: stored ${JSON.stringify(verdict)}, alone ${JSON.stringify(candidates)}`,
    );
  }
  let records = 0;
  for (const message of messages) {
    for (const [recipient, verdicts] of want.get(message.name) ?? alone(message.raw, message.name)) {
      records += verdicts.length;
      assert.ok(seen.has(`${message.name} ${recipient}`), `${message.name} ${recipient}: not stored`);
    }
  }
  assert.equal(rows.length, records);
  return records;
}

test("ingest of a folder of bounce emails: each stored event is its record read alone", async () => {
  assert.ok(MESSAGES.length > 400, `${MESSAGES.length} messages`);
  const byPath = new Map<string, (typeof MESSAGES)[number]>();
  for (const message of MESSAGES) {
    const path = join(dir, message.name);
    writeFileSync(path, message.raw);
    byPath.set(path, message);
  }
  const rows = await stored([...byPath.keys()]);
  const records = compare(rows, (row) => {
    const message = byPath.get(row.path);
    assert.ok(message, row.path);
    return message;
  });
  assert.ok(records > 400, `${records} records`);
});

/**
 * Review s42 R119: a report damaged where its RFC 3464 Action line was (cut there, as a truncated download or
 * mailbox is) gives its records no action, and often no code or status. Such a record gave up: the store keeps it
 * as a bounce (src/pipeline/email-events.ts eventType), classified with a bounce's action, and read alone it is
 * classified so too (src/bounce/email/index.ts classifiedAction), with the action its event is stored by (a delayed
 * message its MTA dropped is `failed`) — `permanent` is one thing either way. Every carrier's expiry reports
 * (temporary failures, then giving up), cut before `Action:`, and with a NUL in their Content-Type header (review's
 * hostile forms).
 */
test("ingest of damaged expiry reports: each stored event is its record read alone", async () => {
  const expiries = madeMessages((name) => name.endsWith("-expired.eml"));
  // Each form in a store of its own: two forms of one report are one event.
  const forms: Record<string, (raw: Buffer) => Buffer | null> = {
    cut: (raw) => {
      const at = raw.indexOf("\nAction:");
      return at < 0 ? null : raw.subarray(0, at + 1);
    },
    // A NUL inside the message's first Content-Type header name: its parts are then read as plain text.
    nul: (raw) => {
      const at = raw.indexOf("Content-Type:");
      return at < 0 ? null : Buffer.concat([raw.subarray(0, at + 4), Buffer.from([0]), raw.subarray(at + 4)]);
    },
  };
  for (const [form, damage] of Object.entries(forms)) {
    const damaged = expiries.flatMap(({ name, raw }) => {
      const bytes = damage(raw);
      return bytes === null ? [] : [{ name: `${form}-${name}`, raw: bytes }];
    });
    assert.ok(damaged.length > 100, `${form}: ${damaged.length} reports`);
    const byPath = new Map(damaged.map((message) => [join(dir, message.name), message]));
    for (const [path, message] of byPath) writeFileSync(path, message.raw);
    const rows = await stored([...byPath.keys()]);
    compare(
      rows,
      (row) => {
        const message = byPath.get(row.path);
        assert.ok(message, row.path);
        return message;
      },
      damaged,
    );
    // The case itself: expiries stored as bounces with no code or status to say more.
    const bare = rows.filter((row) => row.type === "bounced" && row.reason === "expired");
    assert.ok(bare.length > 10, `${form}: ${bare.length}`);
  }
});

/** An mbox of the messages as a mail store writes one (a `From ` line before each, body `From ` lines quoted). */
function mbox(): { path: string; starts: number[] } {
  const parts: string[] = [];
  const starts: number[] = [];
  let line = 1;
  for (const message of MESSAGES) {
    const text = message.raw.toString("latin1").replace(/^From /gm, ">From ");
    const body = text.endsWith("\n") ? text : `${text}\n`;
    starts.push(line);
    const block = `From MAILER-DAEMON Mon Dec  7 02:00:00 2026\n${body}\n`;
    parts.push(block);
    line += block.split("\n").length - 1;
  }
  const path = join(dir, "bounces.mbox");
  writeFileSync(path, Buffer.from(parts.join(""), "latin1"));
  return { path, starts };
}

test("ingest of an mbox of the same messages: each stored event is its record read alone", async () => {
  const { path, starts } = mbox();
  const rows = await stored([path]);
  // Each message's rows carry where it starts: the i-th start line is the i-th message.
  const lines = [...new Set(rows.map((row) => row.line))].sort((a, b) => a - b);
  const index = (line: number) => {
    let i = starts.length - 1;
    while (i > 0 && starts[i] > line) i--;
    return i;
  };
  assert.ok(lines.every((line) => starts[index(line)] <= line && line <= starts[index(line)] + 1));
  compare(rows, (row) => MESSAGES[index(row.line)]);
});

test("classify of the mbox: each message's records are those it gives alone", async () => {
  const { path, starts } = mbox();
  const run = await spawnCli(["classify", "--ndjson", path]);
  assert.equal(run.status, 0, run.stderr);
  const got = new Map<number, Verdict[]>();
  for (const line of run.stdout.trim().split("\n")) {
    const record = JSON.parse(line);
    if (record.reason === "vacation") continue;
    let i = starts.length - 1;
    while (i > 0 && starts[i] > record.source.line) i--;
    const { reason, category, providerCode, permanent, provider } = record;
    got.set(i, [...(got.get(i) ?? []), { reason, category, providerCode, permanent, provider }]);
  }
  for (const [i, message] of MESSAGES.entries()) {
    const want = [...alone(message.raw, message.name).values()].flat();
    assert.deepEqual(got.get(i) ?? [], want, message.name);
  }
});
