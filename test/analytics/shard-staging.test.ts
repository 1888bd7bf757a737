import assert from "node:assert/strict";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { insertFlagged } from "../../src/analytics/ingest/finalize.ts";
import { stageWithParsers } from "../../src/analytics/ingest/js-path.ts";
import { startsNoThreads } from "../../src/analytics/ingest/no-threads.ts";
import { stageShard } from "../../src/analytics/ingest/shard-rows.ts";
import { MIN_SHARDED_LOG_BYTES } from "../../src/analytics/ingest/shard-staging.ts";
import { newLineIndexMemory, SharedLineIndex } from "../../src/events/line-index.ts";
import { lineReader } from "../../src/events/read.ts";
import { newCounters } from "../../src/events/source.ts";
import { Store } from "../../src/store/index.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";
import { eximLog } from "../../testkit/exim-log.ts";
import { POSTFIX_EDGE_LINES } from "../../testkit/postfix-edge-log.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

/**
 * A big plain log is staged on two threads, each parsing half the messages, both feeding the one pipe the
 * insert reads (or a file each: src/analytics/ingest/shard-staging.ts): the same rows as one thread, and
 * no wait forever whichever side fails.
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-shard-staging-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A grep'd log, hand-written edge lines, a line over the line limit and a full log, in one file. */
function postfixLog(): string {
  const path = join(dir, "mail.log");
  if (existsSync(path)) return path;
  const parts = [
    ...postfixGrepLogChunks(10_000, 11),
    `${POSTFIX_EDGE_LINES.join("\n")}\n`,
    `Feb  8 00:00:00 h postfix/smtp[4]: LONGLINE01: to=<x@example.com>, status=bounced (${"y".repeat(1100 * 1024)})\n`,
    ...postfixLogChunks(3000, 5),
    // A multi-instance Postfix (postfix-<ip>/smtp): the tag names the pool and the sending IP.
    ...[...postfixGrepLogChunks(3000, 12)].map((chunk) =>
      chunk.replaceAll(" postfix/smtp[", " postfix-192.0.2.10/smtp["),
    ),
    "Feb  9 00:00:00 h postfix/smtp[4]: TAILQID001: to=<t@example.com>, relay=none, dsn=5.0.0, status=bounced (no final newline)",
  ];
  writeFileSync(path, parts.join(""));
  return path;
}

/** Every stored row as text, in line order (the event key by its hash: DuckDB prints a UHUGEINT slowly). */
const ROWS_SQL = `SELECT concat_ws('|', hash(event_key), type, time, recipient, provider, remote_mta, reply, reply_code,
  status, source_label, line, reply_key, recipient_hash, message_key, pool, sending_ip) AS row FROM event_rows
  ORDER BY line, row`;

interface Run {
  rows: string[];
  threads: number;
  limits: string[];
  inserted: number;
  cpuSeconds: number[];
}

/**
 * Stages `path` into a fresh store: on one thread (`threadsFrom` null) or two (0), through a pipe or files;
 * `reorder` sees (and may rewrite) the insert's source; `threads` is DuckDB's.
 */
async function staged(
  path: string,
  format: "postfix" | "exim",
  options: {
    threadsFrom: number | null;
    pipe?: boolean;
    threads?: number;
    reorder?: (sql: string) => string;
  },
): Promise<Run> {
  const store = await Store.open(":memory:", { threads: options.threads ?? 2 });
  try {
    const counters = newCounters();
    const result = await stageWithParsers(
      path,
      format,
      { year: 2026, counters },
      (sql) => insertFlagged(store, options.reorder?.(sql) ?? sql, {}, 1, Date.now(), false),
      options.pipe ?? true,
      options.threadsFrom,
    );
    const rows = (await store.all<{ row: string }>(ROWS_SQL)).map((r) => r.row);
    assert.equal(result.inserted, rows.length);
    return {
      rows,
      threads: result.threads,
      limits: result.limits,
      inserted: result.inserted,
      cpuSeconds: result.cpuSeconds,
    };
  } finally {
    store.close();
  }
}

test("a log staged on two threads stores the rows one thread stores, through pipes and through files", async () => {
  const path = postfixLog();
  const one = await staged(path, "postfix", { threadsFrom: null });
  assert.equal(one.threads, 1);
  assert.ok(one.rows.length > 10_000, `rows: ${one.rows.length}`);
  // The instance's rows keep its pool and sending IP on every path (both end the row).
  assert.ok(one.rows.filter((row) => row.endsWith("|192.0.2.10|192.0.2.10")).length > 2000);
  // Each parsing thread's CPU seconds (the debug line's split of who waits on whom).
  assert.equal(one.cpuSeconds.length, 1);
  assert.ok(one.cpuSeconds[0] > 0);
  for (const pipe of [true, false]) {
    const two = await staged(path, "postfix", { threadsFrom: 0, pipe });
    assert.equal(two.threads, 2, pipe ? "pipes" : "files");
    assert.equal(two.cpuSeconds.length, 2);
    assert.ok(
      two.cpuSeconds.every((seconds) => seconds > 0),
      `${two.cpuSeconds}`,
    );
    assert.deepEqual(two.rows, one.rows, pipe ? "pipes" : "files");
  }
});

test("an Exim main log staged on two threads stores the rows one thread stores", async () => {
  const path = join(dir, "mainlog");
  writeFileSync(path, eximLog(4000, 9));
  const one = await staged(path, "exim", { threadsFrom: null });
  const two = await staged(path, "exim", { threadsFrom: 0 });
  assert.equal(two.threads, 2);
  assert.ok(one.rows.length > 2000, `rows: ${one.rows.length}`);
  assert.deepEqual(two.rows, one.rows);
});

