import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { compressionOf, openInput, openInputWithHead, openWholeFile } from "../../src/events/input.ts";
import { shardChunks } from "../../src/events/read.ts";

async function text(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

test("openInput / openInputWithHead: plain, gzip and zstd files by magic bytes, whatever the name", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-events-input-"));
  try {
    const body = `${'{"type":"Delivery","recipient":"a@b.example","queue":"b.example"}\n'.repeat(5000)}`;
    const files: [string, Buffer, string | null][] = [
      ["plain.log", Buffer.from(body), null],
      ["looks-plain.log", gzipSync(body), "gzip"],
      ["segment", zstdCompressSync(Buffer.from(body)), "zstd"],
    ];
    for (const [name, bytes, kind] of files) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      utimesSync(path, new Date("2026-01-02T00:00:00Z"), new Date("2026-01-02T00:00:00Z"));
      assert.equal(compressionOf(bytes), kind, name);
      assert.equal(await text(openInput(path)), body, `${name} via openInput`);
      const opened = await openInputWithHead(path);
      assert.ok(opened.head.startsWith('{"type":"Delivery"'), `${name} head is decompressed`);
      assert.equal(opened.modified?.toISOString(), "2026-01-02T00:00:00.000Z");
      assert.equal(await text(opened.stream), body, `${name} stream still yields every byte`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("shardChunks: two readers of one descriptor each read the file from its start, even once it is rotated", () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-chunks-"));
  try {
    const path = join(dir, "mail.log");
    const original = Buffer.from("line one\n".repeat(300_000)); // several chunks
    writeFileSync(path, original);
    const fd = openSync(path, "r");
    try {
      // logrotate: the log is renamed and a new one is started under its name.
      renameSync(path, `${path}.1`);
      writeFileSync(path, "a new log\n");
      const a = shardChunks({ fd, size: original.length });
      const b = shardChunks({ fd, size: original.length });
      const read: Buffer[][] = [[], []];
      for (;;) {
        const x = a.next();
        const y = b.next();
        if (x.done || y.done) {
          assert.equal(x.done, y.done);
          break;
        }
        read[0].push(Buffer.from(x.value.chunk)); // a chunk is valid until the next: copied here
        read[1].push(Buffer.from(y.value.chunk));
      }
      assert.ok(read[0].length > 1, "several chunks");
      assert.ok(Buffer.concat(read[0]).equals(original));
      assert.ok(Buffer.concat(read[1]).equals(original));
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("openWholeFile: a small file whole after one read, its modification time looked up when asked; bigger ones and non-files as before", () => {
  const scratch = Buffer.alloc(64);
  const folder = mkdtempSync(join(tmpdir(), "deliverlens-whole-"));
  try {
    const small = join(folder, "small.eml");
    writeFileSync(small, "Subject: hi\n\nbody\n");
    const mtime = new Date("2020-02-03T04:05:06Z");
    utimesSync(small, mtime, mtime);
    const opened = openWholeFile(small, scratch);
    assert.equal(opened?.whole?.toString(), "Subject: hi\n\nbody\n");
    assert.equal(opened?.modified?.getTime(), mtime.getTime());
    // Exactly the scratch's size, and bigger: read with fstat, still whole.
    for (const size of [64, 65, 1000]) {
      const path = join(folder, `${size}.txt`);
      writeFileSync(path, "x".repeat(size));
      const file = openWholeFile(path, scratch);
      assert.equal(file?.whole?.length, size, `${size} bytes`);
      assert.ok(file?.modified instanceof Date);
    }
    // The time of a file gone after it was read is unknown, not an exception.
    const gone = join(folder, "gone.txt");
    writeFileSync(gone, "550 5.1.1 unknown user\n");
    const read = openWholeFile(gone, scratch);
    rmSync(gone);
    assert.equal(read?.modified, null);
    // A directory cannot be read whole: left to openSource.
    assert.equal(openWholeFile(folder, scratch), null);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
