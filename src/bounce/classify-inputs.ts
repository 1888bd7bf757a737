import {
  closeSync,
  createReadStream,
  type Dirent,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import { sep } from "node:path";
import { Readable } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";

/**
 * Opening what `classify` is given: files, directories (every file below, in byte order of path) and
 * stdin, with a peek at the first bytes for format detection and transparent gzip/zstd.
 */

/** Bytes looked at to detect the format. */
export const HEAD_BYTES = 64 * 1024;
/** Files up to this size are read in one go (bounce emails); larger ones are streamed. */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;

export interface OpenedInput {
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

export interface ExpandedInputs {
  paths: string[];
  /** Inputs that do not exist or cannot be listed: `path: reason`. */
  unreadable: string[];
}

/** Expand directories recursively; keep `-` and files in the order given. */
export function expandInputs(args: readonly string[]): ExpandedInputs {
  const paths: string[] = [];
  const unreadable: string[] = [];
  for (const arg of args) {
    if (arg === "-") {
      paths.push(arg);
      continue;
    }
    try {
      if (statSync(arg).isDirectory()) paths.push(...filesBelow(arg, unreadable));
      else paths.push(arg);
    } catch (error) {
      unreadable.push(`${arg}: ${describeError(error)}`);
    }
  }
  return { paths, unreadable };
}

/**
 * Every file below a directory, in byte order of path. Symlinked files count; symlinked directories are
 * not entered (Node's recursive readdir would follow them into loops). Unlistable subdirectories are noted.
 */
function filesBelow(directory: string, unreadable: string[]): string[] {
  const files: Array<{ path: string; bytes: Buffer }> = [];
  const pending = [directory.endsWith(sep) && directory.length > 1 ? directory.slice(0, -1) : directory];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      unreadable.push(`${dir}: ${describeError(error)}`);
      continue;
    }
    for (const entry of entries) {
      const path = `${dir}${sep}${entry.name}`;
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() || (entry.isSymbolicLink() && isFileTarget(path))) {
        files.push({ path, bytes: Buffer.from(path) });
      }
    }
  }
  return files.sort((a, b) => Buffer.compare(a.bytes, b.bytes)).map((file) => file.path);
}

function isFileTarget(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export async function openInput(name: string): Promise<OpenedInput> {
  if (name === "-") return fromStream(name, process.stdin);
  const fd = openSync(name, "r");
  let modified: Date;
  try {
    const stat = fstatSync(fd);
    modified = stat.mtime;
    if (stat.size <= WHOLE_FILE_BYTES) {
      const whole = readWhole(fd, stat.size);
      if (!isCompressed(whole)) return fromBuffer(name, whole, modified);
      return fromStream(name, Readable.from([whole], { objectMode: false }), modified);
    }
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    const got = readSync(fd, head, 0, HEAD_BYTES, 0);
    if (!isCompressed(head.subarray(0, got))) return fromLargeFile(name, head.subarray(0, got), modified);
  } finally {
    closeSync(fd);
  }
  return fromStream(name, createReadStream(name, { highWaterMark: 256 * 1024 }), modified);
}

/**
 * A file small enough to read at once and not compressed, read whole; null otherwise (and for stdin):
 * then openInput streams it. Throws like openInput when the file cannot be opened.
 */
export function openWholeFile(name: string): OpenedInput | null {
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

/** Chunk size for reading big files; read synchronously: no thread-pool round trip per chunk. */
const CHUNK_BYTES = 1024 * 1024;

function fromLargeFile(name: string, head: Buffer, modified: Date): OpenedInput {
  return {
    name,
    modified,
    head,
    whole: null,
    readAll: async () => readFileSync(name),
    stream: () => Readable.from(fileChunks(name), { objectMode: false }),
    chunks: () => fileChunks(name),
  };
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

function fromBuffer(name: string, whole: Buffer, modified: Date | null): OpenedInput {
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
export async function fromStream(
  name: string,
  source: Readable,
  modified: Date | null = null,
): Promise<OpenedInput> {
  let peeked = await peek(source);
  if (isCompressed(peeked.head)) {
    const decompress = peeked.head[0] === 0x1f ? createGunzip() : createZstdDecompress();
    peeked = await peek(peeked.rest.pipe(decompress));
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
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  return head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528;
}

export function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return error instanceof Error ? error.message : String(error);
}
