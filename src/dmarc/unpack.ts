import { Readable } from "node:stream";
import { createGunzip, gunzipSync, inflateRawSync, constants as zlibConstants } from "node:zlib";
import yauzl from "yauzl";
import { describeLimit, LimitError, limitOf } from "../util/limits.ts";
import { ReportError } from "./types.ts";

/**
 * Report containers, read as streams and never written to disk: gzip (node:zlib) and zip (yauzl, which
 * reads entries from the central directory and checks each entry's size while it inflates). Limits are
 * enforced while decompressing, before the parser sees a byte: a report's decompressed size
 * (`reportBytes`) and, past 4 MiB, its expansion per compressed byte read (`reportRatio`). Zip entry
 * names are labels only, never paths: `../../x.xml` is read like any other entry and nothing is extracted.
 */

export type Container = "zip" | "gzip" | "xml" | "json" | "empty" | "other";

/** Bytes decompressed before the expansion ratio is looked at (small reports compress well, legitimately). */
export const RATIO_FLOOR_BYTES = 4 * 1024 * 1024;
/** Compressed bytes handed to the inflater at a time, so the bytes read so far are known. */
const SLICE = 16 * 1024;

/** What the first bytes are (magic bytes, as parsedmarc sniffs them: never the file name). */
export function containerOf(head: Uint8Array): Container {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return "zip";
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09))
    i++;
  if (i >= head.length) return "empty";
  // `<` and a digit is no XML (a name never starts with one): a syslog PRI part, `<22>Feb  2 …` (RFC 3164).
  if (head[i] === 0x3c && !(head[i + 1] >= 0x30 && head[i + 1] <= 0x39)) return "xml";
  if (head[i] === 0x7b) return "json";
  return "other";
}

/** A source whose first chunk can be looked at before it is read. */
export async function peek(
  source: AsyncIterable<Buffer>,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      if (!first.done) yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { head, rest: rest() };
}

/** The bytes of `source`, refused once they pass the report size limit. */
export async function* bounded(source: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  const max = limitOf("reportBytes");
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max) throw tooLarge(label, max);
    yield chunk;
  }
}

function tooLarge(label: string, max: number): LimitError {
  return new LimitError("reportBytes", `${label} is larger than ${describeLimit("reportBytes", max)}`);
}

function tooExpanded(label: string, out: number, compressed: number): LimitError {
  return new LimitError(
    "reportRatio",
    `${label} expands beyond ${describeLimit("reportRatio")}: ${out.toLocaleString("en-US")} bytes from ${compressed.toLocaleString("en-US")}`,
  );
}

/** A buffer in slices, counting what was taken. */
async function* sliced(buffer: Buffer, counter: { bytes: number }): AsyncGenerator<Buffer> {
  for (let at = 0; at < buffer.length; at += SLICE) {
    const slice = buffer.subarray(at, at + SLICE);
    counter.bytes += slice.length;
    yield slice;
  }
}

async function* counted(source: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    for (let at = 0; at < chunk.length; at += SLICE) {
      const slice = chunk.subarray(at, at + SLICE);
      counter.bytes += slice.length;
      yield slice;
    }
  }
}

/**
 * zlib's chunk size for an output of `bytes`: one buffer of that size and a byte (zlib fills its output
 * in chunks, 16 KiB by default, and joins them at the end: three buffers and a copy for a 32 KiB report,
 * memory outside the heap that drove the reader threads' full garbage collections, notes/dmarc.md).
 * An output that is larger than stated still comes whole, in more chunks.
 */
function oneChunk(bytes: number): number {
  return Math.max(zlibConstants.Z_MIN_CHUNK, bytes + 1);
}

/**
 * A small gzip held in memory, inflated in one call (a stream costs more than inflating a typical report):
 * its bytes if they come to at most RATIO_FLOOR_BYTES (and the report size limit), below which no ratio
 * applies. Null for anything else — larger, damaged, or followed by stray bytes — which gunzipBounded
 * then reads as a stream, with its limits and error messages.
 */
export function gunzipSmall(compressed: Buffer): Buffer | null {
  const max = Math.min(RATIO_FLOOR_BYTES, limitOf("reportBytes"));
  // The size the trailer states (ISIZE, RFC 1952 §2.3.1: https://www.rfc-editor.org/rfc/rfc1952#section-2.3.1),
  // within the limit: when it is true, the output is one buffer.
  const stated = compressed.length >= 18 ? compressed.readUInt32LE(compressed.length - 4) : 0;
  try {
    return gunzipSync(compressed, { maxOutputLength: max, chunkSize: oneChunk(Math.min(stated, max)) });
  } catch {
    return null;
  }
}

/**
 * The decompressed bytes of a gzip stream (concatenated members included), refused at the report size
 * limit or, past RATIO_FLOOR_BYTES, at the expansion ratio of the compressed bytes taken so far.
 */
