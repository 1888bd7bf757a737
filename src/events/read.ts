import { isAscii } from "node:buffer";
import { readSync } from "node:fs";
import type { Readable } from "node:stream";
import { chunkBuffer, chunkMemory } from "../bounce/line-bytes.ts";
import { LimitError } from "../util/limits.ts";
import type { DeliveryEvent, EventType, ParseProblem } from "./event.ts";
import type { FormatName } from "./formats.ts";
import { CHUNK_BYTES, decompressedChunks } from "./input.ts";
import {
  type ChunkIndex,
  ENTRY_HEAD,
  ENTRY_INTS,
  ENTRY_SHARD,
  ENTRY_START,
  ENTRY_STOP,
  type HeadOf,
  type SharedChunk,
  type SharedLineIndex,
} from "./line-index.ts";
import { eventSource } from "./registry.ts";
import type { LineParser, Out, OutcomeSink, ParseContext, ParseCounters, Shard } from "./source.ts";
import { problem } from "./source.ts";
import { assertTimeZone } from "./syslog-time.ts";

export interface ReadOptions {
  /** Year for classic syslog timestamps (default: from `modified`, rolling back across New Year). */
  year?: number | null;
  /** IANA zone of zone-less timestamps (default UTC). */
  tz?: string | null;
  /** The input's modification time (openInputWithHead gives it). */
  modified?: Date | null;
  /** Called after each chunk with the number of bytes read so far (progress bars). */
  onBytes?: (bytes: number) => void;
  /** Only these event types are wanted (a hint that lets hot parsers skip work; see ParseContext). */
  types?: ReadonlySet<EventType> | null;
  /** Parsers count the per-message state they forget here (see ParseCounters). */
  counters?: ParseCounters;
  /** Read only this shard's messages (formats whose EventSource.shards; see ParseContext.shard). */
  shard?: Shard | null;
  /** Outcomes read on the bytes go here (see ParseContext.outcomes). */
  outcomes?: OutcomeSink | null;
}

/** Lines longer than this are refused (or handed over in pieces to parsers that take fragments). */
export const MAX_LINE = 1024 * 1024;

const LF = 10;

/**
 * Stream an input as batches of normalized events and ParseProblems, in input order. One batch per chunk
 * read: callers on the hot path iterate batches rather than paying an await per event. gzip/zstd are
 * undone transparently; bad records become ParseProblems; nothing throws except an unknown format/zone.
 */
export async function* readEventBatches(
  input: Readable | AsyncIterable<Buffer | string>,
  format: FormatName,
  file: string,
  options: ReadOptions = {},
): AsyncGenerator<Out> {
  const splitter = lineReader(format, file, options);
  let bytes = 0;
  try {
    for await (const chunk of decompressedChunks(input)) {
      bytes += chunk.length;
      const out: Out = [];
      splitter.push(chunk, out);
      options.onBytes?.(bytes);
      if (out.length > 0) yield out;
    }
  } catch (error) {
    const out: Out = [];
    splitter.finish(out);
    const cut = problem(file, null, `input could not be read to the end: ${(error as Error).message}`);
    // Refused by a named limit (a decompression bomb): the run exits 1.
    if (error instanceof LimitError) cut.failed = true;
    out.push(cut);
    yield out;
    return;
  }
  const out: Out = [];
  splitter.finish(out);
  if (out.length > 0) yield out;
}

/**
 * The parser of `format` behind a line splitter: push byte chunks, take events. A shard other than the
 * first reports no problem of the input itself (a cut or over-long line): the first, reading the same
 * input, does.
 */
export function lineReader(format: FormatName, file: string, options: ReadOptions = {}): LineSplitter {
  const source = eventSource(format);
  if (!source) throw new Error(`${format} is not an event-stream format`);
  const shard = options.shard ?? null;
  if (shard !== null && !source.shards) throw new Error(`${format} cannot be read in shards`);
  const tz = options.tz ?? "UTC";
  if (tz !== "UTC") assertTimeZone(tz);
  const context: ParseContext = {
    file,
    year: options.year ?? null,
    modified: options.modified ?? null,
    tz,
    types: options.types ?? null,
    counters: options.counters,
    shard,
    outcomes: options.outcomes ?? null,
  };
  return new LineSplitter(source.create(context), file, shard === null || shard.index === 0);
}

