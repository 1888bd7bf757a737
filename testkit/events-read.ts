/** Test helpers for src/events: read a string/Buffer input in a given format and split events from problems. */
import { Readable } from "node:stream";
import type { DeliveryEvent, ParseProblem } from "../src/events/event.ts";
import type { FormatName } from "../src/events/formats.ts";
import type { ReadOptions } from "../src/events/read.ts";
import { readEvents } from "../src/events/read.ts";
import { isProblem } from "../src/events/source.ts";

export interface ReadResult {
  events: DeliveryEvent[];
  problems: ParseProblem[];
}

/** `chunkSize` splits the input into several chunks, exercising lines that straddle chunk boundaries. */
export async function readAll(
  input: string | Buffer,
  format: FormatName,
  options: ReadOptions & { chunkSize?: number } = {},
): Promise<ReadResult> {
  const bytes = typeof input === "string" ? Buffer.from(input) : input;
  const size = options.chunkSize ?? 65536;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const result: ReadResult = { events: [], problems: [] };
  for await (const item of readEvents(
    Readable.from(chunks, { objectMode: false }),
    format,
    "test",
    options,
  )) {
    if (isProblem(item)) result.problems.push(item);
    else result.events.push(item);
  }
  return result;
}
