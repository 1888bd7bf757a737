import type { ParseProblem } from "../events/event.ts";
import type { FormatName } from "../events/formats.ts";
import { lineReader, readShard } from "../events/read.ts";
import { isProblem, type Out, type ParseCounters, type Shard } from "../events/source.ts";
import { CLASSIFIED_TYPES, type EventClassifier, eventJson } from "./classify-events.ts";

/** One reader's share of a log file (see classify-log-threads.ts). */
export interface ShardJob {
  /** The file's name (in records and problems) and a descriptor open on it, shared by the threads. */
  path: string;
  fd: number;
  /** The bytes read: the file's size when it was opened (a log still written to is read up to there). */
  size: number;
  format: FormatName;
  modified: Date | null;
  all: boolean;
  shard: Shard;
}

/**
 * What a shard gives after each chunk: its items (records and problems) in input order. A record is its
 * JSON (jsonRecord) as UTF-8 bytes, written here so that both threads share the encoding; the arrays are
 * transferred, not copied, to the other thread.
 */
export interface ShardBatch {
  /** Every line up to this one has been read: no later batch has an item of an earlier line. */
  upTo: number;
  /** The records' JSON, one after another. */
  json: Uint8Array<ArrayBuffer>;
  /** Per item: where its JSON ends in `json` (a problem ends where the item before it did). */
  ends: Int32Array<ArrayBuffer>;
  /** Per item: its line (-1: none). */
  lines: Int32Array<ArrayBuffer>;
  /** Per item: 1 for a problem (the next of `problems`), 0 for a record. */
  kinds: Uint8Array<ArrayBuffer>;
  problems: ParseProblem[];
}

/** Past every line: the batch after the end of input. */
export const END_OF_INPUT = Number.MAX_SAFE_INTEGER;

/** One shard of a log file, classified chunk by chunk. */
export function* shardBatches(
  job: ShardJob,
  classifier: EventClassifier,
  counters: ParseCounters,
): Generator<ShardBatch> {
  const reader = lineReader(job.format, job.path, {
    modified: job.modified,
    types: job.all ? null : CLASSIFIED_TYPES,
    counters,
    shard: job.shard,
  });
  const settings = { all: job.all, format: job.format };
  for (const { out, last } of readShard(reader, job, job.shard)) {
    yield batchOf(out, classifier, settings, last ? END_OF_INPUT : reader.linesRead);
  }
}

/** JSON bytes reserved per record at first (a batch grows as needed). */
const RECORD_BYTES = 1024;

function batchOf(
  out: Out,
  classifier: EventClassifier,
  settings: { all: boolean; format: string },
  upTo: number,
): ShardBatch {
  // Sized for every item; the views below are cut to the items kept.
  const most = out.length;
  const ends = new Int32Array(most);
  const lines = new Int32Array(most);
  const kinds = new Uint8Array(most);
  const problems: ParseProblem[] = [];
  // Not from Buffer's shared pool: the memory is handed to another thread.
  let json = Buffer.allocUnsafeSlow(Math.max(RECORD_BYTES, most * RECORD_BYTES));
  let length = 0;
  let n = 0;
  for (const item of out) {
    if (isProblem(item)) {
      problems.push(item);
      kinds[n] = 1;
    } else {
      const text = eventJson(item, classifier, settings.format, settings.all);
      if (text === null) continue;
      const needed = length + text.length * 3; // at most 3 UTF-8 bytes per UTF-16 unit
      if (needed > json.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * json.length));
        json.copy(grown, 0, 0, length);
        json = grown;
      }
      length += json.write(text, length);
    }
    lines[n] = item.source.line ?? -1;
    ends[n] = length;
    n++;
  }
  return {
    upTo,
    json: json.subarray(0, length),
    ends: ends.subarray(0, n),
    lines: lines.subarray(0, n),
    kinds: kinds.subarray(0, n),
    problems,
  };
}