/** What one shard read of a chunk: its items, the bytes read so far, and whether it is the end's. */
export interface ShardChunk {
  out: Out;
  bytes: number;
  last: boolean;
}

/**
 * One shard of a plain log (a descriptor both threads share, read up to `size`) through `reader`, chunk by
 * chunk; the last yield carries what `finish` gives. A read that breaks ends the shard; the first shard
 * speaks for the input (as readEventBatches does), the others stop quietly.
 */
export function* readShard(
  reader: LineSplitter,
  input: { path: string; fd: number; size: number },
  shard: Shard,
  lines: SharedLineIndex | null = null,
): Generator<ShardChunk> {
  let bytes = 0;
  let out: Out = [];
  const headOf = lines !== null ? reader.headOf() : null;
  try {
    for (const { chunk, index } of shardChunks(input, lines, headOf, shard.count)) {
      reader.push(chunk, out, index);
      bytes += chunk.length;
      yield { out, bytes, last: false };
      out = [];
    }
  } catch (error) {
    lines?.readAll();
    reader.finish(out);
    if (shard.index === 0) {
      out.push(problem(input.path, null, `input could not be read to the end: ${(error as Error).message}`));
    }
    yield { out, bytes, last: true };
    return;
  } finally {
    // Also when the chunks end early (a log cut short while read) or the consumer stops: the other thread may wait.
    lines?.readAll();
  }
  reader.finish(out);
  yield { out, bytes, last: true };
}

/**
 * The first `size` bytes of an open file, chunk by chunk: a chunk in shared memory when `lines` has it
 * (read there once for all threads, with its index: line-index.ts), else read into one buffer used again
 * for every chunk. A chunk is valid only until the next one is asked for (LineSplitter copies the part it
 * keeps; the consumer has then read it to its end, and its shared memory may be written again). Reads at
 * explicit positions: threads may read the same descriptor (the same file, even once a log rotation has
 * renamed it), each from its start. Memory used again, not fresh per chunk: page faults cost more than the
 * read itself (0.2 CPU-s per 350 MB measured).
 */
export function* shardChunks(
  input: { fd: number; size: number },
  lines: SharedLineIndex | null = null,
  headOf: HeadOf | null = null,
  shards = 1,
): Generator<{ chunk: Buffer; index: ChunkIndex | null }> {
  let own: Buffer | null = null;
  for (let n = 0, position = 0; position < input.size; n++) {
    const want = Math.min(CHUNK_BYTES, input.size - position);
    let shared: SharedChunk | null = null;
    if (lines !== null && headOf !== null)
      shared = lines.take(n, position, want, input.fd, headOf, shards, input.size);
    let chunk: Buffer;
    if (shared !== null) chunk = shared.bytes;
    else {
      own ??= lines?.ownChunk() ?? ownChunk(input.size);
      chunk = own.subarray(0, readSync(input.fd, own, 0, want, position));
    }
    if (chunk.length === 0) return;
    position += chunk.length;
    yield { chunk, index: shared?.index ?? null };
    lines?.readTo(n);
  }
}

/**
 * The buffer a log's chunks are read into when not shared: a chunk memory (line templates compare its lines
 * where they are, line-bytes.ts) for a log of more than a chunk; a smaller log's lines are few, and a chunk
 * memory reserves address space (WebAssembly's guard regions) a run of many small logs need not hold.
 */
function ownChunk(size: number): Buffer {
  return size > CHUNK_BYTES ? Buffer.from(chunkBuffer(chunkMemory(CHUNK_BYTES))) : Buffer.allocUnsafe(size);
}

/** Stream an input as normalized events, with ParseProblems inline (see readEventBatches, the faster form). */
export async function* readEvents(
  input: Readable | AsyncIterable<Buffer | string>,
  format: FormatName,
  file: string,
  options: ReadOptions = {},
): AsyncGenerator<DeliveryEvent | ParseProblem> {
  for await (const batch of readEventBatches(input, format, file, options)) yield* batch;
}

/** UTF-8 text of bytes; pure ASCII (most logs) is copied as Latin-1, which is the same text without decoding. */
function decode(bytes: Buffer, from: number, to: number): string {
  return isAscii(bytes.subarray(from, to))
    ? bytes.toString("latin1", from, to)
    : bytes.toString("utf8", from, to);
}

