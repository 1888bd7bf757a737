import type { ParseProblem } from "../events/event.ts";
import type { FormatName } from "../events/formats.ts";
import { classifyEvents, detectFormat, readEvents } from "../events/index.ts";
import { classifyReply, type ReplyInput } from "./classify.ts";
import type { OpenedInput } from "./classify-inputs.ts";
import { recordsFromEmail, splitMbox } from "./email/index.ts";
import type { BounceRecord } from "./record.ts";

/** Classifying one opened input of any format: the single path the CLI and the library share. */

export type ClassifyItem = BounceRecord | ParseProblem;

export interface ClassifyOptions {
  /** Force the format instead of detecting it. */
  format?: FormatName | null;
  /** With logs and event streams, include deliveries too. */
  all?: boolean;
}

export function isProblem(item: ClassifyItem): item is ParseProblem {
  return !("reason" in item);
}

/** A message-shaped head: mbox `From ` line or a header block. */
const MESSAGE_HEAD = /^(?:From \S|[!-9;-~]+:[ \t])/;
/** Longest text taken as one bare reply when nothing else fits. */
const MAX_BARE_REPLY = 4096;

/** The format to read an input as, or null when nothing fits. */
export function chooseFormat(head: Buffer, path: string, forced?: FormatName | null): FormatName | null {
  if (forced) return forced;
  const text = head.toString("utf8");
  const detected = detectFormat(text, path);
  if (detected) return detected;
  const trimmed = text.trimStart();
  if (MESSAGE_HEAD.test(trimmed)) return "email";
  if (trimmed.length > 0 && trimmed.length <= MAX_BARE_REPLY) return "smtp";
  return null;
}

export async function* classifyOpened(
  input: OpenedInput,
  options: ClassifyOptions = {},
): AsyncGenerator<ClassifyItem> {
  const format = chooseFormat(input.head, input.name, options.format);
  if (format === null) {
    yield problemAt(
      input.name,
      1,
      "could not detect the format; name it with --format (see `deliverlens formats`)",
    );
    return;
  }
  if (format === "email") {
    yield* classifyEmailBuffer(await input.readAll(), input.name);
    return;
  }
  if (format === "smtp") {
    yield* classifyReplies((await input.readAll()).toString("utf8"), input.name);
    return;
  }
  yield* classifyEvents(readEvents(input.stream(), format, input.name), { all: options.all ?? false });
}

/** Every message of an mbox (or the one message), records in the order each message reports them. */
export function* classifyEmailBuffer(raw: Buffer, file: string): Generator<ClassifyItem> {
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

/** A reply's last line: code, space (not `-`). */
const FINAL_LINE = /^[2-5][0-9]{2}(?: |$)/;
const CODE_LINE = /^[2-5][0-9]{2}[ -]/;

/**
 * A text of one or more bare replies. Blank lines separate replies; inside a block where every line
 * starts with a code, each final line (`550 …` after `550-…` lines) ends a reply.
 */
export function* classifyReplies(
  text: string,
  file: string,
  context: Omit<ReplyInput, "text"> = {},
): Generator<ClassifyItem> {
  for (const reply of splitReplies(text)) yield replyRecord(reply.text, file, reply.line, context);
}

export function replyRecord(
  text: string,
  file: string,
  line: number | null,
  context: Omit<ReplyInput, "text"> = {},
): BounceRecord {
  return {
    recipient: context.recipient ?? null,
    source: { file, line },
    format: "smtp",
    time: null,
    ...classifyReply({ ...context, text }),
  };
}

function splitReplies(text: string): Array<{ text: string; line: number }> {
  const replies: Array<{ text: string; line: number }> = [];
  const lines = text.split(/\r\n|\r|\n/);
  let block: string[] = [];
  let blockLine = 1;
  const flush = () => {
    if (block.length === 0) return;
    if (block.every((l) => CODE_LINE.test(l))) {
      let start = 0;
      block.forEach((l, i) => {
        if (FINAL_LINE.test(l) || i === block.length - 1) {
          replies.push({ text: block.slice(start, i + 1).join("\n"), line: blockLine + start });
          start = i + 1;
        }
      });
    } else {
      replies.push({ text: block.join("\n"), line: blockLine });
    }
    block = [];
  };
  lines.forEach((l, i) => {
    if (l.trim() === "") {
      flush();
      blockLine = i + 2;
    } else {
      block.push(l);
    }
  });
  flush();
  return replies;
}

function problemAt(file: string, line: number | null, message: string): ParseProblem {
  return { source: { file, line }, message };
}
