import assert from "node:assert/strict";
import { fstatSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Worker } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { jsonRecord } from "../../src/bounce/render-output.ts";
import { openSource } from "../../src/events/input.ts";
import { newCounters } from "../../src/events/source.ts";
import { EventClassifier } from "../../src/pipeline/classify-events.ts";
import { shardBatches } from "../../src/pipeline/classify-log-shard.ts";
import { batchesAhead, classifyLogOnTwoThreads } from "../../src/pipeline/classify-log-threads.ts";
import { classifyOpenedBatches, isProblem } from "../../src/pipeline/classify-source.ts";
import { JsonLines } from "../../src/pipeline/json-lines.ts";
import {
  dropLogThread,
  MIN_THREADED_LOG_BYTES,
  startLogThreadAhead,
  takeLogThread,
} from "../../src/pipeline/log-thread-ahead.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";
import { eximLog } from "../../testkit/exim-log.ts";
import { POSTFIX_EDGE_LINES } from "../../testkit/postfix-edge-log.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-log-threads-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A grep'd log, hand-written edge lines, a full log and a line longer than the line limit, in one file. */
function writeLog(): string {
  const path = join(dir, "mail.log");
  const parts = [
    ...postfixGrepLogChunks(8000, 11),
    `${POSTFIX_EDGE_LINES.join("\n")}\n`,
    `Feb  8 00:00:00 h postfix/smtp[4]: LONGLINE01: to=<x@example.com>, status=bounced (${"y".repeat(2500 * 1024)})\n`,
    ...postfixLogChunks(3000, 5),
    "Feb  9 00:00:00 h postfix/smtp[4]: TAILQID001: to=<t@example.com>, relay=none, dsn=5.0.0, status=bounced (no final newline)",
  ];
  writeFileSync(path, parts.join(""));
  return path;
}

/** An item's records (each record's JSON), or a problem as JSON. */
function texts(item: unknown): string[] {
  if (!(item instanceof JsonLines)) return [JSON.stringify(item)];
  const lines = Buffer.from(item.bytes).toString("utf8").split("\n");
  assert.equal(lines.pop(), "", "every record is followed by a newline");
  assert.equal(lines.length, item.count);
  return lines;
}

for (const all of [false, true]) {
  test(`classify${all ? " --all" : ""} of a log on two threads gives one thread's records and problems, in order`, async () => {
    const path = writeLog();
    const one: string[] = [];
    for await (const batch of classifyOpenedBatches(await openSource(path), { all })) {
      for (const item of batch) one.push(isProblem(item) ? JSON.stringify(item) : jsonRecord(item));
    }
    const two: string[] = [];
    let pieces = 0;
    for await (const batch of classifyLogOnTwoThreads(await openSource(path), "postfix", { all })) {
      for (const item of batch) two.push(...texts(item));
      pieces += batch.length;
    }
    assert.ok(one.length > (all ? 8000 : 1000), `records: ${one.length}`);
    // A shard's records of consecutive lines come as one piece of bytes (one write, not one per record).
    assert.ok(pieces < two.length * 0.8, `${pieces} pieces for ${two.length} items`);
    assert.ok(
      one.some((item) => item.includes("longer than")),
      "the over-long line is reported",
    );
    // The count of forgotten queue ids may differ: each thread ages its states by its own lines' times.
    const note = (items: string[]) => items.filter((item) => item.includes("queue ids were forgotten"));
    assert.equal(note(one).length, 1);
    assert.equal(note(two).length, 1);
    const rest = (items: string[]) => items.filter((item) => !item.includes("queue ids were forgotten"));
    assert.deepEqual(rest(two), rest(one));
  });
}

test("classify of an Exim main log on two threads gives one thread's records, in order", async () => {
  const path = join(dir, "mainlog");
  writeFileSync(path, eximLog(4000, 9));
  const one: string[] = [];
  for await (const batch of classifyOpenedBatches(await openSource(path), {})) {
    for (const item of batch) one.push(isProblem(item) ? JSON.stringify(item) : jsonRecord(item));
  }
  const two: string[] = [];
  for await (const batch of classifyLogOnTwoThreads(await openSource(path), "exim", {})) {
    for (const item of batch) two.push(...texts(item));
  }
  assert.ok(one.length > 2000, `records: ${one.length}`);
  assert.deepEqual(two, one);
});

