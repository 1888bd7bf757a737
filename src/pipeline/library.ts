import type { Readable } from "node:stream";
import type { ReplyInput } from "../bounce/classify.ts";
import { classifyReplies } from "../bounce/classify-replies.ts";
import type { BounceRecord } from "../bounce/record.ts";
import type { ParseProblem } from "../events/event.ts";
import { openSource, openSourceStream } from "../events/input.ts";
import { classifyEmailBuffer } from "./classify-email.ts";
import { type ClassifyItem, type ClassifyOptions, classifyOpened, isProblem } from "./classify-source.ts";

/** Library functions of the bounce capability: one per input kind, plus streaming iterators. */

/** One or more bare SMTP replies (blank lines separate replies; multi-line replies are joined). */
export function classifyText(
  text: string,
  context: Omit<ReplyInput, "text"> & { file?: string } = {},
): BounceRecord[] {
  const { file = "<text>", ...reply } = context;
  return [...classifyReplies(text, file, reply)].filter((item): item is BounceRecord => !isProblem(item));
}

/**
 * A bounce email (DSN, MTA report, ARF, auto-reply) or an mbox of them: one record per reported recipient.
 * Give the bytes as read (a Buffer) when you have them; a string is text already decoded, encoded back as
 * UTF-8 (a message read with readFileSync(path, "utf8") comes out as the file said).
 */
export function classifyEmail(
  raw: Buffer | string,
  file = "<email>",
): { records: BounceRecord[]; problems: ParseProblem[] } {
  const records: BounceRecord[] = [];
  const problems: ParseProblem[] = [];
  const bytes = typeof raw === "string" ? Buffer.from(raw, "utf8") : raw;
  for (const item of classifyEmailBuffer(bytes, file)) {
    if (isProblem(item)) problems.push(item);
    else records.push(item);
  }
  return { records, problems };
}

/**
 * Any input as a stream (MTA log, ESP events, emails, replies; gzip/zstd undone), records and problems in
 * input order. Logs are read line by line and never held in memory whole.
 */
export async function* classifyStream(
  input: Readable,
  options: ClassifyOptions & { file?: string } = {},
): AsyncGenerator<ClassifyItem> {
  yield* classifyOpened(await openSourceStream(options.file ?? "-", input), options);
}

/** A file of any supported format (detected unless `format` is given). */
export async function* classifyFile(
  path: string,
  options: ClassifyOptions = {},
): AsyncGenerator<ClassifyItem> {
  yield* classifyOpened(await openSource(path), options);
}
