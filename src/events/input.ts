import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { pipeline, Readable } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";

/** Compression is recognised by magic bytes, never by file extension. */
export type Compression = "gzip" | "zstd" | null;

export function compressionOf(bytes: Uint8Array): Compression {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return "gzip";
  if (bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) {
    return "zstd";
  }
  return null;
}

function decompressor(kind: "gzip" | "zstd") {
  return kind === "gzip" ? createGunzip() : createZstdDecompress();
}

/** Open a file for reading, transparently decompressing gzip or zstd (KumoMTA's log segments). */
export function openInput(path: string): Readable {
  const magic = Buffer.alloc(4);
  const fd = openSync(path, "r");
  let read: number;
  try {
    read = readSync(fd, magic, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const kind = compressionOf(magic.subarray(0, read));
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (!kind) return file;
  return pipeline(file, decompressor(kind), () => {});
}

/** The byte chunks of any stream (stdin included), decompressed when its first bytes say gzip/zstd. */
export async function* decompressedChunks(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const iterator = input[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = typeof first.value === "string" ? Buffer.from(first.value) : first.value;
  const kind = compressionOf(head);
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    }
  }
  if (!kind) {
    yield* rest();
    return;
  }
  yield* pipeline(Readable.from(rest()), decompressor(kind), () => {}) as AsyncIterable<Buffer>;
}

export interface OpenedInput {
  stream: Readable;
  /** The first bytes, decoded (for detectFormat). */
  head: string;
  /** Modification time (files), for the default syslog year. */
  modified: Date | null;
}

const HEAD_BYTES = 64 * 1024;

/** openInput plus the decoded head for format detection; the stream still yields every byte. */
export async function openInputWithHead(path: string): Promise<OpenedInput> {
  const stream = path === "-" ? process.stdin : openInput(path);
  const modified = path === "-" ? null : statSync(path).mtime;
  const taken: Buffer[] = [];
  let size = 0;
  const iterator = (path === "-" ? decompressedChunks(stream) : stream)[Symbol.asyncIterator]();
  while (size < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = typeof next.value === "string" ? Buffer.from(next.value) : (next.value as Buffer);
    taken.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(taken).toString("utf8", 0, Math.min(size, HEAD_BYTES));
  async function* all(): AsyncGenerator<Buffer> {
    yield* taken;
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield next.value as Buffer;
  }
  return { stream: Readable.from(all(), { objectMode: false }), head, modified };
}
