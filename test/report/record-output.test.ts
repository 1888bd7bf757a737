import assert from "node:assert/strict";
import {
  closeSync,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { test } from "node:test";
import { createSink, type OutputMode } from "../../src/report/record-output.ts";

/** What a sink writes for these calls, as text. */
async function written(mode: OutputMode, fill: (sink: ReturnType<typeof createSink>) => void) {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const sink = createSink(mode, stream as unknown as NodeJS.WriteStream);
  fill(sink);
  await sink.end();
  return Buffer.concat(chunks).toString("utf8");
}

test("records given as JSON lines are written as the same records given one by one", async () => {
  const records = ['{"a":1}', '{"b":"é ✓"}', '{"c":[]}'];
  const lines = Buffer.from(records.map((json) => `${json}\n`).join(""));
  let oneByOneJson = "";
  for (const mode of ["json", "ndjson"] as const) {
    const oneByOne = await written(mode, (sink) => {
      for (const json of records) sink.addJson(json);
    });
    // Mixed with single records before and after, and an empty block (a file without records).
    const asLines = await written(mode, (sink) => {
      sink.addJson(records[0]);
      sink.addJsonLines(Buffer.alloc(0));
      sink.addJsonLines(lines.subarray(records[0].length + 1));
    });
    assert.equal(asLines, oneByOne, mode);
    if (mode === "json") oneByOneJson = oneByOne;
    assert.equal(await written(mode, (sink) => sink.addJsonLines(lines)), oneByOne, mode);
  }
  assert.equal(await written("json", (sink) => sink.addJsonLines(Buffer.alloc(0))), "[]\n");
  // A block whose last record lacks its newline: that record still comes out, once (json mode splits).
  const unterminated = lines.subarray(0, lines.length - 1);
  assert.equal(await written("json", (sink) => sink.addJsonLines(unterminated)), oneByOneJson);
  assert.throws(() => createSink("text").addJsonLines(lines), /json or ndjson/);
});

/** What Node makes of standard output on a file or device (SyncWriteStream): each write done at once. */
class FileOutput extends Writable {
  readonly fd: number;

  constructor(fd: number) {
    super();
    this.fd = fd;
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    writeSync(this.fd, chunk);
    done();
  }
}

test("ndjson to a file takes lent records' bytes as they are and writes them, in order, by the next flush", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-sink-"));
  try {
    const path = join(dir, "out.ndjson");
    const fd = openSync(path, "w");
    const sink = createSink("ndjson", new FileOutput(fd) as unknown as NodeJS.WriteStream);
    const lent = Buffer.from('{"b":2}\n{"c":3}\n');
    sink.addJson('{"a":1}');
    sink.lendJsonLines(lent);
    // Not copied: the bytes are read at the flush (the caller leaves them alone until then).
    lent.write("C", 10);
    sink.addJson('{"d":4}');
    sink.lendJsonLines(Buffer.alloc(0));
    sink.lendJsonLines(Buffer.from('{"e":5}\n'));
    await sink.flushIfFull();
    const afterFlush = readFileSync(path, "utf8");
    assert.equal(afterFlush, '{"a":1}\n{"b":2}\n{"C":3}\n{"d":4}\n{"e":5}\n');
    lent.write("X", 2);
    await sink.end();
    assert.equal(readFileSync(path, "utf8"), afterFlush, "written before flushIfFull resolved");
    closeSync(fd);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("lent records are copied where the output does not write at once (json, a stream, a file being written)", async () => {
  const lines = Buffer.from('{"a":1}\n{"b":2}\n');
  for (const mode of ["json", "ndjson"] as const) {
    const lentOut = await written(mode, (sink) => sink.lendJsonLines(lines));
    assert.equal(lentOut, await written(mode, (sink) => sink.addJsonLines(lines)), mode);
  }
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-sink-"));
  try {
    // A file stream that writes later: bytes it holds come before the lent ones, which it then copies.
    const path = join(dir, "out.ndjson");
    const stream = createWriteStream("", { fd: openSync(path, "w") });
    const sink = createSink("ndjson", stream as unknown as NodeJS.WriteStream);
    sink.addJson('{"x":0}');
    const lent = Buffer.from(lines);
    sink.lendJsonLines(lent);
    await sink.flushIfFull();
    lent.fill(0);
    await sink.end();
    await new Promise((resolve) => stream.end(resolve));
    assert.equal(readFileSync(path, "utf8"), '{"x":0}\n{"a":1}\n{"b":2}\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