export async function* gunzipBounded(
  source: AsyncIterable<Buffer> | Buffer,
  label: string,
): AsyncGenerator<Buffer> {
  const fed = { bytes: 0 };
  const input = Readable.from(Buffer.isBuffer(source) ? sliced(source, fed) : counted(source, fed), {
    objectMode: false,
    highWaterMark: SLICE,
  });
  const gunzip = createGunzip();
  input.on("error", (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  // The ratio is taken against the compressed bytes zlib has consumed (not those queued ahead of it).
  const consumed = {
    get bytes() {
      return gunzip.bytesWritten;
    },
  };
  yield* limitExpansion(gunzip, consumed, label);
}

async function* limitExpansion(
  stream: AsyncIterable<Buffer> & { destroy(error?: Error): void },
  counter: { bytes: number },
  label: string,
): AsyncGenerator<Buffer> {
  const max = limitOf("reportBytes");
  const ratio = limitOf("reportRatio");
  let out = 0;
  try {
    for await (const chunk of stream) {
      out += chunk.length;
      if (out > max) throw tooLarge(label, max);
      if (out > RATIO_FLOOR_BYTES && out > ratio * Math.max(1, counter.bytes))
        throw tooExpanded(label, out, counter.bytes);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof LimitError || error instanceof ReportError) throw error;
    // A complete gzip member followed by bytes that are no gzip header (Mimecast appends CRLF): the
    // member's checksum was verified, so what it held is the report and the trailing bytes are ignored.
    const code = (error as NodeJS.ErrnoException).code;
    if (out > 0 && code === "Z_DATA_ERROR" && /incorrect header check/.test(String(error))) return;
    if (/too many bytes in the stream/.test(String(error)))
      throw new ReportError("bad-zip", `${label} inflates to more than the size its zip header declares`);
    throw new ReportError("bad-compression", `${label}: damaged compressed data (${describe(error)})`);
  } finally {
    stream.destroy();
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0].slice(0, 160);
}

export interface ZipEntry {
  /** The entry's name as a label (escaped wherever shown, never used as a path). */
  name: string;
  /** Its bytes: inflated already (a small entry of a zip held in memory), or a stream. */
  source: Buffer | AsyncIterable<Buffer>;
}

/**
 * The entries of a zip file (a path or a buffer), one at a time. An entry that declares more than the
 * limits is refused before it is inflated; one that inflates to more than it declared (a lying header) is
 * stopped by yauzl at its declared size; entries past `zipEntries` are refused.
 */
export async function* zipEntries(input: string | Buffer, label: string): AsyncGenerator<ZipEntry> {
  const zip = await openZip(input, label);
  const maxEntries = limitOf("zipEntries");
  const max = limitOf("reportBytes");
  const ratio = limitOf("reportRatio");
  let seen = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip, label);
      if (!entry) return;
      const name = entryName(entry);
      if (name.endsWith("/")) continue;
      seen++;
      if (seen > maxEntries)
        throw new LimitError(
          "zipEntries",
          `${label} holds more than ${describeLimit("zipEntries", maxEntries)}`,
        );
      const where = `${label}, entry ${name}`;
      if (entry.uncompressedSize > max) throw tooLarge(where, max);
      if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > ratio * entry.compressedSize)
        throw tooExpanded(where, entry.uncompressedSize, entry.compressedSize);
      const inflated = Buffer.isBuffer(input) ? inflateSmallEntry(input, entry) : null;
      if (inflated) {
        yield { name, source: inflated };
        continue;
      }
      const stream = await openEntry(zip, entry, where);
      // yauzl reads exactly the entry's compressed bytes, so they bound the ratio from above.
      const counter = { bytes: entry.compressedSize };
      yield { name, source: limitExpansion(stream, counter, where) };
    }
  } finally {
    zip.close();
  }
}

/** Local file header (APPNOTE.TXT §4.3.7, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT). */
const LOCAL_HEADER = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;

/**
 * A small entry of a zip held in memory, inflated in one call (as gunzipSmall): its bytes when the entry is
 * stored or deflated, not encrypted, declares at most RATIO_FLOOR_BYTES, and inflates to exactly the size
 * it declares. Null for anything else, which yauzl then reads as a stream with its checks and messages.
 */
function inflateSmallEntry(zip: Buffer, entry: yauzl.Entry): Buffer | null {
  const declared = entry.uncompressedSize;
  if (declared > Math.min(RATIO_FLOOR_BYTES, limitOf("reportBytes"))) return null;
  if (entry.generalPurposeBitFlag & 0x1 || (entry.compressionMethod !== 0 && entry.compressionMethod !== 8))
    return null;
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + LOCAL_HEADER_BYTES > zip.length || zip.readUInt32LE(at) !== LOCAL_HEADER) return null;
  const start = at + LOCAL_HEADER_BYTES + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) return null;
  const data = zip.subarray(start, end);
  if (entry.compressionMethod === 0) return data.length === declared ? data : null;
  try {
    const out = inflateRawSync(data, {
      maxOutputLength: Math.max(1, declared),
      chunkSize: oneChunk(declared),
    });
    return out.length === declared ? out : null;
  } catch {
    return null;
  }
}

function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer | string;
  const text =
    typeof raw === "string" ? raw : raw.toString(entry.generalPurposeBitFlag & 0x800 ? "utf8" : "latin1");
  return text.slice(0, 200);
}

function openZip(input: string | Buffer, label: string): Promise<yauzl.ZipFile> {
  const options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: yauzl.ZipFile) => {
      if (error || !zip)
        reject(new ReportError("bad-zip", `${label}: not a readable zip (${describe(error)})`));
      else resolve(zip);
    };
    if (typeof input === "string") yauzl.open(input, options, done);
    else yauzl.fromBuffer(input, options, done);
  });
}

function nextEntry(zip: yauzl.ZipFile, label: string): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (entry: yauzl.Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new ReportError("bad-zip", `${label}: damaged zip (${describe(error)})`));
    };
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

function openEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  where: string,
): Promise<AsyncIterable<Buffer> & { destroy(error?: Error): void }> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream)
        reject(new ReportError("bad-zip", `${where}: cannot be read (${describe(error)})`));
      else resolve(stream as unknown as AsyncIterable<Buffer> & { destroy(error?: Error): void });
    });
  });
}
