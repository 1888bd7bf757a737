import { countNewlines } from "../bounce/email/mbox.ts";
import type { ParseProblem } from "../events/event.ts";
import { describeLimit, limitOf } from "../util/limits.ts";

/**
 * A run of whole messages of an mbox, and the line it starts on; or (raw empty) a message skipped for its
 * size, with the problem that says so.
 */
export interface Segment {
  raw: Buffer;
  line: number;
  problem?: ParseProblem;
  /** Where `raw` starts in the input (a segment of messages; not a skipped-message problem). */
  offset?: number;
}

/** The segments of an mbox's chunks, in order (the segmenter's, to its end or its stop). */
export function* segmentsOf(chunks: Iterable<Buffer>, segmenter: MboxSegmenter): Generator<Segment> {
  for (const chunk of chunks) {
    yield* segmenter.push(chunk);
    if (segmenter.done) break;
  }
  yield* segmenter.finish();
}

/**
 * Cut a streamed mbox into segments of whole messages once this much is buffered: a few hundred bounce
 * emails, so two processes share a big mbox in jobs small enough to end together (mbox-in-jobs.ts).
 */
export const SEGMENT_BYTES = 1024 * 1024;
const FROM_AFTER_BLANK = Buffer.from("\n\nFrom ");
// The empty line may be a lone CR whatever ended the line before it (splitMbox's precededByBlankLine).
const FROM_AFTER_BLANK_CR = Buffer.from("\n\r\nFrom ");
/** Bytes of earlier input searched again with each chunk, so a boundary split across chunks is found. */
const OVERLAP = FROM_AFTER_BLANK_CR.length - 1;

/**
 * Buffers a streamed mbox up to a message boundary (a `From ` line after an empty line, as splitMbox
 * decides), so each segment can be split and classified alone, line numbers kept. Each byte is searched
 * for a boundary once (linear in the input however big a message is), and no message is buffered beyond
 * the bytes-per-message limit: a bigger one is skipped (mbox) or ends the reading (a single message), with
 * a problem naming the limit.
 */
