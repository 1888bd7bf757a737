import { recordsFromEmail, splitMbox } from "../bounce/email/index.ts";
import type { BounceRecord } from "../bounce/record.ts";
import { jsonRecord } from "../bounce/render-output.ts";
import type { ParseProblem } from "../events/event.ts";
import { LimitError } from "../util/limits.ts";
import { threadsAllowed } from "./classify-parallel.ts";
import { classifyMboxInJobs } from "./mbox-in-jobs.ts";
import { MboxSegmenter, type Segment, segmentsOf } from "./mbox-segmenter.ts";

type Item = BounceRecord | ParseProblem;

/** Every message of an mbox (or the one message), records in the order each message reports them. */
export function* classifyEmailBuffer(raw: Buffer, file: string): Generator<Item> {
  const messages = splitMbox(raw);
  for (let at = 0; at < messages.length; at++) yield* messageItems(messages, at, file);
}

/**
 * classifyEmailBuffer's items at once, for a caller that takes them whole (a file of a folder): no generator
 * to create and step through per file.
 */
export function emailItems(raw: Buffer, file: string): Item[] {
  const messages = splitMbox(raw);
  if (messages.length === 1) return messageItems(messages, 0, file);
  const items: Item[] = [];
  for (let at = 0; at < messages.length; at++) items.push(...messageItems(messages, at, file));
  return items;
}

/** Message `at` of a file's messages: its records, then its problems. */
function messageItems(messages: ReturnType<typeof splitMbox>, at: number, file: string): Item[] {
  const { records, problems } = recordsFromEmail(
    messages[at].raw,
    file,
    messages.length > 1 ? messages[at].line : null,
  );
  return problems.length === 0 ? records : [...records, ...problems];
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

/** Records as their JSON (jsonRecord), problems as they are. */
function asJson(items: Item[]): (string | ParseProblem)[] {
  return items.map((item) => ("reason" in item ? jsonRecord(item) : item));
}

/** A segment's messages classified (classifySegment); with `json`, each record as its JSON. */
export function classifySegmentOf(segment: Segment, file: string, json: boolean): (Item | string)[] {
  const items = classifySegment(segment.raw, file, segment.line, segment.problem);
  return json ? asJson(items) : items;
}

/**
 * A big mbox file (`chunks`: its bytes, read synchronously), one batch per segment of messages. With a
 * second core, by two processes (mbox-in-jobs.ts): the same records and problems, in the same order.
 */
export function classifyEmailChunks(chunks: () => Iterable<Buffer>, file: string): AsyncGenerator<Item[]> {
  return classifySegments(chunks, file, false) as AsyncGenerator<Item[]>;
}

/** The same with each record as its JSON (jsonRecord), for JSON output. */
export function classifyEmailChunksJson(
  chunks: () => Iterable<Buffer>,
  file: string,
): AsyncGenerator<(string | ParseProblem)[]> {
  return classifySegments(chunks, file, true) as AsyncGenerator<(string | ParseProblem)[]>;
}

async function* classifySegments(
  chunks: () => Iterable<Buffer>,
  file: string,
  json: boolean,
): AsyncGenerator<(Item | string)[]> {
  const classify = (segment: Segment) => classifySegmentOf(segment, file, json);
  if (threadsAllowed()) {
    yield* classifyMboxInJobs(chunks, file, json, classify);
    return;
  }
  for (const segment of segmentsOf(chunks(), new MboxSegmenter(file))) yield classify(segment);
}
