import type { ParseProblem } from "../events/event.ts";
import { recordsFromEmail, splitMbox } from "./email/index.ts";
import type { BounceRecord } from "./record.ts";

type Item = BounceRecord | ParseProblem;

/** Every message of an mbox (or the one message), records in the order each message reports them. */
export function* classifyEmailBuffer(raw: Buffer, file: string): Generator<Item> {
  const messages = splitMbox(raw);
  for (const message of messages) {
    const { records, problems } = recordsFromEmail(
      message.raw,
      file,
      messages.length > 1 ? message.line : null,
    );
    yield* records;
    yield* problems;
  }
}

/** A run of whole messages of an mbox, and the line it starts on. */
export interface Segment {
  raw: Buffer;
  line: number;
}

/** The messages of one segment, records and problems in order, line numbers those of the whole mbox. */
export function classifySegment(raw: Buffer, file: string, first: number): Item[] {
  const items: Item[] = [];
  for (const message of splitMbox(raw)) {
    const { records, problems } = recordsFromEmail(message.raw, file, first + message.line - 1);
    items.push(...records, ...problems);
  }
  return items;
}

/** Cut a streamed mbox into segments of whole messages once this much is buffered. */
const SEGMENT_BYTES = 4 * 1024 * 1024;
const FROM_AFTER_BLANK = Buffer.from("\n\nFrom ");
const FROM_AFTER_BLANK_CRLF = Buffer.from("\r\n\r\nFrom ");

/**
 * Buffers a streamed mbox up to a message boundary (a `From ` line after an empty line, as splitMbox
 * decides), so each segment can be split and classified alone, line numbers kept.
 */
export class MboxSegmenter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private line = 1;
  private mbox: boolean | null = null;

  /** A segment once enough is buffered, else null. */
  push(chunk: Buffer): Segment | null {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Only an mbox is cut: one big message may hold "From " lines in its body.
    this.mbox ??= this.pendingBytes >= 5 ? this.pending[0].toString("latin1", 0, 5) === "From " : null;
    if (this.pendingBytes < SEGMENT_BYTES || this.mbox !== true) return null;
    const buffered = Buffer.concat(this.pending, this.pendingBytes);
    const cut = lastBoundary(buffered);
    if (cut <= 0) {
      this.pending = [buffered];
      return null;
    }
    const segment = { raw: buffered.subarray(0, cut), line: this.line };
    this.line += countNewlines(segment.raw);
    const rest = buffered.subarray(cut);
    this.pending = [rest];
    this.pendingBytes = rest.length;
    return segment;
  }

  /** What is left at the end of input, or null. */
  finish(): Segment | null {
    if (this.pendingBytes === 0) return null;
    return { raw: Buffer.concat(this.pending, this.pendingBytes), line: this.line };
  }
}

/** A large mbox from a stream, in bounded memory, one batch per segment. */
export async function* classifyEmailStream(
  chunks: AsyncIterable<Buffer>,
  file: string,
): AsyncGenerator<Item[]> {
  const segmenter = new MboxSegmenter();
  let damage: unknown = null;
  try {
    for await (const chunk of chunks) {
      const segment = segmenter.push(chunk);
      if (segment) yield classifySegment(segment.raw, file, segment.line);
    }
  } catch (error) {
    // A truncated or corrupt gzip/zstd input: every message decoded before the damage is still classified.
    damage = error;
  }
  const last = segmenter.finish();
  if (last) yield classifySegment(last.raw, file, last.line);
  if (damage !== null)
    yield [
      {
        source: { file, line: null },
        message: `input could not be read to the end: ${damage instanceof Error ? damage.message : String(damage)}`,
      },
    ];
}

/** The same from a file read synchronously: segments are classified on two threads when allowed. */
export async function* classifyEmailChunks(chunks: Iterable<Buffer>, file: string): AsyncGenerator<Item[]> {
  const segments = (function* () {
    const segmenter = new MboxSegmenter();
    for (const chunk of chunks) {
      const segment = segmenter.push(chunk);
      if (segment) yield { raw: segment.raw as Uint8Array, file, line: segment.line };
    }
    const last = segmenter.finish();
    if (last) yield { raw: last.raw as Uint8Array, file, line: last.line };
  })();
  const local = (job: { raw: Uint8Array; line: number }) =>
    classifySegment(job.raw as Buffer, file, job.line);
  const { inOrderOnTwoThreads, threadsAllowed } = await import("./classify-parallel.ts");
  if (!threadsAllowed()) {
    for (const segment of segments) yield local(segment);
    return;
  }
  for await (const items of inOrderOnTwoThreads("mbox", segments, {}, local)) yield items as Item[];
}

/** Offset of the last `From ` line that follows an empty line (where the next message starts), or -1. */
function lastBoundary(raw: Buffer): number {
  const lf = raw.lastIndexOf(FROM_AFTER_BLANK);
  const crlf = raw.lastIndexOf(FROM_AFTER_BLANK_CRLF);
  if (lf < 0 && crlf < 0) return -1;
  return lf > crlf ? lf + 2 : crlf + 4;
}

function countNewlines(raw: Buffer): number {
  let count = 0;
  for (let at = raw.indexOf(10); at >= 0; at = raw.indexOf(10, at + 1)) count++;
  return count;
}