export class MboxSegmenter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private line = 1;
  private mbox: boolean | null = null;
  /** Offset in the pending bytes where the last message found starts (0: none found after the first). */
  private lastStart = 0;
  /** Skipping an oversized message of an mbox: the line it started on, else null. */
  private skipping: number | null = null;
  private skippedBytes = 0;
  /** The last bytes seen, for boundaries split across chunks. */
  private tail: Buffer = Buffer.alloc(0);
  /** Where the pending bytes start in the input, and how many bytes were pushed before this chunk. */
  private start = 0;
  private pushed = 0;
  /** A single message over the limit: nothing more to read. */
  done = false;
  private readonly maxMessage: number;
  private readonly segmentBytes: number;
  private readonly file: string;

  /** `sizes` for tests: the segment size and the bytes-per-message limit (default: the named limit). */
  constructor(file: string, sizes: { segmentBytes?: number; maxMessage?: number } = {}) {
    this.file = file;
    this.segmentBytes = sizes.segmentBytes ?? SEGMENT_BYTES;
    this.maxMessage = sizes.maxMessage ?? limitOf("messageBytes");
  }

  /** Segments (and skipped-message problems) complete after this chunk, in order. */
  push(chunk: Buffer): Segment[] {
    const before = this.pushed;
    this.pushed += chunk.length;
    return this.take(chunk, before);
  }

  private take(chunk: Buffer, chunkStart: number): Segment[] {
    if (this.done) return [];
    const out: Segment[] = [];
    if (this.skipping !== null) {
      const at = this.boundaryIn(chunk, "first");
      if (at === null) {
        this.skippedBytes += chunk.length;
        this.line += countNewlines(chunk);
        this.tail = tailOf(this.tail, chunk);
        return out;
      }
      // The next message starts at `at`; it may start in the overlap (the end of the chunk before, whose
      // newlines are counted already; from the `F` on there are none).
      const before = chunk.subarray(0, Math.max(0, at));
      this.line += countNewlines(before);
      out.push(this.tooBig(this.skipping, this.skippedBytes + before.length));
      this.skipping = null;
      this.skippedBytes = 0;
      this.start = chunkStart + at;
      chunk = at < 0 ? Buffer.concat([this.tail.subarray(this.tail.length + at), chunk]) : chunk.subarray(at);
      this.tail = Buffer.alloc(0);
    }
    const offset = this.pendingBytes;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Only an mbox is cut: one big message may hold "From " lines in its body.
    this.mbox ??= this.pendingBytes >= 5 ? this.head(5) === "From " : null;
    if (this.mbox === true) {
      const at = this.boundaryIn(chunk, "last");
      if (at !== null) this.lastStart = Math.max(this.lastStart, offset + at);
    }
    this.tail = tailOf(this.tail, chunk);
    if (this.pendingBytes - this.lastStart > this.maxMessage) {
      if (this.mbox !== true) {
        this.done = true;
        const problem = this.tooBig(this.line, this.pendingBytes, "the rest of the input is not read");
        this.pending = [];
        this.pendingBytes = 0;
        return [problem];
      }
      // An mbox: the messages before the big one go on; the big one is skipped up to the next boundary.
      const buffered = this.lastStart > 0 ? Buffer.concat(this.pending, this.pendingBytes) : null;
      if (buffered) {
        const complete = buffered.subarray(0, this.lastStart);
        out.push({ raw: complete, line: this.line, offset: this.start });
        this.line += countNewlines(complete);
      }
      this.skipping = this.line;
      this.skippedBytes = this.pendingBytes - this.lastStart;
      if (buffered) this.line += countNewlines(buffered.subarray(this.lastStart));
      else for (const part of this.pending) this.line += countNewlines(part);
      this.pending = [];
      this.pendingBytes = 0;
      this.lastStart = 0;
      return out;
    }
    if (this.pendingBytes < this.segmentBytes || this.mbox !== true || this.lastStart <= 0) return out;
    const buffered = Buffer.concat(this.pending, this.pendingBytes);
    const segment = { raw: buffered.subarray(0, this.lastStart), line: this.line, offset: this.start };
    this.start += segment.raw.length;
    this.line += countNewlines(segment.raw);
    const rest = buffered.subarray(this.lastStart);
    this.pending = [rest];
    this.pendingBytes = rest.length;
    this.lastStart = 0;
    out.push(segment);
    return out;
  }

  /** What is left at the end of input. */
  finish(): Segment[] {
    if (this.skipping !== null) return [this.tooBig(this.skipping, this.skippedBytes)];
    if (this.pendingBytes === 0 || this.done) return [];
    return [{ raw: Buffer.concat(this.pending, this.pendingBytes), line: this.line, offset: this.start }];
  }

  private head(bytes: number): string {
    return Buffer.concat(this.pending).toString("latin1", 0, bytes);
  }

  /**
   * Where a message starts (the `F` of a `From ` line after an empty line) relative to `chunk`'s start,
   * searching the overlap with the bytes before it too (a negative offset then); null when none.
   */
  private boundaryIn(chunk: Buffer, which: "first" | "last"): number | null {
    // The overlap and the chunk's first bytes (a boundary across the two), then the chunk itself: no
    // copy of the chunk.
    const seam = this.tail.length > 0 ? Buffer.concat([this.tail, chunk.subarray(0, OVERLAP)]) : null;
    const inSeam = seam ? boundaryOf(seam, which) : -1;
    const inChunk = boundaryOf(chunk, which);
    const found = [...(inSeam >= 0 ? [inSeam - this.tail.length] : []), ...(inChunk >= 0 ? [inChunk] : [])];
    if (found.length === 0) return null;
    return which === "first" ? Math.min(...found) : Math.max(...found);
  }

  private tooBig(line: number, bytes: number, after = "skipped"): Segment {
    return {
      raw: Buffer.alloc(0),
      line,
      problem: {
        source: { file: this.file, line },
        message: `message larger than ${describeLimit("messageBytes", this.maxMessage)}: ${bytes.toLocaleString("en-US")}+ bytes; ${after}`,
        failed: true,
      },
    };
  }
}

/** Offset of the first or last message start (the `F` of a `From ` after an empty line), or -1. */
function boundaryOf(bytes: Buffer, which: "first" | "last"): number {
  const find = (pattern: Buffer) => (which === "first" ? bytes.indexOf(pattern) : bytes.lastIndexOf(pattern));
  const lf = find(FROM_AFTER_BLANK);
  const cr = find(FROM_AFTER_BLANK_CR);
  const starts = [lf < 0 ? -1 : lf + 2, cr < 0 ? -1 : cr + 3].filter((at) => at >= 0);
  if (starts.length === 0) return -1;
  return which === "first" ? Math.min(...starts) : Math.max(...starts);
}

function tailOf(previous: Buffer, chunk: Buffer): Buffer {
  if (chunk.length >= OVERLAP) return Buffer.from(chunk.subarray(chunk.length - OVERLAP));
  const joined = Buffer.concat([previous, chunk]);
  return Buffer.from(joined.subarray(Math.max(0, joined.length - OVERLAP)));
}