test("a shard writes its next batches into the memory of batches handed back, not new memory per chunk", () => {
  const path = writeLog();
  const fd = openSync(path, "r");
  const job = { path, fd, size: fstatSync(fd).size, format: "postfix" as const, modified: null, all: true };
  const spares: ArrayBuffer[] = [];
  const memory = new Set<ArrayBuffer>();
  let batches = 0;
  for (const batch of shardBatches(
    { ...job, shard: { index: 0, count: 2 } },
    new EventClassifier(),
    newCounters(),
    spares,
  )) {
    batches++;
    memory.add(batch.json.buffer);
    // Read at once, then handed back (as classify-log-threads does once a batch's records are written out).
    spares.push(batch.json.buffer);
  }
  assert.ok(batches >= 6, `batches: ${batches}`);
  assert.ok(memory.size <= batches / 2, `${memory.size} buffers for ${batches} batches`);
});

test("the main thread runs further ahead of the worker (its start-up) only while it holds few records", () => {
  assert.ok(batchesAhead(0) > batchesAhead(64 * 1024 * 1024));
  assert.ok(batchesAhead(64 * 1024 * 1024) >= 8, "enough that neither waits for a slow chunk");
});

test("a log thread started ahead for one big plain file is the one the log's two-thread read takes", async () => {
  // Sparse: its size is what counts.
  const big = join(dir, "big.log");
  writeFileSync(big, "");
  truncateSync(big, MIN_THREADED_LOG_BYTES);
  const path = writeLog();
  const one: string[] = [];
  for await (const batch of classifyLogOnTwoThreads(await openSource(path), "postfix", {})) {
    for (const item of batch) one.push(...texts(item));
  }
  startLogThreadAhead([big]);
  const two: string[] = [];
  for await (const batch of classifyLogOnTwoThreads(await openSource(path), "postfix", {})) {
    for (const item of batch) two.push(...texts(item));
  }
  assert.equal(await takenAndEnded(), null, "taken by the read");
  assert.ok(two.length > 1000, `items: ${two.length}`);
  assert.deepEqual(two, one);
});

test("no log thread is started ahead for a small, compressed or second file, or a big mbox; one no log took is ended", async () => {
  const big = join(dir, "big2.log");
  writeFileSync(big, "");
  truncateSync(big, MIN_THREADED_LOG_BYTES);
  const small = join(dir, "small.log");
  writeFileSync(small, "Feb  8 00:00:00 h postfix/smtp[4]: A1: to=<x@example.com>, status=sent (250 ok)\n");
  const gz = join(dir, "big.log.gz");
  writeFileSync(gz, gzipSync(Buffer.alloc(1024)));
  truncateSync(gz, MIN_THREADED_LOG_BYTES);
  // The email reader's, never the log threads' (classifyOpenedJson): its name says nothing, its first line does.
  const mbox = join(dir, "big3.log");
  writeFileSync(
    mbox,
    "From MAILER-DAEMON Thu Apr 29 23:34:45 2010\nFrom: Mail Delivery System <MAILER-DAEMON@example.com>\n",
  );
  truncateSync(mbox, MIN_THREADED_LOG_BYTES);
  for (const paths of [[small], [gz], [big, small], [mbox], ["-"], [join(dir, "missing.log")]]) {
    startLogThreadAhead(paths);
    assert.equal(await takenAndEnded(), null, paths.join(" "));
  }
  startLogThreadAhead([big]);
  await dropLogThread();
  assert.equal(await takenAndEnded(), null, "ended");
});

/** The log thread started ahead and not taken, if any, ended (so that a failing test still ends). */
async function takenAndEnded(): Promise<Worker | null> {
  const worker = takeLogThread();
  await worker?.terminate();
  return worker;
}
