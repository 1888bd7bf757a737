import { isAscii } from "node:buffer";
import { classifyReplies } from "../bounce/classify-replies.ts";
import type { BounceRecord } from "../bounce/record.ts";
import { jsonRecord } from "../bounce/render-output.ts";
import { detectFormat, isMessageHead } from "../events/detect.ts";
import type { ParseProblem } from "../events/event.ts";
import type { FormatName } from "../events/formats.ts";
import type { OpenedSource } from "../events/input.ts";
import { describeLimit, limitOf } from "../util/limits.ts";
import type { EventClassifier } from "./classify-events.ts";
import type { JsonLines } from "./json-lines.ts";

export { JsonLines } from "./json-lines.ts";

/**
 * Classifying one opened input of any format: the single path the CLI and the library share. The email
 * scanner and the log readers load only when an input needs them.
 */

export type ClassifyItem = BounceRecord | ParseProblem;

export interface ClassifyOptions {
  /** Force the format instead of detecting it. */
  format?: FormatName | null;
  /** With logs and event streams, include deliveries too. */
  all?: boolean;
  /** One reply cache shared by every input given the same options object (created on first use). */
  classifier?: EventClassifier;
}

export function isProblem(item: ClassifyItem): item is ParseProblem {
  return !("reason" in item);
}

/** A message-shaped head: mbox `From ` line or a header block. */
const MESSAGE_HEAD = /^(?:From \S|[!-9;-~]+:[ \t])/;
/** Bytes of an input's head decoded first, to recognise a message without decoding the rest. */
const MESSAGE_START_BYTES = 4096;
/** Bytes of an input's head looked at before those, when they are ASCII (read as they are, nothing to decode). */
const ASCII_START_BYTES = 1024;
/** Longest text taken as one bare reply when nothing else fits. */
const MAX_BARE_REPLY = 4096;
/** NUL, other C0 controls but tab/CR/LF/FF, or invalid UTF-8: not a reply someone wrote down. */
const BINARY = /[\u0000-\u0008\u000e-\u001f\ufffd]/;

/** The format to read an input as, or null when nothing fits. */
export function chooseFormat(head: Buffer, path: string, forced?: FormatName | null): FormatName | null {
  if (forced) return forced;
  // A bounce's header fields usually fill its first kilobyte with ASCII: its UTF-8 is its Latin-1, read one
  // byte a character instead of decoded (4 KB decoded per file was ~1.5 % of a folder of bounce emails).
  const ascii = head.subarray(0, ASCII_START_BYTES);
  if (isAscii(ascii) && isMessageHead(ascii.toString("latin1"))) return "email";
  // A message says so in its first bytes: decoding a bounce email's whole head (up to 64 KB) to detect it
  // costs as much as a fifth of reading it. A "yes" on any start is detectFormat's answer on the whole
  // (isMessageHead looks at the first line and the first MESSAGE_HEAD_CHARS characters).
  if (head.length > MESSAGE_START_BYTES) {
    const start = head.toString("utf8", 0, MESSAGE_START_BYTES);
    if (isMessageHead(start.charCodeAt(0) === 0xfeff ? start.slice(1) : start)) return "email";
  }
  const text = head.toString("utf8");
  const detected = detectFormat(text, path);
  if (detected) return detected;
  const trimmed = text.trimStart();
  if (MESSAGE_HEAD.test(trimmed)) return "email";
  if (trimmed.length > 0 && trimmed.length <= MAX_BARE_REPLY && !BINARY.test(trimmed)) return "smtp";
  return null;
}

let emailModule: typeof import("./classify-email.ts") | undefined;

/** Records and problems of one input, in input order. */
export async function* classifyOpened(
  input: OpenedSource,
  options: ClassifyOptions = {},
): AsyncGenerator<ClassifyItem> {
  for await (const batch of classifyOpenedBatches(input, options)) yield* batch;
}

/**
 * The same in batches (one per chunk read from a log), so hot loops await once per batch, not per record.
 */
export async function* classifyOpenedBatches(
  input: OpenedSource,
  options: ClassifyOptions = {},
): AsyncGenerator<ClassifyItem[]> {
  if (input.head.length === 0) {
    yield [{ ...problemAt(input.name, null, "empty input"), failed: true }];
    return;
  }
  const format = chooseFormat(input.head, input.name, options.format);
  if (format === null) {
    yield [
      problemAt(
        input.name,
        1,
        "could not detect the format; name it with --format (see `deliverlens formats`)",
      ),
    ];
    return;
  }
  if (format === "email") {
    emailModule ??= await import("./classify-email.ts");
    if (input.whole) yield [...emailModule.classifyEmailBuffer(input.whole, input.name)];
    else if (input.chunks) yield* emailModule.classifyEmailChunks(input.chunks, input.name);
    else yield* emailModule.classifyEmailStream(input.stream(), input.name);
    return;
  }
  if (format === "smtp") {
    const text = await readBounded(input);
    yield typeof text === "string" ? [...classifyReplies(text, input.name)] : [text];
    return;
  }
  const { classifyEventStream, EventClassifier } = await import("./classify-events.ts");
  options.classifier ??= new EventClassifier();
  yield* classifyEventStream(input.stream(), format, input.name, {
    modified: input.modified,
    all: options.all ?? false,
    classifier: options.classifier,
  });
}

/**
 * The same with each record as its JSON (jsonRecord: a string, or its UTF-8 bytes), for `classify
 * --json/--ndjson`: a big log whose format can be read in shards is read on two threads
 * (classify-log-threads.ts). Records given as bytes are valid only until the next batch is asked for:
 * their memory is then written again, or moved back to the other thread (the view then reads empty).
 * Copy what you keep.
 */
export async function* classifyOpenedJson(
  input: OpenedSource,
  options: ClassifyOptions = {},
): AsyncGenerator<(string | JsonLines | ParseProblem)[]> {
  const format = input.chunks ? chooseFormat(input.head, input.name, options.format) : null;
  if (format !== null && format !== "email" && format !== "smtp") {
    const threads = await import("./classify-log-threads.ts");
    if (threads.worthLogThreads(input, format)) {
      yield* threads.classifyLogOnTwoThreads(input, format, options);
      return;
    }
  }
  if (format === "email" && input.chunks) {
    // A big mbox: records come as JSON from whichever process classified their segment.
    emailModule ??= await import("./classify-email.ts");
    yield* emailModule.classifyEmailChunksJson(input.chunks, input.name);
    return;
  }
  for await (const batch of classifyOpenedBatches(input, options)) {
    yield batch.map((item) => (isProblem(item) ? item : jsonRecord(item)));
  }
}

/** Bare replies are read whole: at most the bytes-per-message limit of them. */
async function readBounded(input: OpenedSource): Promise<string | ParseProblem> {
  if (input.whole) return input.whole.toString("utf8");
  const max = limitOf("messageBytes");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input.stream()) {
    size += (chunk as Buffer).length;
    if (size > max) {
      // Leaving the loop destroys the stream: nothing more is read.
      return {
        ...problemAt(input.name, null, `replies larger than ${describeLimit("messageBytes", max)}; not read`),
        failed: true,
      };
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function problemAt(file: string, line: number | null, message: string): ParseProblem {
  return { source: { file, line }, message };
}