/** The end of the line starting at `from` in chunk[from, to]: its LF, or `to`. */
function lineEndIn(chunk: Buffer, from: number, to: number): number {
  const end = chunk.indexOf(LF, from);
  return end < 0 || end > to ? to : end;
}

/** Where the line [from, end] stops: before its CR LF or LF. */
function stopBefore(chunk: Buffer, from: number, end: number): number {
  return end > from && chunk[end - 1] === 13 ? end - 1 : end;
}

/** Whether an indexed line stopping at `stop` ends there in these bytes (before its LF or CR LF). */
function fits(chunk: Buffer, stop: number): boolean {
  const lineEnd = chunk[stop] === LF ? stop : stop + 1;
  return chunk[lineEnd] === LF && (lineEnd === stop || chunk[stop] === 13);
}

/** Splits byte chunks into lines without readline: one UTF-8 decode per chunk, then indexOf. */
export class LineSplitter {
  /** Bytes after the last newline, kept as a list: concatenating per chunk would be quadratic. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private lineNo = 0;
  /** The current line is too long: parts already went to `fragment`, or it is being skipped. */
  private longLine: "fragments" | "skipping" | null = null;
  private readonly parser: LineParser;
  private readonly file: string;
  /** Problems of the input itself (an over-long line, a parser failing at the end) are reported. */
  private readonly reportInput: boolean;

  constructor(parser: LineParser, file: string, reportInput = true) {
    this.parser = parser;
    this.file = file;
    this.reportInput = reportInput;
  }

  /** Lines read to their end so far. */
  get linesRead(): number {
    return this.lineNo;
  }

  /** The parser's LineParser.head, if it has one (and takeHead): what a SharedLineIndex indexes with. */
  headOf(): HeadOf | null {
    const parser = this.parser;
    if (parser.head === undefined || parser.takeHead === undefined) return null;
    const headOf: HeadOf = (bytes, from, to, into, at) => parser.head?.(bytes, from, to, into, at) ?? false;
    if (parser.chunkHeads !== undefined) headOf.lines = parser.chunkHeads.bind(parser);
    return headOf;
  }

  /** The lines of a chunk, in order; `index` (if any: see line-index.ts) says which are this shard's. */
  push(chunk: Buffer, out: Out, index: ChunkIndex | null = null): void {
    const newline = chunk.lastIndexOf(LF);
    if (newline < 0) {
      this.keep(chunk);
      if (this.pendingLength > MAX_LINE) this.overlong(out);
      return;
    }
    let from = 0;
    if (this.pendingLength > 0) {
      // The line carried over ends in this chunk: join only that line (not the whole chunk) to its start.
      const first = chunk.indexOf(LF);
      this.keep(chunk.subarray(0, first));
      const carried = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
      this.carriedLine(decode(carried, 0, carried.length), carried.length, out);
      from = first + 1;
    }
    if (from <= newline) this.bufferLines(chunk, from, newline, out, index);
    this.parser.endChunk?.();
    if (newline + 1 < chunk.length) this.keep(chunk.subarray(newline + 1));
    if (this.pendingLength > MAX_LINE) this.overlong(out);
  }

  finish(out: Out): void {
    if (this.pendingLength > 0)
      this.carriedLine(Buffer.concat(this.pending).toString("utf8"), this.pendingLength, out);
    this.pending = [];
    this.pendingLength = 0;
    try {
      this.parser.end(out);
    } catch (error) {
      const message = `parser failed at end of input: ${(error as Error).message}`;
      if (this.reportInput) out.push(problem(this.file, this.lineNo, message));
    }
  }

  /** Keeps a copy: a chunk's buffer may be reused for the next one (see shardChunks). */
  private keep(bytes: Buffer): void {
    this.pending.push(Buffer.from(bytes));
    this.pendingLength += bytes.length;
  }

  /** The line carried across chunks (its bytes hold no LF), `bytes` long as read. */
  private carriedLine(text: string, bytes: number, out: Out): void {
    const line = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    this.complete(this.parser, line, out, bytes);
  }

