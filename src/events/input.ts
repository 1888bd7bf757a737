import { closeSync, createReadStream, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";
import { LIMITS, LimitError, limitOf } from "../util/limits.ts";
import { isJournalHead, JOURNAL_HEAD_BYTES, journalLines } from "./journal.ts";

/** Compression is recognised by magic bytes, never by file extension. */
export type Compression = "gzip" | "zstd" | null;

export function compressionOf(bytes: Uint8Array): Compression {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return "gzip";
  if (bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) {
    return "zstd";
  }
  return null;
}

/** Compressed bytes held back until the end: a gzip trailer (CRC32, size), the most a zstd checksum takes. */
const TAIL_BYTES = 8;
/** Decompressed chunks queued ahead of the reader before the engine is paused. */
const QUEUED_CHUNKS = 8;

/**
 * The decompressed bytes of `source`; damage (a truncated or corrupt stream) is thrown only after every
 * byte decoded before it was yielded. zlib drops the output it holds (up to one 16 KiB chunk) when it
 * meets damage, so the engine is flushed before the last compressed bytes (where a gzip trailer's checksum
 * fails) and at the end of input (where a truncated stream fails); and a stream destroyed by an error
 * drops what its reader has not taken yet, so chunks are queued here, not in the engine.
 */
async function* inflate(
  source: AsyncIterable<Buffer | string>,
  kind: "gzip" | "zstd",
): AsyncGenerator<Buffer> {
  const engine = kind === "gzip" ? createGunzip() : createZstdDecompress();
  // The decompressed-bytes limit (src/util/limits.ts): past both the floor and the ratio × the compressed
  // bytes fed so far, reading stops with a LimitError (a compression bomb is never decompressed whole).
  const floor = limitOf("decompressedBytes");
  const ratio = limitOf("decompressionRatio");
  let compressed = 0;
  let decompressed = 0;
  const queue: Buffer[] = [];
  let damage: unknown = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  engine.on("data", (chunk: Buffer) => {
    queue.push(chunk);
    if (queue.length >= QUEUED_CHUNKS) engine.pause();
    notify();
  });
  engine.on("error", (error) => {
    damage ??= error;
    ended = true;
    notify();
  });
  engine.on("end", () => {
    ended = true;
    notify();
  });
  const settled = () => ended || engine.destroyed;
  // Resolves on the event, or when the engine fails or closes first (then nothing more is written).
  const until = (start: (done: () => void) => void) =>
    new Promise<void>((resolve) => {
      const done = () => {
        engine.off("drain", done);
        engine.off("close", done);
        engine.off("error", done);
        resolve();
      };
      engine.on("close", done);
      engine.on("error", done);
      start(done);
    });
  const drained = () => until((done) => engine.on("drain", done));
  const flushed = () => until((done) => engine.flush(done));
  const feed = async () => {
    let tail: Buffer = Buffer.alloc(0);
    try {
      for await (const chunk of source) {
        if (settled()) return;
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        compressed += bytes.length;
        const joined = tail.length > 0 ? Buffer.concat([tail, bytes]) : bytes;
        const cut = Math.max(0, joined.length - TAIL_BYTES);
        tail = Buffer.from(joined.subarray(cut));
        if (cut > 0 && !engine.write(joined.subarray(0, cut))) await drained();
      }
      if (settled()) return;
      await flushed();
      if (settled()) return;
      engine.write(tail);
      await flushed();
      if (!settled()) engine.end();
    } catch (error) {
      damage ??= error;
      ended = true;
      engine.destroy();
      notify();
    }
  };
  const feeding = feed();
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        decompressed += chunk.length;
        if (decompressed > floor && decompressed > ratio * compressed) {
          damage = tooMuchDecompressed(kind, floor, ratio);
          break;
        }
        if (queue.length < QUEUED_CHUNKS / 2 && engine.isPaused()) engine.resume();
        yield chunk;
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    engine.destroy();
    await feeding;
  }
  if (damage !== null) throw damage;
}

function tooMuchDecompressed(kind: "gzip" | "zstd", floor: number, ratio: number): LimitError {
  const { env } = LIMITS.decompressedBytes;
  const ratioEnv = LIMITS.decompressionRatio.env;
  return new LimitError(
    "decompressedBytes",
    `${kind} input expands to more than ${Math.round(floor / 1024 / 1024)} MiB and ${ratio}× its compressed size: the limit of decompressed bytes per input (raise it with ${env} or ${ratioEnv}); read up to there`,
  );
}

/** A byte stream of `inflate`; it reads no chunk ahead, so an error never discards one not yet read. */
function decompress(source: AsyncIterable<Buffer | string>, kind: "gzip" | "zstd"): Readable {
  return Readable.from(inflate(source, kind), { objectMode: false, highWaterMark: 1 });
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
  return decompress(file, kind);
}

