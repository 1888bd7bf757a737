import { closeSync, createReadStream, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
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

/** openSource with the head decoded; the stream still yields every byte. */
export async function openInputWithHead(path: string): Promise<OpenedInput> {
  const source = await openSource(path);
  return { stream: source.stream(), head: source.head.toString("utf8"), modified: source.modified };
}

/** Bytes looked at to detect the format. */
export const HEAD_BYTES = 64 * 1024;
/** Files up to this size are read in one go (bounce emails); larger ones are streamed. */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;

/** An input opened for classify/ingest: its head for format detection, then its bytes. */
export interface OpenedSource {
  /** The name records and problems carry: the path, or "-" for stdin. */
  name: string;
  /** The first (decompressed) bytes. */
  head: Buffer;
  /** Modification time of a file (the default year of classic syslog lines); null for stdin. */
  modified: Date | null;
  /** The whole input when it was small enough to read at once, else null (use `stream`). */
  whole: Buffer | null;
  /** The whole (decompressed) input; for large inputs prefer `stream`. */
  readAll(): Promise<Buffer>;
  /** The whole (decompressed) input as a byte stream, head included. */
  stream(): Readable;
  /** Large uncompressed files only: the bytes read synchronously, chunk by chunk. */
  chunks?: () => Iterable<Buffer>;
}

/** Open a file (or stdin, "-") for reading: its first bytes for format detection, gzip/zstd undone. */
export async function openSource(name: string): Promise<OpenedSource> {
  if (name === "-") return openSourceStream(name, process.stdin);
  const fd = openSync(name, "r");
  let modified: Date;
  try {
    const stat = fstatSync(fd);
    modified = stat.mtime;
    if (stat.size <= WHOLE_FILE_BYTES) {
      const whole = readWhole(fd, stat.size);
      if (!isCompressed(whole)) return fromBuffer(name, whole, modified);
      return openSourceStream(name, Readable.from([whole], { objectMode: false }), modified);
    }
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    const got = readSync(fd, head, 0, HEAD_BYTES, 0);
    if (!isCompressed(head.subarray(0, got))) return fromLargeFile(name, head.subarray(0, got), modified);
  } finally {
    closeSync(fd);
  }
  return openSourceStream(name, createReadStream(name, { highWaterMark: 256 * 1024 }), modified);
}

/**
 * A file small enough to read at once and not compressed, read whole; null otherwise (and for stdin):
 * then openInput streams it. Throws like openInput when the file cannot be opened.
 */
export function openWholeFile(name: string): OpenedSource | null {
  if (name === "-") return null;
  const fd = openSync(name, "r");
  try {
    const stat = fstatSync(fd);
    if (stat.size > WHOLE_FILE_BYTES) return null;
    const whole = readWhole(fd, stat.size);
    return isCompressed(whole) ? null : fromBuffer(name, whole, stat.mtime);
  } finally {
    closeSync(fd);
  }
}

/** Chunk size for reading big files. */
const CHUNK_BYTES = 1024 * 1024;

function fromLargeFile(name: string, head: Buffer, modified: Date): OpenedSource {
  return {
    name,
    modified,
    head,
    whole: null,
    readAll: async () => readFileSync(name),
    stream: () => Readable.from(fileChunksAhead(name), { objectMode: false }),
    chunks: () => fileChunks(name),
  };
}

/**
 * A big file's chunks, the next one read on libuv's thread pool while this one is parsed: reading
 * (a copy out of the page cache) leaves the main thread's critical path.
 */
async function* fileChunksAhead(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, "r");
  const read = async (): Promise<Buffer> => {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
    return bytesRead < CHUNK_BYTES ? chunk.subarray(0, bytesRead) : chunk;
  };
  let next = read();
  try {
    for (;;) {
      const chunk = await next;
      if (chunk.length === 0) return;
      next = read();
      yield chunk;
    }
  } finally {
    await next.catch(() => undefined); // never close under a read in flight
    await handle.close();
  }
}

function* fileChunks(path: string): Generator<Buffer> {
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const got = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (got === 0) return;
      yield got < CHUNK_BYTES ? chunk.subarray(0, got) : chunk;
    }
  } finally {
    closeSync(fd);
  }
}

/** Read a file of known size with one read (readFileSync would fstat again and read once more to find EOF). */
function readWhole(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buffer, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return got < size ? buffer.subarray(0, got) : buffer;
}

function fromBuffer(name: string, whole: Buffer, modified: Date | null): OpenedSource {
  return {
    name,
    modified,
    head: whole.length > HEAD_BYTES ? whole.subarray(0, HEAD_BYTES) : whole,
    whole,
    readAll: async () => whole,
    stream: () => Readable.from([whole], { objectMode: false }),
  };
}

/** Peek at a stream's first bytes (decompressing first when it is gzip/zstd) without losing them. */
export async function openSourceStream(
  name: string,
  source: Readable,
  modified: Date | null = null,
): Promise<OpenedSource> {
  let peeked = await peek(source);
  if (isCompressed(peeked.head)) {
    peeked = await peek(peeked.rest.pipe(decompressor(compressionOf(peeked.head) ?? "gzip")));
  }
  const { head, rest } = peeked;
  return {
    name,
    modified,
    head: head.length > HEAD_BYTES ? head.subarray(0, HEAD_BYTES) : head,
    whole: null,
    readAll: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of rest) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stream: () => rest,
  };
}

async function peek(source: Readable): Promise<{ head: Buffer; rest: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === "string" ? Buffer.from(next.value) : (next.value as Buffer);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield typeof next.value === "string" ? Buffer.from(next.value) : (next.value as Buffer);
    }
  }
  return { head, rest: Readable.from(replay(), { objectMode: false }) };
}

function isCompressed(head: Buffer): boolean {
  return compressionOf(head) !== null;
}
