import assert from "node:assert/strict";
import { fstatSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { chunkBuffer } from "../../src/bounce/line-bytes.ts";
import { CHUNK_BYTES } from "../../src/events/input.ts";
import {
  ENTRY_INTS,
  ENTRY_SHARD,
  ENTRY_START,
  type HeadOf,
  newLineIndexMemory,
  SharedLineIndex,
  SLOT_INTS,
  SLOTS,
} from "../../src/events/line-index.ts";
import { LineSplitter, lineReader, shardChunks } from "../../src/events/read.ts";
import { type LineParser, newCounters, type Out, shardOf } from "../../src/events/source.ts";
import { EventClassifier } from "../../src/pipeline/classify-events.ts";
import { type ShardBatch, shardBatches } from "../../src/pipeline/classify-log-shard.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";
import { POSTFIX_EDGE_LINES } from "../../testkit/postfix-edge-log.ts";
import { postfixGrepLogChunks } from "../../testkit/postfix-grep-log.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-line-index-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A file of these bytes, open for reading and writing. */
function openFile(name: string, bytes: Buffer): number {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return openSync(path, "r+");
}

/**
 * A grep'd log with CR LF lines, a non-ASCII line, lines without a queue id, a run of short lines (more than
 * a chunk's index holds), a line longer than the line limit and a full log: several 1 MB chunks.
 */
function writeLog(): string {
  const path = join(dir, "mail.log");
  const grep = [...postfixGrepLogChunks(8000, 13)].join("").split("\n");
  const crlf = grep.map((line, i) => (i % 7 === 3 && line !== "" ? `${line}\r` : line)).join("\n");
  const parts = [
    crlf,
    "Feb  8 00:00:00 h postfix/smtp[4]: NONASCII01: to=<jörg@example.com>, relay=none, dsn=5.1.1, status=bounced (ünknown user)\n",
    "Feb  8 00:00:00 h postfix/anvil[9]: statistics: max connection rate 3/60s\n",
    "x\n".repeat(300_000),
    `${POSTFIX_EDGE_LINES.join("\n")}\n`,
    `Feb  8 00:00:00 h postfix/smtp[4]: LONGLINE01: to=<x@example.com>, status=bounced (${"y".repeat(1100 * 1024)})\n`,
    ...postfixLogChunks(3000, 5),
  ];
  writeFileSync(path, parts.join(""));
  return path;
}

/** A batch as plain values (its memory is reused for later batches). */
function kept(batch: ShardBatch): unknown {
  const records = [...batch.starts].map((start, i) =>
    Buffer.from(batch.json.subarray(start, batch.ends[i])).toString("utf8"),
  );
  return {
    upTo: batch.upTo,
    lines: [...batch.lines],
    kinds: [...batch.kinds],
    records,
    problems: batch.problems,
  };
}

for (const all of [false, true]) {
  test(`both shards of a log read with one shared line index give what each gives alone${all ? " (--all)" : ""}`, () => {
    const path = writeLog();
    const fd = openSync(path, "r");
    const job = { path, fd, size: fstatSync(fd).size, format: "postfix" as const, modified: null, all };
    const alone = [0, 1].map((index) =>
      [...shardBatches({ ...job, shard: { index, count: 2 } }, new EventClassifier(), newCounters())].map(
        kept,
      ),
    );
    const memory = newLineIndexMemory(2);
    const readers = [0, 1].map((index) =>
      shardBatches(
        { ...job, shard: { index, count: 2 } },
        new EventClassifier(),
        newCounters(),
        [],
        new SharedLineIndex(memory, index, 2),
      ),
    );
    // Chunk by chunk, each shard first in turn: each indexes some chunks and reads the other's index of the rest.
    const indexed: unknown[][] = [[], []];
    for (let chunk = 0; indexed.some((batches, i) => batches.length < alone[i].length); chunk++) {
      for (const index of chunk % 2 === 0 ? [0, 1] : [1, 0]) {
        const next = readers[index].next();
        if (!next.done) indexed[index].push(kept(next.value));
      }
    }
    assert.ok(alone[0].length >= 5, `chunks: ${alone[0].length}`);
    assert.deepEqual(indexed[0], alone[0]);
    assert.deepEqual(indexed[1], alone[1]);
  });
}

test("a chunk's lines are indexed in one call of the parser (chunkHeads) as line by line with its head", () => {
  // Lines whose head only the parser's JavaScript reads (a PRI part, a stamp with a zone of its own), CR LF
  // lines, lines without a queue id and the rest of the log: every entry as `head` writes it, chunk by chunk.
  const others = [
    "<22>2026-02-02T12:34:50.123456+01:00 h postfix/smtp[1]: PRIPART001: to=<a@example.com>, relay=none, dsn=5.1.1, status=bounced (no)",
    "<22>Feb  2 12:00:00 h postfix/smtp[1]: PRIPART002: to=<b@example.com>, relay=none, dsn=4.4.1, status=deferred (x)\r",
    "2026-02-02 12:00:00 h postfix/smtp[1]: ISOSPACE01: to=<c@example.com>, relay=none, dsn=2.0.0, status=sent (ok)",
    "2026-02-02T12:00:00Z h postfix/smtp[1]: ISOZULU001: to=<d@example.com>, relay=none, dsn=2.0.0, status=sent (ok)",
    "\r",
    "Feb  2 12:00:00 h postfix/smtp[1]: SHORTID: x",
  ].join("\n");
  const path = writeLog();
  writeFileSync(path, `${others}\n`, { flag: "a" });
  const fd = openSync(path, "r");
  const size = fstatSync(fd).size;
  const headOf = lineReader("postfix", path, { shard: { index: 0, count: 2 }, outcomes: null }).headOf();
  assert.ok(headOf?.lines !== undefined, "the Postfix parser indexes a chunk in one call");
  const lineByLine: HeadOf = (bytes, from, to, into, at) => headOf(bytes, from, to, into, at);
  const atOnce = new SharedLineIndex(newLineIndexMemory(2), 0, 2);
  const alone = new SharedLineIndex(newLineIndexMemory(2), 0, 2);
  let headless = 0;
  let priParts = 0;
  let chunks = 0;
  for (let n = 0, position = 0; position < size; n++, position += CHUNK_BYTES) {
    const want = Math.min(CHUNK_BYTES, size - position);
    const a = atOnce.take(n, position, want, fd, headOf, 2, size);
    const b = alone.take(n, position, want, fd, lineByLine, 2, size);
    assert.ok(a !== null && b !== null);
    const { entries, ...index } = a.index;
    const { entries: expected, ...expectedIndex } = b.index;
    assert.deepEqual(index, expectedIndex, `chunk ${n}`);
    assert.deepEqual(
      entries.subarray(0, index.lines * ENTRY_INTS),
      expected.subarray(0, index.lines * ENTRY_INTS),
    );
    for (let e = 0; e < index.lines * ENTRY_INTS; e += ENTRY_INTS) {
      if (entries[e + ENTRY_SHARD] < 0) headless++;
      else if (a.bytes[entries[e + ENTRY_START]] === 0x3c) priParts++; // '<': a head JavaScript read
    }
    atOnce.readTo(n);
    alone.readTo(n);
    chunks++;
  }
  assert.ok(chunks >= 5, `chunks: ${chunks}`);
  assert.ok(headless > 1000, `lines without a head: ${headless}`);
  assert.equal(priParts, 2, "heads after a PRI part");
});

/** A parser whose lines' ids are their first byte: it records which lines it was given, and how. */
function recordingParser(seen: string[]): LineParser {
  return {
    line(text, lineNo) {
      seen.push(`line ${lineNo} ${text}`);
    },
    end() {},
    take(bytes, from, to, lineNo) {
      seen.push(`take ${lineNo} ${bytes.toString("latin1", from, to)}`);
      return true;
    },
    head(bytes, from, _to, into, at) {
      if (bytes[from] === 0x2d) return false; // `-`: a line without an id
      into[at] = bytes[from];
      return true;
    },
    takeHead(bytes, from, to, lineNo, _out, head, at) {
      seen.push(`head ${lineNo} ${bytes.toString("latin1", from, to)} ${head[at]}`);
      return true;
    },
  };
}

test("with a chunk's index, a shard is given only its lines (by their heads) and those without one", () => {
  // Ids whose shards (of 2) differ.
  const ids = Array.from({ length: 40 }, (_, i) => 0x41 + i);
  const mine = ids.find((id) => shardOf(id, 2) === 1) as number;
  const theirs = ids.find((id) => shardOf(id, 2) === 0) as number;
  const a = String.fromCharCode(mine);
  const b = String.fromCharCode(theirs);
  const bytes = Buffer.from(`${a}1\n${b}2\r\n-3\n${a}4\r\n${b}5\n${a}6`);
  const memory = newLineIndexMemory(2);
  const headOf: HeadOf = (chunk, from, to, into, at) =>
    recordingParser([]).head?.(chunk, from, to, into, at) ?? false;
  const fd = openFile("heads.log", bytes);
  const first = new SharedLineIndex(memory, 0, 2).take(0, 0, bytes.length, fd, headOf, 2);
  const shared = new SharedLineIndex(memory, 1, 2).take(0, 0, bytes.length, fd, headOf, 2);
  assert.ok(first !== null && shared !== null);
  assert.ok(shared.bytes.equals(bytes), "the bytes the first thread read");
  const index = shared.index;
  assert.equal(index.lines, 5);
  const seen: string[] = [];
  const splitter = new LineSplitter(recordingParser(seen), "mail.log");
  const out: Out = [];
  splitter.push(bytes, out, index);
  splitter.finish(out);
  assert.deepEqual(seen, [`head 1 ${a}1 ${mine}`, "take 3 -3", `head 4 ${a}4 ${mine}`, `line 6 ${a}6`]);
  // Without the index every line is looked at.
  const all: string[] = [];
  new LineSplitter(recordingParser(all), "mail.log").push(bytes, [], null);
  assert.equal(all.length, 5);
});

test("whether a chunk is all ASCII is found by its indexer; in a chunk that is not, a line with a byte beyond ASCII is decoded as UTF-8 and the others are taken on their bytes (review R141)", () => {
  const headOf: HeadOf = () => false;
  const ascii = Buffer.from("plain 1\nplain 2\n");
  const utf8 = Buffer.from("caf\u00e9 1\nplain 2\n");
  for (const [bytes, expected] of [
    [ascii, true],
    [utf8, false],
  ] as const) {
    const memory = newLineIndexMemory(2);
    const fd = openFile("ascii.log", bytes);
    const first = new SharedLineIndex(memory, 0, 2).take(0, 0, bytes.length, fd, headOf, 2);
    const shared = new SharedLineIndex(memory, 1, 2).take(0, 0, bytes.length, fd, headOf, 2);
    assert.equal(first?.index.ascii, expected);
    assert.equal(shared?.index.ascii, expected, "the other thread is told, not checking again");
    const seen: string[] = [];
    const splitter = new LineSplitter(recordingParser(seen), "mail.log");
    splitter.push(bytes, [], shared?.index ?? null);
    assert.deepEqual(
      seen,
      expected ? ["take 1 plain 1", "take 2 plain 2"] : ["line 1 caf\u00e9 1", "take 2 plain 2"],
    );
  }
});

test("a chunk is read once for both threads, not shared when read elsewhere, nor while its slot holds a chunk a thread has not read", () => {
  const memory = newLineIndexMemory(2);
  const headOf: HeadOf = () => false;
  const ahead = new SharedLineIndex(memory, 0, 2);
  const behind = new SharedLineIndex(memory, 1, 2);
  const bytes = Buffer.from("a\nb\n".repeat(SLOTS + 1));
  const fd = openFile("slots.log", bytes);
  const first = ahead.take(0, 0, 4, fd, headOf, 2);
  assert.ok(first !== null);
  assert.equal(first.bytes.toString(), "a\nb\n");
  // The file changes: the thread behind gets what the first one read (one read for both).
  writeSync(fd, "c\nd\n", 0);
  assert.equal(behind.take(0, 0, 4, fd, headOf, 2)?.bytes.toString(), "a\nb\n");
  assert.equal(behind.take(0, 7, 4, fd, headOf, 2), null, "another position");
  for (let chunk = 1; chunk < SLOTS; chunk++) {
    ahead.readTo(chunk - 1);
    assert.ok(ahead.take(chunk, chunk * 4, 4, fd, headOf, 2) !== null);
  }
  ahead.readTo(SLOTS - 1);
  assert.equal(ahead.take(SLOTS, SLOTS * 4, 4, fd, headOf, 2), null, "slot 0 still holds chunk 0");
  behind.readTo(0);
  assert.ok(ahead.take(SLOTS, SLOTS * 4, 4, fd, headOf, 2) !== null);
});

test("a thread that finds its chunk claimed but not yet indexed by another reads and indexes the next one meanwhile", () => {
  const memory = newLineIndexMemory(2);
  const headOf: HeadOf = () => false;
  const other = new SharedLineIndex(memory, 0, 2);
  const thread = new SharedLineIndex(memory, 1, 2);
  const bytes = Buffer.from("a\nb\nc\nd\ne\nf\ng\nh\n");
  const fd = openFile("ahead.log", bytes);
  /** Marks chunk `chunk` claimed by a thread still at it (its slot's chunk, after the threads' read counts). */
  const claimed = (chunk: number) => {
    new Int32Array(chunkBuffer(memory), 4 * 2 + 4 * SLOT_INTS * (chunk % SLOTS), 1)[0] = chunk;
  };
  claimed(0);
  assert.equal(thread.take(0, 0, 4, fd, headOf, 2, 12), null, "chunk 0 was never published");
  // Chunk 1 was read then: the other thread takes those bytes, not what the file holds now.
  writeSync(fd, "x\ny\n", 4);
  assert.equal(other.take(1, 4, 4, fd, headOf, 2, 12)?.bytes.toString(), "c\nd\n");
  // Not past the size given: chunk 3 (at 12) is left to whoever reaches it, who reads the file as it is then.
  claimed(2);
  assert.equal(thread.take(2, 8, 4, fd, headOf, 2, 12), null);
  writeSync(fd, "z\nz\n", 12);
  assert.equal(other.take(3, 12, 4, fd, headOf, 2, 16)?.bytes.toString(), "z\nz\n");
});

test("a thread that finds no shared chunk reads it into a chunk of its own in the same memory (one WebAssembly instance reads all its chunks)", () => {
  const memory = newLineIndexMemory(2);
  const headOf: HeadOf = () => false;
  const lines = new SharedLineIndex(memory, 1, 2);
  const fd = openFile("own.log", Buffer.from("a\nb\nc\nd\n"));
  // Chunk 0's slot holds a later chunk a thread has not read: no sharing this time.
  new Int32Array(chunkBuffer(memory), 4 * 2, 1)[0] = SLOTS;
  const [{ chunk, index }] = [...shardChunks({ fd, size: 8 }, lines, headOf, 2)];
  assert.equal(index, null);
  assert.equal(chunk.toString(), "a\nb\nc\nd\n");
  assert.ok(chunk.buffer === chunkBuffer(memory), "in the shared memory");
  // Its own: after every slot's chunk and the other thread's own chunk, inside the memory.
  const lastSlot = new SharedLineIndex(memory, 0, 2).take(SLOTS - 1, 0, 4, fd, headOf, 2);
  const others = new SharedLineIndex(memory, 0, 2).ownChunk();
  assert.ok(lastSlot !== null);
  assert.ok(others.byteOffset >= lastSlot.bytes.byteOffset + CHUNK_BYTES);
  assert.equal(chunk.byteOffset, others.byteOffset + CHUNK_BYTES);
  assert.ok(chunk.byteOffset + CHUNK_BYTES <= chunkBuffer(memory).byteLength);
});

test("a shard whose log ends before its size (cut short while read) tells the other thread it reads no more", () => {
  const path = join(dir, "cut.log");
  writeFileSync(path, [...postfixGrepLogChunks(20_000, 3)].join(""));
  const fd = openSync(path, "r");
  // The size taken before the file was cut: reads end early, at 0 bytes.
  const job = {
    path,
    fd,
    size: fstatSync(fd).size * 4,
    format: "postfix" as const,
    modified: null,
    all: false,
  };
  const memory = newLineIndexMemory(2);
  const first = new SharedLineIndex(memory, 0, 2);
  const batches = [
    ...shardBatches(
      { ...job, shard: { index: 0, count: 2 } },
      new EventClassifier(),
      newCounters(),
      [],
      first,
    ),
  ];
  assert.ok(batches.length > 0);
  const second = new SharedLineIndex(memory, 1, 2);
  // The worker waits for the first thread to be within its lead: it must not wait for chunks that never come.
  assert.equal(second.waitFor(0, 1_000_000, 0), true);
});