test("a small log, or a format not read in shards, stays on one thread", async () => {
  const path = join(dir, "small.log");
  writeFileSync(path, [...postfixGrepLogChunks(200, 3)].join(""));
  assert.equal((await staged(path, "postfix", { threadsFrom: 1024 * 1024 })).threads, 1);
  const ndjson = join(dir, "events.ndjson");
  writeFileSync(
    ndjson,
    '{"event":"bounce","email":"a@example.com","timestamp":1767600000,"sg_event_id":"x"}\n',
  );
  const store = await Store.open(":memory:");
  try {
    const result = await stageWithParsers(
      ndjson,
      "sendgrid",
      {},
      (sql) => insertFlagged(store, sql, {}, 1, Date.now(), false),
      true,
      0,
    );
    assert.equal(result.threads, 1);
    assert.equal(result.inserted, 1);
  } finally {
    store.close();
  }
});

// The time-out only turns a hang (what this test guards against) into a failure; it measures nothing.
test("both threads feed one pipe: DuckDB on one thread gets every row, never waiting forever", {
  timeout: 300_000,
}, async () => {
  // Through a pipe each, one DuckDB thread read one to its end before it opened the next: both threads'
  // rows now go through the one pipe DuckDB reads.
  const path = postfixLog();
  const one = await staged(path, "postfix", { threadsFrom: null });
  const two = await staged(path, "postfix", {
    threadsFrom: 0,
    threads: 1,
    reorder: (sql) => {
      assert.match(sql, /read_csv\('[^']+'/, "one pipe");
      return sql;
    },
  });
  assert.equal(two.threads, 2);
  assert.deepEqual(two.rows, one.rows);
});

test("DuckDB failing while it reads the pipes fails the staging with its error and frees the connection", async () => {
  const path = postfixLog();
  for (const threads of [1, 2]) {
    const store = await Store.open(":memory:", { threads });
    try {
      await assert.rejects(
        stageWithParsers(
          path,
          "postfix",
          { year: 2026 },
          (sql) =>
            store.exec(
              `CREATE TEMP TABLE t AS SELECT CASE WHEN line > 8000 THEN error('reader broke') END FROM (${sql})`,
            ),
          true,
          0,
        ),
        /reader broke/,
      );
      assert.equal((await store.one<{ n: number }>("SELECT 42 AS n"))?.n, 42);
    } finally {
      store.close();
    }
  }
});

test("a statement that fails before reading the pipes fails the staging, without waiting forever", async () => {
  const store = await Store.open(":memory:");
  try {
    await assert.rejects(
      stageWithParsers(
        postfixLog(),
        "postfix",
        { year: 2026 },
        (sql) => store.exec(`SELECT no_such_column FROM (${sql})`),
        true,
        0,
      ),
      /no_such_column/,
    );
  } finally {
    store.close();
  }
});

test("a shard's thread stages the chunk the other thread read, not a read of its own", async () => {
  const path = join(dir, "shared.log");
  writeFileSync(path, [...postfixGrepLogChunks(2000, 7)].join(""));
  const fd = openSync(path, "r+");
  try {
    const size = fstatSync(fd).size;
    assert.ok(size < 1024 * 1024, "one chunk");
    const job = { path, fd, size, format: "postfix" as const, year: 2026, tz: null, modified: null };
    const csv = async (lines: SharedLineIndex | null) => {
      const parts: Buffer[] = [];
      await stageShard(
        job,
        { index: 1, count: 2 },
        newCounters(),
        (bytes) => {
          parts.push(Buffer.from(bytes));
        },
        undefined,
        lines,
      );
      return Buffer.concat(parts).toString();
    };
    const alone = await csv(null);
    assert.ok(alone.includes("bounced"));
    // The first shard's thread reads (and indexes) the chunk; then the file changes under both.
    const memory = newLineIndexMemory(2);
    const headOf = lineReader("postfix", path, { shard: { index: 0, count: 2 } }).headOf();
    assert.ok(headOf !== null && new SharedLineIndex(memory, 0, 2).take(0, 0, size, fd, headOf, 2) !== null);
    writeSync(
      fd,
      Buffer.from(readFileSync(path, "latin1").replaceAll("bounced", "BOUNCED"), "latin1"),
      0,
      size,
      0,
    );
    assert.equal(await csv(new SharedLineIndex(memory, 1, 2)), alone);
    assert.notEqual(await csv(null), alone, "a read of its own sees the changed file");
  } finally {
    closeSync(fd);
  }
});

// Review R33: ingest's startup snapshot runs only an ingest that starts no thread (a thread aborts such a process);
// a log the parsers read on this thread is one, a log from MIN_SHARDED_LOG_BYTES (two threads) is not.
test("a log runs from ingest's startup snapshot below the size parsed on two threads, not from it", async () => {
  const small = join(dir, "one-thread.log");
  writeFileSync(small, [...postfixGrepLogChunks(50, 3)].join(""));
  assert.equal(await startsNoThreads([small], {}), true);
  assert.equal(await startsNoThreads([small, small], { format: "postfix" }), true);
  // The same head, the size from which it is read on two threads (a sparse file: nothing is read past its head).
  const big = join(dir, "two-threads.log");
  writeFileSync(big, readFileSync(small));
  truncateSync(big, MIN_SHARDED_LOG_BYTES);
  assert.equal(await startsNoThreads([big], {}), false);
  assert.equal(await startsNoThreads([small, big], {}), false);
  assert.equal(await startsNoThreads(["-"], {}), false);
});