/** Bytes compressionOf looks at: the longest magic (zstd's). */
const MAGIC_BYTES = 4;

/**
 * The byte chunks of any stream (stdin included), decompressed when its first bytes say gzip/zstd, and a
 * journal export (journal.ts) as its syslog lines. The first chunks are gathered to MAGIC_BYTES before the
 * magic is judged: a pipe's first read may hold fewer.
 */
export async function* decompressedChunks(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const chunks = gathered(bufferChunks(input), MAGIC_BYTES);
  const first = await chunks.next();
  if (first.done) return;
  const kind = compressionOf(first.value);
  async function* all(): AsyncGenerator<Buffer> {
    yield first.value as Buffer;
    yield* chunks;
  }
  yield* unjournaled(kind ? inflate(all(), kind) : all());
}

async function* bufferChunks(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of input) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
}

/**
 * `chunks` with the first ones joined into one of at least `bytes` bytes (or all there is), then the rest as
 * they come: what is judged by its first bytes sees them whatever sizes the stream's reads had. Nothing for an
 * empty stream.
 */
async function* gathered(chunks: AsyncIterable<Buffer>, bytes: number): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  const heads: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    heads.push(next.value);
    length += next.value.length;
  }
  if (length === 0) return;
  yield heads.length === 1 ? heads[0] : Buffer.concat(heads);
  if (length < bytes) return;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
}

/**
 * Chunks as they are, or a journal export's (its first bytes say so) as its syslog lines. The chunks are
 * gathered to JOURNAL_HEAD_BYTES first: a stream's first chunk may hold fewer (a pipe, an inflated stream).
 */
async function* unjournaled(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const all = gathered(chunks, JOURNAL_HEAD_BYTES);
  const first = await all.next();
  if (first.done) return;
  async function* again(): AsyncGenerator<Buffer> {
    yield first.value as Buffer;
    yield* all;
  }
  yield* isJournalHead(first.value) ? journalLines(again()) : again();
}

/**
 * Whether a file's first bytes say its bytes are not its lines as they are: compressed, or a journal export.
 * Such a file is read as a stream (openSource), never by byte ranges or as a log's plain bytes.
 */
export function isEncoded(head: Uint8Array): boolean {
  return compressionOf(head) !== null || isJournalHead(head);
}

/** Bytes `isEncoded` looks at. */
export const ENCODING_HEAD_BYTES = JOURNAL_HEAD_BYTES;

