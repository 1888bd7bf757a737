import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { decompressedChunks, openInput, openSource } from "../../src/events/input.ts";
import { readEvents } from "../../src/events/read.ts";
import { classifyFile } from "../../src/pipeline/library.ts";

/** Everything a stream yields before it fails, and its error (null when it ended cleanly). */
async function drain(
  stream: AsyncIterable<Buffer | string>,
): Promise<{ bytes: Buffer; error: Error | null }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    return { bytes: Buffer.concat(chunks), error: null };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error: error as Error };
  }
}

/** Corrupt `count` bytes from `at` (the gzip CRC or a zstd block then no longer checks out). */
function corrupt(bytes: Buffer, at: number, count: number): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = at; i < Math.min(copy.length, at + count); i++) copy[i] ^= 0x5a;
  return copy;
}

const lines = (count: number) =>
  Array.from({ length: count }, (_, i) => `line ${i} ${"x".repeat(i % 37)} ${(i * 7919) % 10007}\n`).join("");

test("a truncated or corrupt gzip/zstd file yields every byte decoded before the damage, then its error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-damaged-"));
  try {
    const small = Buffer.from(lines(200)); // well under one 16 KiB zlib output chunk
    const big = Buffer.from(lines(60_000));
    const cases: Array<[string, Buffer, Buffer, RegExp]> = [
      ["small-cut.gz", small, gzipSync(small).subarray(0, gzipSync(small).length - 12), /unexpected end/],
      // The trailer's CRC fails: every byte was decoded and must come out before the error.
      ["small-crc.gz", small, corrupt(gzipSync(small), gzipSync(small).length - 8, 4), /check/],
      ["big-cut.gz", big, gzipSync(big).subarray(0, gzipSync(big).length >> 1), /unexpected end/],
      ["big-cut.zst", big, zstdCompressSync(big).subarray(0, zstdCompressSync(big).length >> 1), /end/],
      ["big-bad.zst", big, corrupt(zstdCompressSync(big), zstdCompressSync(big).length >> 1, 64), /./],
    ];
    for (const [name, plain, damaged, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, damaged);
      for (const [how, stream] of [
        ["openInput", () => openInput(path)],
        ["openSource", async () => (await openSource(path)).stream()],
      ] as const) {
        const { bytes, error } = await drain(await stream());
        assert.match(String(error?.message), message, `${name} via ${how}: the damage is reported`);
        assert.ok(bytes.length > 0, `${name} via ${how}: something was decoded`);
        assert.ok(plain.subarray(0, bytes.length).equals(bytes), `${name} via ${how}: a prefix of the input`);
        if (name === "small-crc.gz") assert.equal(bytes.length, plain.length, `${name}: every byte`);
      }
    }
    // Cut short of where the gzip stream can be decoded as far as zcat would: nothing is lost.
    const cut = gzipSync(big).subarray(0, 40_000);
    writeFileSync(join(dir, "reference.gz"), cut);
    const reference = await drain(openInput(join(dir, "reference.gz")));
    const { gunzipSync, constants } = await import("node:zlib");
    const all = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
    assert.equal(reference.bytes.length, all.length, "everything before the cut");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cut .gz log keeps its records and ends with a problem; a cut mbox.gz keeps its whole messages", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-damaged-"));
  try {
    const log = Array.from(
      { length: 3000 },
      (_, i) =>
        `Jan  5 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")} mx postfix/smtp[12${i % 10}]: Q${String(i).padStart(6, "0")}: to=<user${i}@example.com>, relay=mx.example.com[192.0.2.${i % 250}]:25, delay=1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <user${i}@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))\n`,
    ).join("");
    const gz = gzipSync(log);
    const path = join(dir, "maillog.gz");
    writeFileSync(path, gz.subarray(0, gz.length >> 1));
    let events = 0;
    const problems: string[] = [];
    for await (const item of readEvents(openInput(path), "postfix", path, { year: 2026 })) {
      if ("type" in item) events++;
      else problems.push(item.message);
    }
    assert.ok(events > 500, `events before the cut: ${events}`);
    assert.match(problems.at(-1) ?? "", /could not be read to the end/);

    const message = readFileSync(
      join(import.meta.dirname, "../fixtures/bounce-email/dsn-two-recipients.eml"),
    );
    const mbox = Buffer.concat(
      Array.from({ length: 40 }, () => [
        Buffer.from("From MAILER-DAEMON Thu Jul  2 12:05:05 2020\n"),
        message,
      ]).flat(),
    );
    const mboxGz = gzipSync(mbox);
    const mboxPath = join(dir, "bounces.mbox.gz");
    writeFileSync(mboxPath, mboxGz.subarray(0, Math.floor(mboxGz.length * 0.6)));
    const records: string[] = [];
    const messages: string[] = [];
    for await (const item of classifyFile(mboxPath)) {
      if ("reason" in item) records.push(item.recipient ?? "");
      else messages.push(item.message);
    }
    assert.ok(records.length >= 2, `records before the cut: ${records.length}`);
    assert.ok(
      messages.some((text) => /could not be read to the end/.test(text)),
      messages.join("; "),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a stream whose first reads hold fewer bytes than a gzip/zstd magic is still decompressed (a pipe read 1–3 bytes at first)", async () => {
  const text = lines(200);
  for (const [name, packed] of [
    ["gzip", gzipSync(text)],
    ["zstd", zstdCompressSync(text)],
  ] as const) {
    for (const first of [1, 2, 3]) {
      const reads = async function* () {
        for (let at = 0; at < first; at++) yield packed.subarray(at, at + 1);
        yield packed.subarray(first);
      };
      const { bytes, error } = await drain(decompressedChunks(reads()));
      assert.deepEqual([bytes.toString(), error], [text, null], `${name}, ${first} one-byte reads first`);
    }
  }
  // Plain bytes fewer than a magic, and nothing at all, are read as they are.
  const reads = async function* (...chunks: (Buffer | string)[]) {
    yield* chunks;
  };
  assert.equal((await drain(decompressedChunks(reads(Buffer.from("a"), "b")))).bytes.toString(), "ab");
  assert.equal((await drain(decompressedChunks(reads()))).bytes.length, 0);
});