  /** Lines of chunk[from, to) decoded one by one: no whole-chunk string for slices to keep alive. */
  private bufferLines(chunk: Buffer, from: number, to: number, out: Out, index: ChunkIndex | null): void {
    // A chunk all ASCII is so in every part (its indexer checked it for every thread).
    const ascii = index?.ascii === true || isAscii(chunk.subarray(from, to));
    if (
      index === null ||
      !ascii ||
      this.longLine !== null ||
      from > index.start ||
      index.end > to + 1 ||
      (index.start > 0 && chunk[index.start - 1] !== LF)
    ) {
      this.plainLines(chunk, from, to, ascii, out);
      return;
    }
    // The lines before the indexed ones (the chunk's first, when it starts one), those indexed, those after.
    if (from < index.start) this.plainLines(chunk, from, index.start - 1, true, out);
    const next = this.indexedLines(chunk, index, out);
    if (next <= to) this.plainLines(chunk, next, to, true, out);
  }

  /**
   * The indexed lines of a chunk: this shard's (and those without a head) read, the others only counted.
   * Returns where the lines not indexed start (an entry that does not fit these bytes ends the index).
   */
  private indexedLines(chunk: Buffer, index: ChunkIndex, out: Out): number {
    // Every field read up front: a field read only after the loop has no type feedback when V8 optimizes
    // the function in the loop (on-stack replacement), and the optimized code then deoptimized at the end
    // of every chunk (255 times at 1M lines, --trace-deopt).
    const { entries, lines, shard, end } = index;
    for (let i = this.takenLines(chunk, entries, 0, lines, shard, out); i < lines; ) {
      const e = i * ENTRY_INTS;
      const start = entries[e + ENTRY_START];
      const stop = entries[e + ENTRY_STOP];
      if (!fits(chunk, stop)) return start;
      this.complete(this.parser, chunk.toString("latin1", start, stop), out, stop - start);
      i = this.takenLines(chunk, entries, i + 1, lines, shard, out);
    }
    return end;
  }

  /**
   * From entry `from` on, the lines read on their bytes (this shard's, those without a head) or only counted
   * (the other shards'): returns the first entry that is neither — a line the parser wants decoded, or one
   * that does not fit the bytes — or `lines`. Those rare lines are the caller's: a path never taken before V8
   * optimizes this hot loop has no type feedback, and the code optimized then was thrown away at the first
   * such line, in each thread (--trace-deopt: "Insufficient type feedback", then compiled again).
   */
  private takenLines(
    chunk: Buffer,
    entries: Int32Array,
    from: number,
    lines: number,
    shard: number,
    out: Out,
  ): number {
    const parser = this.parser;
    for (let i = from, e = from * ENTRY_INTS; i < lines; i++, e += ENTRY_INTS) {
      const start = entries[e + ENTRY_START];
      const stop = entries[e + ENTRY_STOP];
      if (!fits(chunk, stop)) return i;
      const of = entries[e + ENTRY_SHARD];
      if (of === shard) {
        if (!this.takenHead(parser, chunk, start, stop, entries, e + ENTRY_HEAD, out)) return i;
      } else if (of < 0 && !this.taken(parser, chunk, start, stop, out)) return i;
      this.lineNo++;
    }
    return lines;
  }

  /**
   * Lines of chunk[from, to] (`to`: a line end) read on their bytes where the parser can, else decoded; in a
   * chunk not all ASCII (`ascii` false) its ASCII lines too (a few lines with a UTF-8 address or reply must not
   * send a whole chunk's lines to the decoded path: review R141), the others decoded as UTF-8.
   */
  private plainLines(chunk: Buffer, from: number, to: number, ascii: boolean, out: Out): void {
    for (let at = this.takenPlain(chunk, from, to, ascii, out); at <= to; ) {
      const end = lineEndIn(chunk, at, to);
      const stop = stopBefore(chunk, at, end);
      this.complete(this.parser, chunk.toString(ascii ? "latin1" : "utf8", at, stop), out, stop - at);
      if (end >= to) return;
      at = this.takenPlain(chunk, end + 1, to, ascii, out);
    }
  }

