import { JsonBytes } from "../bounce/render-output.ts";
import type { DeliveryEvent, ParseProblem } from "../events/event.ts";
import type { FormatName } from "../events/formats.ts";
import type { SharedLineIndex } from "../events/line-index.ts";
import { lineReader, readShard } from "../events/read.ts";
import {
  isProblem,
  type Out,
  type OutcomeSink,
  type OutcomeSpans,
  type ParseCounters,
  type Shard,
} from "../events/source.ts";
import { CLASSIFIED_TYPES, type EventClassifier, eventJson, wanted } from "./classify-events.ts";

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
 * JSON (jsonRecord) as UTF-8 bytes, written here so that both threads share the encoding. The JSON is in
 * shared memory, so it goes to the other thread neither copied nor transferred: a transfer detaches an
 * ArrayBuffer, and V8's first detach in a thread throws away every optimized function that reads a typed
 * array (it had assumed no buffer is ever detached) and makes the new code check for it (a cascade of
 * ~30 deoptimizations, --trace-deopt). The small per-item arrays are copied.
 */
export interface ShardBatch {
  /** Every line up to this one has been read: no later batch has an item of an earlier line. */
  upTo: number;
  /** The records' JSON. */
  json: Uint8Array<SharedArrayBuffer>;
  /** Per item: where its JSON starts and ends in `json` (a problem's are not used). */
  starts: Int32Array<ArrayBuffer>;
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
  spares: SharedArrayBuffer[] = [],
  lines: SharedLineIndex | null = null,
): Generator<ShardBatch> {
  const records = new ShardRecords(classifier, job.format, job.all, spares);
  const reader = lineReader(job.format, job.path, {
    modified: job.modified,
    types: job.all ? null : CLASSIFIED_TYPES,
    counters,
    shard: job.shard,
    outcomes: records,
  });
  for (const { out, last } of readShard(reader, job, job.shard, lines)) {
    yield records.batch(out, last ? END_OF_INPUT : reader.linesRead);
  }
}

/** JSON bytes reserved per record at first (a batch grows as needed). */
const RECORD_BYTES = 1024;

/**
 * The records of a chunk: those the parser read on the bytes (written as they come, OutcomeSink), then
 * the events and problems it gave in `out`, merged by their place in the chunk.
 */
class ShardRecords implements OutcomeSink {
  private readonly classifier: EventClassifier;
  private readonly format: string;
  private readonly all: boolean;
  private json: JsonBytes;
  /** Per outcome record: where its JSON starts and ends, its line, how many items of `out` come before it. */
  private starts: number[] = [];
  private ends: number[] = [];
  private lines: number[] = [];
  private before: number[] = [];
  /** The size of the last batch's JSON (the next one's first guess). */
  private lastLength = RECORD_BYTES;

  /**
   * Memory of batches whose JSON has been read (handed back by the consumer): new batches are written
   * there, so a run allocates a few buffers, not one per chunk (each new one counts towards V8's
   * external memory, which sets off full garbage collections).
   */
  private readonly spares: SharedArrayBuffer[];

  constructor(classifier: EventClassifier, format: string, all: boolean, spares: SharedArrayBuffer[]) {
    this.classifier = classifier;
    this.format = format;
    this.all = all;
    this.spares = spares;
    this.json = this.jsonBytes(RECORD_BYTES);
  }

  /** JSON bytes with room for `size` in shared memory: a spare big enough, or new memory (with headroom). */
  private jsonBytes(size: number): JsonBytes {
    let spare = this.spares.pop();
    while (spare !== undefined && spare.byteLength < size) spare = this.spares.pop();
    return new JsonBytes(size, spare ?? new SharedArrayBuffer(Math.ceil(size * 1.5)));
  }

  outcome(event: DeliveryEvent, spans: OutcomeSpans, before: number): void {
    if (!wanted(event, this.all)) return;
    const start = this.json.length;
    if (!this.classifier.jsonBytes(event, spans, this.format, this.json)) return;
    this.starts.push(start);
    this.ends.push(this.json.length);
    this.lines.push(event.source.line ?? -1);
    this.before.push(before);
  }

  /** The chunk's records and problems, in input order (the outcomes and `out`'s items merged). */
  batch(out: Out, upTo: number): ShardBatch {
    const taken = this.starts.length;
    const most = out.length + taken;
    const starts = new Int32Array(most);
    const ends = new Int32Array(most);
    const lines = new Int32Array(most);
    const kinds = new Uint8Array(most);
    const problems: ParseProblem[] = [];
    const json = this.json;
    let n = 0;
    let k = 0;
    const outcomesBefore = (item: number) => {
      for (; k < taken && this.before[k] <= item; k++, n++) {
        starts[n] = this.starts[k];
        ends[n] = this.ends[k];
        lines[n] = this.lines[k];
      }
    };
    for (let i = 0; i < out.length; i++) {
      outcomesBefore(i);
      const item = out[i];
      if (isProblem(item)) {
        problems.push(item);
        kinds[n] = 1;
      } else {
        const text = eventJson(item, this.classifier, this.format, this.all);
        if (text === null) continue;
        starts[n] = json.length;
        json.text(text);
        ends[n] = json.length;
      }
      lines[n] = item.source.line ?? -1;
      n++;
    }
    outcomesBefore(out.length);
    this.lastLength = json.length;
    this.json = this.jsonBytes(Math.max(RECORD_BYTES, this.lastLength));
    this.starts = [];
    this.ends = [];
    this.lines = [];
    this.before = [];
    return {
      upTo,
      json: inSharedMemory(json),
      starts: starts.subarray(0, n),
      ends: ends.subarray(0, n),
      lines: lines.subarray(0, n),
      kinds: kinds.subarray(0, n),
      problems,
    };
  }
}

/** The bytes written, where they are when in shared memory, else (the batch outgrew its memory) copied there. */
function inSharedMemory(json: JsonBytes): Uint8Array<SharedArrayBuffer> {
  const written = json.buffer;
  if (written.buffer instanceof SharedArrayBuffer) {
    return new Uint8Array(written.buffer, written.byteOffset, json.length);
  }
  const copy = new Uint8Array(new SharedArrayBuffer(Math.ceil(json.length * 1.5)), 0, json.length);
  copy.set(written.subarray(0, json.length));
  return copy;
}
