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