  /**
   * From the line at `from` on, the ASCII lines of chunk[from, to] the parser has no use for or reads on their
   * bytes; returns where the first other line starts (one to decode, or one that ends a line cut at the
   * limit), or `to + 1` when there is none. Those lines are the caller's, as in takenLines: this hot loop has
   * no path V8 would first meet after optimizing it (--trace-deopt, both threads: "Insufficient type feedback").
   */
  private takenPlain(chunk: Buffer, from: number, to: number, ascii: boolean, out: Out): number {
    const parser = this.parser;
    // Computed before the loop: an operation first run at its end has no type feedback if V8 optimized the
    // loop while it ran (on-stack replacement), and the optimized code was thrown away there.
    const past = to + 1;
    for (let at = from; ; ) {
      const end = lineEndIn(chunk, at, to);
      const stop = stopBefore(chunk, at, end);
      // A line with a byte beyond ASCII (in a chunk not all ASCII) is the caller's: decoded as UTF-8.
      if (this.longLine !== null || (!ascii && !isAscii(chunk.subarray(at, stop)))) return at;
      if (!this.taken(parser, chunk, at, stop, out)) return at;
      this.lineNo++;
      if (end >= to) return past;
      at = end + 1;
    }
  }

  /** Whether the parser took the line on its bytes (a failure there is the line's problem, as in `deliver`). */
  private taken(parser: LineParser, chunk: Buffer, from: number, to: number, out: Out): boolean {
    if (to - from > MAX_LINE) return false; // decoded and refused by complete()
    if (parser.take === undefined) return parser.skip?.(chunk, from, to) ?? false;
    try {
      return parser.take(chunk, from, to, this.lineNo + 1, out);
    } catch (error) {
      const line = chunk.toString("latin1", from, to);
      out.push(problem(this.file, this.lineNo + 1, `unreadable line: ${(error as Error).message}`, line));
      return true;
    }
  }

  /** `taken` of a line whose head is known (see LineParser.takeHead). */
  private takenHead(
    parser: LineParser,
    chunk: Buffer,
    from: number,
    to: number,
    head: Int32Array,
    at: number,
    out: Out,
  ): boolean {
    if (to - from > MAX_LINE) return false; // decoded and refused by complete()
    try {
      return parser.takeHead?.(chunk, from, to, this.lineNo + 1, out, head, at) ?? false;
    } catch (error) {
      const line = chunk.toString("latin1", from, to);
      out.push(problem(this.file, this.lineNo + 1, `unreadable line: ${(error as Error).message}`, line));
      return true;
    }
  }

  /** A line up to its LF: counted and delivered, unless it ends a line already cut at the length limit. */
  private complete(parser: LineParser, line: string, out: Out, bytes: number): void {
    if (this.longLine === null) {
      this.lineNo++;
      // A line whole in one chunk (or joined from a carried part) is held to the limit, in bytes as read,
      // as one cut at a chunk's end is: how a file falls into chunks must not decide whether it is refused.
      if (parser.fragment === undefined && bytes > MAX_LINE) {
        if (this.reportInput) out.push(problem(this.file, this.lineNo, `line longer than ${MAX_LINE} bytes`));
        return;
      }
      this.deliver(parser, line, out);
    } else {
      if (this.longLine === "fragments") this.deliver(parser, line, out);
      this.longLine = null;
    }
  }

  private deliver(parser: LineParser, line: string, out: Out): void {
    try {
      parser.line(line, this.lineNo, out);
    } catch (error) {
      out.push(problem(this.file, this.lineNo, `unreadable line: ${(error as Error).message}`, line));
    }
  }

  /** The carried part of the current line passed MAX_LINE without a newline. */
  private overlong(out: Out): void {
    const carry = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingLength = 0;
    if (this.longLine === null) this.lineNo++;
    if (!this.parser.fragment) {
      if (this.longLine === null && this.reportInput)
        out.push(problem(this.file, this.lineNo, `line longer than ${MAX_LINE} bytes`));
      this.longLine = "skipping";
      return;
    }
    this.longLine = "fragments";
    let cut = carry.length;
    while (cut > 0 && (carry[cut - 1] & 0xc0) === 0x80) cut--;
    if (cut > 0 && carry[cut - 1] >= 0xc0) cut--; // do not split a multi-byte character
    this.parser.fragment(carry.toString("utf8", 0, cut), this.lineNo, out);
    if (cut < carry.length) this.keep(carry.subarray(cut));
  }
}