/** isEncoded of an open file's first bytes. */
export function isEncodedFile(fd: number): boolean {
  const head = Buffer.alloc(ENCODING_HEAD_BYTES);
  return isEncoded(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
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
export const WHOLE_FILE_BYTES = 4 * 1024 * 1024;

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
  let fd: number;
  try {
    fd = openSync(name, "r");
  } catch (error) {
    // /dev/stdin when stdin is a socket (as some process managers and Node's own `spawn` make it): Linux
    // refuses to open it by name; it is this process's stdin all the same.
    if (
      (error as NodeJS.ErrnoException).code === "ENXIO" &&
      /^\/(?:dev\/stdin|proc\/self\/fd\/0)$/.test(name)
    )
      return openSourceStream(name, process.stdin);
    throw error;
  }
  let modified: Date;
  let handedOver = false;
  try {
    const stat = fstatSync(fd);
    modified = stat.mtime;
    // A pipe, FIFO or device (`/dev/stdin`, `<(…)`): stat.size says 0 and it cannot be read twice; stream
    // it from the descriptor already open (a FIFO's writer must never find it without a reader).
    if (!stat.isFile()) {
      handedOver = true;
      return openSourceStream(name, createReadStream(name, { fd, highWaterMark: 256 * 1024 }), modified);
    }
    if (stat.size <= WHOLE_FILE_BYTES) {
      const whole = readWhole(fd, stat.size);
      if (!isEncoded(whole)) return new WholeInput(name, whole, modified);
      return openSourceStream(name, Readable.from([whole], { objectMode: false }), modified);
    }
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    const got = readSync(fd, head, 0, HEAD_BYTES, 0);
    if (!isEncoded(head.subarray(0, got))) return fromLargeFile(name, head.subarray(0, got), modified);
  } finally {
    if (!handedOver) closeSync(fd);
  }
  return openSourceStream(name, createReadStream(name, { highWaterMark: 256 * 1024 }), modified);
}

/**
 * A file small enough to read at once and not compressed, read whole; null otherwise (and for stdin):
 * then openSource streams it. Throws like openSource when the file cannot be opened. Synchronous: for a
 * directory of small files (bounce emails) a read from the page cache costs less than handing it to
 * libuv's thread pool and waking up for its answer (measured: 14,000 files, 1.2 CPU-s less); the two
 * threads of `classify` each read their own files, so a disk wait of one overlaps the other's parsing.
 * The file is read into `scratch` first: one that ends before the scratch does is whole after that one read
 * (a read of a regular file stops short only at its end), with no fstat (its modification time is looked up
 * only if a reader asks for it: logs, for the year of their timestamps). A file that fills the scratch, or
 * cannot be read by position (a pipe, a terminal, a directory), is looked at with fstat as before. Its bytes
 * (whole, head) last until the next file is read into the same scratch, so the caller finishes with each
 * file first.
 */
export function openWholeFile(name: string, scratch: Buffer): OpenedSource | null {
  if (name === "-") return null;
  const fd = openSync(name, "r");
  try {
    const got = readAt0(fd, scratch);
    if (got !== null && got < scratch.length) return wholeFileRead(name, scratch.subarray(0, got));
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > WHOLE_FILE_BYTES) return null;
    const whole = readWhole(fd, stat.size, scratch);
    return isEncoded(whole) ? null : new WholeInput(name, whole, stat.mtime);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file whose bytes one read from its start gave whole (it ended before the read's buffer did), as
 * openWholeFile opens it: null when compressed (streamed then).
 */
export function wholeFileRead(name: string, whole: Buffer): OpenedSource | null {
  return isEncoded(whole) ? null : new WholeInput(name, whole, undefined);
}

/** Bytes read from the start into `into`, in one read; null when the descriptor cannot be read by position. */
function readAt0(fd: number, into: Buffer): number | null {
  try {
    return readSync(fd, into, 0, into.length, 0);
  } catch {
    return null; // ESPIPE (pipe, terminal, socket), EISDIR…: fstat tells what it is
  }
}

/** A file's modification time by its path (the file was just read whole), or null if it is gone. */
function modifiedOf(name: string): Date | null {
  try {
    return statSync(name).mtime;
  } catch {
    return null;
  }
}

/** Chunk size for reading big files. */
export const CHUNK_BYTES = 1024 * 1024;

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
/**
 * The file's bytes: into `scratch` when they fit (valid until the next read into it), else a buffer of
 * their own. A buffer per file costs more than reading a small file (a new ArrayBuffer above 4 KB).
 */
function readWhole(fd: number, size: number, scratch?: Buffer): Buffer {
  const buffer =
    scratch !== undefined && size <= scratch.length ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buffer, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return got < size ? buffer.subarray(0, got) : buffer;
}

/**
 * An input read whole (a bounce email, a small log). A class, not an object literal: a literal with a getter
 * and closures makes a new accessor and three closures per input, and a hidden class of its own — a folder of
 * 14,000 bounce emails made 14,000, and every read of its fields megamorphic.
 */
class WholeInput implements OpenedSource {
  readonly name: string;
  readonly head: Buffer;
  readonly whole: Buffer;
  /** Undefined until asked, when it was not known at the read: a stat saved for the formats that never ask. */
  #modified: Date | null | undefined;

  constructor(name: string, whole: Buffer, modified: Date | null | undefined) {
    this.name = name;
    this.head = whole.length > HEAD_BYTES ? whole.subarray(0, HEAD_BYTES) : whole;
    this.whole = whole;
    this.#modified = modified;
  }

  get modified(): Date | null {
    if (this.#modified === undefined) this.#modified = modifiedOf(this.name);
    return this.#modified;
  }

  readAll(): Promise<Buffer> {
    return Promise.resolve(this.whole);
  }

  stream(): Readable {
    return Readable.from([this.whole], { objectMode: false });
  }
}

/** Peek at a stream's first bytes (decompressing first when it is gzip/zstd) without losing them. */
export async function openSourceStream(
  name: string,
  source: Readable,
  modified: Date | null = null,
): Promise<OpenedSource> {
  let peeked = await peek(source);
  if (isCompressed(peeked.head)) {
    peeked = await peek(decompress(peeked.rest, compressionOf(peeked.head) ?? "gzip"));
  }
  if (isJournalHead(peeked.head))
    peeked = await peek(Readable.from(journalLines(peeked.rest), { objectMode: false }));
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
  // A truncated or corrupt gzip/zstd stream can fail within its first bytes: what was decoded before the
  // damage is still the input's head, and the error is raised where the reader reports it (after those bytes).
  let damage: unknown = null;
  while (size < HEAD_BYTES) {
    let next: IteratorResult<Buffer | string>;
    try {
      next = await iterator.next();
    } catch (error) {
      damage = error;
      ended = true;
      break;
    }
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === "string" ? Buffer.from(next.value) : (next.value as Buffer);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  if (damage !== null && head.length === 0) throw damage;
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (damage !== null) throw damage;
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
