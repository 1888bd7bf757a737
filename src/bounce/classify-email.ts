import type { ParseProblem } from "../events/event.ts";
import { recordsFromEmail, splitMbox } from "./email/index.ts";
import type { BounceRecord } from "./record.ts";

/** Every message of an mbox (or the one message), records in the order each message reports them. */
export function* classifyEmailBuffer(raw: Buffer, file: string): Generator<BounceRecord | ParseProblem> {
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

/** Cut a streamed mbox into segments of whole messages once this much is buffered. */
const SEGMENT_BYTES = 4 * 1024 * 1024;
const FROM_AFTER_BLANK = Buffer.from("\n\nFrom ");
const FROM_AFTER_BLANK_CRLF = Buffer.from("\r\n\r\nFrom ");

/**
 * A large mbox from a stream, in bounded memory: buffered up to a message boundary (a `From ` line after
 * an empty line, as splitMbox decides), each segment split and classified, line numbers kept.
 */
export async function* classifyEmailStream(
  chunks: AsyncIterable<Buffer>,
  file: string,
): AsyncGenerator<Array<BounceRecord | ParseProblem>> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 1;
  const segment = function* (raw: Buffer, first: number): Generator<BounceRecord | ParseProblem> {
    for (const message of splitMbox(raw)) {
      const { records, problems } = recordsFromEmail(message.raw, file, first + message.line - 1);
      yield* records;
      yield* problems;
    }
  };
  let mbox: boolean | null = null;
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    // Only an mbox is cut: one big message may hold "From " lines in its body.
    mbox ??= pendingBytes >= 5 ? pending[0].toString("latin1", 0, 5) === "From " : null;
    if (pendingBytes < SEGMENT_BYTES || mbox !== true) continue;
    const buffered = Buffer.concat(pending, pendingBytes);
    const cut = lastBoundary(buffered);
    if (cut <= 0) {
      pending = [buffered];
      continue;
    }
    const head = buffered.subarray(0, cut);
    yield [...segment(head, line)];
    line += countNewlines(head);
    const rest = buffered.subarray(cut);
    pending = [rest];
    pendingBytes = rest.length;
  }
  if (pendingBytes > 0) yield [...segment(Buffer.concat(pending, pendingBytes), line)];
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
