import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { jsonRecord } from "../../src/bounce/render-output.ts";
import { classifyEventStream, EventClassifier } from "../../src/pipeline/classify-events.ts";
import { shardRecords } from "../../testkit/shard-records.ts";

/**
 * A grep'd Postfix log written by an independent writer (test/fixtures/independent-logs/pflog.py, from Postfix's
 * own log forms, not from this project's code): `conn_use=N`, varying delays, short and long queue ids, UTF-8
 * recipients, several recipients a message, `relay=none` connection and DNS failures, deferrals retried then
 * expired by the queue lifetime, provider replies. Its truth (one row per line) was written with the log.
 */
const DIR = join(import.meta.dirname, "../fixtures/independent-logs");
const LOG = join(DIR, "postfix-grep.log");
const lines = readFileSync(LOG, "utf8").split("\n");

interface Truth {
  line: number;
  queueId: string;
  /** The line's recipient; for an expiry, the recipients still deferred when the message expired. */
  recipients: string[];
  status: "sent" | "deferred" | "bounced" | "expired";
  dsn: string;
  /** Who answered: a provider's name, `google-workspace` / `microsoft-365` for hosted domains, else the MTA. */
  host: string;
}
const truth: Truth[] = readFileSync(join(DIR, "postfix-grep.truth.tsv"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((row) => {
    const [line, queueId, recipients, status, dsn, host] = row.split("\t");
    return {
      line: Number(line),
      queueId,
      recipients: recipients.split(",").filter(Boolean),
      status: status as Truth["status"],
      dsn,
      host,
    };
  });
/** The record's provider for each answering host the writer names (a domain's own MTA is no provider). */
const PROVIDER: Record<string, string> = {
  google: "google",
  "google-workspace": "google",
  yahoo: "yahoo",
  microsoft: "microsoft",
  "microsoft-365": "microsoft",
  apple: "apple",
  comcast: "comcast",
  gmx: "gmx",
};

interface Written {
  recipient: string;
  status: string | null;
  provider: string;
  reason: string;
  permanent: boolean;
  diagnostic: string | null;
  source: { line: number };
}

/** `classify --ndjson --all` as the CLI's threads read a big log: a chunk memory, lines on their bytes, lanes. */
const onBytes = shardRecords(LOG, new EventClassifier(), true, undefined, true, true);

async function streamed(all: boolean): Promise<string[]> {
  const out: string[] = [];
  const input = Readable.from([readFileSync(LOG)]);
  for await (const batch of classifyEventStream(input, "postfix", LOG, { all })) {
    for (const item of batch) if ("recipient" in item) out.push(jsonRecord(item));
  }
  return out;
}

test("independent log: the records are the same read on bytes with lanes, on a buffer without, and as events", async () => {
  assert.equal(onBytes.length, truth.length);
  assert.deepEqual(shardRecords(LOG, new EventClassifier(), true, undefined, false, false), onBytes);
  assert.deepEqual(await streamed(true), onBytes);
  const failures = shardRecords(LOG, new EventClassifier(), false, undefined, true, true);
  assert.deepEqual(
    failures,
    onBytes.filter((json) => JSON.parse(json).reason !== "delivered"),
  );
  assert.deepEqual(await streamed(false), failures);
});

test("independent log: one record per line as its truth says (recipient, DSN code, provider, delivered or not)", () => {
  const records = onBytes.map((json) => JSON.parse(json) as Written);
  const byLine = new Map<number, Written[]>();
  for (const record of records)
    byLine.set(record.source.line, [...(byLine.get(record.source.line) ?? []), record]);
  /** The diagnostic of each recipient's latest deferral (queue id + recipient). */
  const deferral = new Map<string, string>();
  const kinds = new Set<string>();
  for (const row of truth) {
    const got = byLine.get(row.line) ?? [];
    const where = `line ${row.line}: ${lines[row.line - 1].slice(0, 160)}`;
    kinds.add(row.status);
    if (row.status === "expired") {
      // qmgr's "status=expired, returned to sender": each recipient still deferred fails with its last reply
      assert.deepEqual(got.map((record) => record.recipient).sort(), [...row.recipients].sort(), where);
      for (const record of got) {
        assert.equal(record.diagnostic, deferral.get(`${row.queueId} ${record.recipient}`), where);
        assert.equal(record.permanent, false, where);
      }
      continue;
    }
    assert.equal(got.length, 1, where);
    const [record] = got;
    assert.equal(record.recipient, row.recipients[0], where);
    assert.equal(record.status, row.dsn, where);
    assert.equal(record.provider, PROVIDER[row.host] ?? "other", where);
    assert.equal(record.reason === "delivered", row.status === "sent", where);
    if (row.status === "deferred") {
      assert.equal(record.permanent, false, where);
      assert.ok(record.diagnostic, where);
      deferral.set(`${row.queueId} ${row.recipients[0]}`, record.diagnostic);
    }
  }
  assert.deepEqual([...kinds].sort(), ["bounced", "deferred", "expired", "sent"]);
});
