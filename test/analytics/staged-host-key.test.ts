import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { STORED_REPLY_KEY_SQL } from "../../src/analytics/ingest/finalize.ts";
import { ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { storedHostKey } from "../../src/analytics/ingest/staging.ts";
import { hostKeySql, KEYED_HOST_NAMES } from "../../src/bounce/rules/host-key.ts";
import { Store } from "../../src/store/index.ts";
import { sqlString } from "../../src/util/sql.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * The JS parsers stage a failure's remote MTA as its reply key reads it (storedHostKey), where DuckDB's readers
 * leave it to hostKeySql: the two must give one key, or one reply would be classified twice under two keys.
 */

const dir = scratchDir("staged-host-key");

test("storedHostKey gives hostKeySql's key: none, plain hosts of the tables and others, bare IPs, odd texts", async () => {
  const mtas = [
    ...KEYED_HOST_NAMES.slice(0, 40).flatMap((name) => [name, `mx1.${name}[192.0.2.1]:25`, `dns; ${name}`]),
    "mx.example.org[192.0.2.1]:25",
    "MX.Example.ORG",
    "relay.example.net.",
    "[192.0.2.1]",
    "[192.0.2.1]:25",
    "192.0.2.1",
    "localhost",
    "private/smtp",
    "mx.gmail.com/x",
    "ＭＸ.gmail.com",
    "İ.example.org",
    "dns \u00a0;mx.gmail.com",
    "DNS ; mx.gmail.com",
    " mx.example.org",
    "",
  ];
  const store = await Store.open(":memory:");
  try {
    const values = mtas.map((mta, i) => `(${i}, ${sqlString(mta)})`).join(", ");
    const rows = await store.all<{ key: string }>(
      `SELECT ${hostKeySql("m")} AS key FROM (VALUES ${values}, (${mtas.length}, NULL)) v(i, m) ORDER BY i`,
    );
    assert.deepEqual(
      [...mtas, null].map((mta) => storedHostKey(mta)),
      rows.map((row) => row.key),
    );
  } finally {
    store.close();
  }
});

test("a log ingested by the parsers stores the reply keys the stored-row recipe gives (hostKeySql in SQL)", async () => {
  const hosts = [
    "mx.example.org[192.0.2.1]:25",
    "alt1.gmail-smtp-in.l.google.com[192.0.2.2]:25",
    "[192.0.2.3]:25",
  ];
  const lines = hosts.flatMap((relay, n) => {
    const head = `Jan  5 08:00:0${n} mx postfix/smtp[7]: ${(0x1a0 + n).toString(16).toUpperCase()}B2: to=<u${n}@example.org>, relay=${relay}, delay=1, delays=0/0/0/1`;
    return [
      `${head}, dsn=5.7.1, status=bounced (host x said: 550 5.7.1 rejected by policy (in reply to end of DATA command))`,
      `${head}, dsn=4.7.0, status=deferred (host x said: 421 4.7.0 try later (in reply to RCPT TO command))`,
      `${head}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC${n})`,
    ];
  });
  const path = join(dir, "maillog");
  writeFileSync(path, `${lines.join("\n")}\n`);
  const store = await Store.open(join(dir, "store.duckdb"));
  try {
    const result = await ingestInputs(store, [path], { format: "postfix", describeFailure: String });
    assert.deepEqual(result.failures, []);
    const rows = await store.all<{ stored: string; again: string }>(
      `SELECT reply_key AS stored, ${STORED_REPLY_KEY_SQL} AS again FROM event_rows s WHERE reply_key IS NOT NULL`,
    );
    assert.equal(rows.length, 6);
    for (const row of rows) assert.equal(row.stored, row.again);
    // Three hosts of three keys each way: gmail's, a plain other's and a bare IP's.
    assert.equal(new Set(rows.map((row) => row.stored)).size, 6);
  } finally {
    store.close();
  }
});
