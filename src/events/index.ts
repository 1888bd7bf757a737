import type { Readable } from "node:stream";
import type { BounceRecord } from "../bounce/record.ts";
import type { DeliveryEvent, ParseProblem } from "./event.ts";
import type { FormatName } from "./formats.ts";

/** STUB (events work): guess the format from the first bytes of an input (and its path). */
export function detectFormat(head: string, path: string): FormatName | null {
  void head;
  void path;
  return null;
}

/** STUB: stream a log/event input (gzip/zstd transparently) as normalized events, problems inline. */
export async function* readEvents(
  input: Readable,
  format: FormatName,
  file: string,
): AsyncGenerator<DeliveryEvent | ParseProblem> {
  void input;
  void format;
  void file;
}

/** STUB: bounce records for failures, deferrals and complaints (deliveries too with `all`). */
export async function* classifyEvents(
  events: AsyncIterable<DeliveryEvent | ParseProblem>,
  options: { all?: boolean },
): AsyncGenerator<BounceRecord | ParseProblem> {
  void events;
  void options;
}
