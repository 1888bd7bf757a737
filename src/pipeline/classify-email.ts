import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { recordsFromEmail, splitMbox } from "../bounce/email/index.ts";
import type { BounceRecord } from "../bounce/record.ts";
import { jsonRecord } from "../bounce/render-output.ts";
import type { ParseProblem } from "../events/event.ts";
import { LimitError } from "../util/limits.ts";
import { MboxSegmenter, type Segment } from "./mbox-segmenter.ts";

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

/** The messages of one segment, records and problems in order, line numbers those of the whole mbox. */
export function classifySegment(raw: Buffer, file: string, first: number, problem?: ParseProblem): Item[] {
  const items: Item[] = [];
  if (problem) items.push(problem);
  if (raw.length === 0) return items;
  for (const message of splitMbox(raw)) {
    const { records, problems } = recordsFromEmail(message.raw, file, first + message.line - 1);
    items.push(...records, ...problems);
  }
  return items;
}

/** A large mbox from a stream, in bounded memory, one batch per segment. */
export async function* classifyEmailStream(
  chunks: AsyncIterable<Buffer>,
  file: string,
): AsyncGenerator<Item[]> {
  const segmenter = new MboxSegmenter(file);
  let damage: unknown = null;
  try {
    for await (const chunk of chunks) {
      for (const segment of segmenter.push(chunk))
        yield classifySegment(segment.raw, file, segment.line, segment.problem);
      if (segmenter.done) break;
    }
  } catch (error) {
    // A truncated or corrupt gzip/zstd input: every message decoded before the damage is still classified.
    damage = error;
  }
  for (const segment of segmenter.finish())
    yield classifySegment(segment.raw, file, segment.line, segment.problem);
  if (damage !== null)
    yield [
      {
        source: { file, line: null },
        message: `input could not be read to the end: ${damage instanceof Error ? damage.message : String(damage)}`,
        // Refused by a named limit (a decompression bomb): the run exits 1.
        ...(damage instanceof LimitError ? { failed: true } : {}),
      },
    ];
}

/** Which file, as it was when its reading began: another process may read a range of it only while it is the same. */
export interface FileStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

function stampOf(stats: { dev: number; ino: number; size: number; mtimeMs: number }): FileStamp {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

/** A segment of messages as another process can find it in the file itself. */
export interface SegmentRange {
  file: string;
  stamp: FileStamp;
  offset: number;
  length: number;
  line: number;
  /** Records answered as their JSON (jsonRecord), for JSON output: a string crosses cheaper than an object. */
  json?: boolean;
}

/** Records as their JSON (jsonRecord), problems as they are. */
function asJson(items: Item[]): (string | ParseProblem)[] {
  return items.map((item) => ("reason" in item ? jsonRecord(item) : item));
}

/**
 * The messages of a segment read from the file by its place (no bytes cross between the processes), or null
 * when the file is no longer the one the segment was cut from, or the range does not start a message: the
 * caller then classifies the bytes it has.
 */
export function classifySegmentRange(range: SegmentRange): (Item | string)[] | null {
  let fd: number;
  try {
    fd = openSync(range.file, "r");
  } catch {
    return null;
  }
  try {
    const now = stampOf(fstatSync(fd));
    const was = range.stamp;
    if (now.dev !== was.dev || now.ino !== was.ino || now.size !== was.size || now.mtimeMs !== was.mtimeMs)
      return null;
    const raw = Buffer.allocUnsafe(range.length);
    for (let got = 0; got < range.length; ) {
      const read = readSync(fd, raw, got, range.length - got, range.offset + got);
      if (read === 0) return null;
      got += read;
    }
    if (range.offset > 0 && raw.toString("latin1", 0, 5) !== "From ") return null;
    const items = classifySegment(raw, range.file, range.line);
    return range.json ? asJson(items) : items;
  } finally {
    closeSync(fd);
  }
}

/** The same from a file read synchronously: segments are classified in two processes when allowed (the helper reads its segments from the file). */
export function classifyEmailChunks(chunks: Iterable<Buffer>, file: string): AsyncGenerator<Item[]> {
  return segmentsOnTwoThreads(chunks, file, false) as AsyncGenerator<Item[]>;
}

/** The same with each record as its JSON (jsonRecord), for JSON output. */
export function classifyEmailChunksJson(
  chunks: Iterable<Buffer>,
  file: string,
): AsyncGenerator<(string | ParseProblem)[]> {
  return segmentsOnTwoThreads(chunks, file, true) as AsyncGenerator<(string | ParseProblem)[]>;
}

async function* segmentsOnTwoThreads(
  chunks: Iterable<Buffer>,
  file: string,
  json: boolean,
): AsyncGenerator<(Item | string)[]> {
  let stamp: FileStamp | null = null;
  try {
    stamp = stampOf(statSync(file));
  } catch {
    // Not a path another process can open: every segment is done here.
  }
  const segments = (function* () {
    const segmenter = new MboxSegmenter(file);
    const job = (segment: Segment) => ({
      raw: segment.raw as Uint8Array,
      file,
      line: segment.line,
      problem: segment.problem,
      range:
        stamp && segment.offset !== undefined && !segment.problem
          ? { file, stamp, offset: segment.offset, length: segment.raw.length, line: segment.line, json }
          : null,
    });
    for (const chunk of chunks) {
      for (const segment of segmenter.push(chunk)) yield job(segment);
      if (segmenter.done) break;
    }
    for (const segment of segmenter.finish()) yield job(segment);
  })();
  const local = (job: { raw: Uint8Array; line: number; problem?: ParseProblem }) => {
    const items = classifySegment(job.raw as Buffer, file, job.line, job.problem);
    return json ? asJson(items) : items;
  };
  const { inOrderOnTwoThreads, threadsAllowed } = await import("./classify-parallel.ts");
  if (!threadsAllowed()) {
    for (const segment of segments) yield local(segment);
    return;
  }
  for await (const items of inOrderOnTwoThreads("mbox", segments, {}, local))
    yield items as (Item | string)[];
}
