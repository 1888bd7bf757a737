import type { ParseProblem } from "../../events/event.ts";
import type { BounceRecord } from "../record.ts";

/** STUB (bounce-email work): one record per recipient the message reports, in the order it reports them. */
export function recordsFromEmail(
  raw: Buffer,
  file: string,
): { records: BounceRecord[]; problems: ParseProblem[] } {
  void raw;
  return { records: [], problems: [{ source: { file, line: 1 }, message: "email parsing not implemented" }] };
}

/** STUB: split an mbox (or a single message) into messages with the 1-based line each starts on. */
export function splitMbox(raw: Buffer): Array<{ raw: Buffer; line: number }> {
  return [{ raw, line: 1 }];
}
