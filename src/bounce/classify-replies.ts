import type { ParseProblem } from "../util/problem.ts";
import { classifyReply, type ReplyInput } from "./classify.ts";
import type { BounceRecord } from "./record.ts";

/** Bare SMTP replies: a text holding one or more of them, each becoming a record. */

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
): Generator<BounceRecord | ParseProblem> {
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
