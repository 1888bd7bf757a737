import { JsonBytes } from "../bounce/render-output.ts";
import type { DeliveryEvent, ParseProblem } from "../events/event.ts";
import type { FormatName } from "../events/formats.ts";
import type { SharedLineIndex } from "../events/line-index.ts";
import { lineReader, readShard } from "../events/read.ts";
import {
  type DeliveryWriter,
  isProblem,
  type Out,
  type OutcomeSink,
  type OutcomeSpans,
  type ParseCounters,
  type ShapedLine,
  type Shard,
} from "../events/source.ts";
import { detachFirst } from "../util/detaching.ts";
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
 * JSON (jsonRecord) as UTF-8 bytes followed by a newline, written here so that both threads share the
 * encoding and records next to each other in `json` reach the output as one piece (ndjson's bytes); the
 * arrays are transferred, not copied, to the other thread.
 */
export interface ShardBatch {
  /** Every line up to this one has been read: no later batch has an item of an earlier line. */
  upTo: number;
  /** The records' JSON. */
  json: Uint8Array<ArrayBuffer>;
  /** Per item: where its JSON starts and ends in `json`, its newline at `ends` (a problem's are not used). */
  starts: Int32Array<ArrayBuffer>;
  ends: Int32Array<ArrayBuffer>;
  /** Per item: its line (-1: none). */
  lines: Int32Array<ArrayBuffer>;
  /** Per item: 1 for a problem (the next of `problems`), 0 for a record. */
  kinds: Uint8Array<ArrayBuffer>;
  problems: ParseProblem[];
}

/**
 * How a thread spent its part of a run, in seconds: its CPU (of it, before its first chunk) and its waits for
 * the other. With DELIVERLENS_DEBUG both threads' are printed: whether one idles while the other works.
 */
export interface ThreadTimes {
  cpu: number;
  startCpu: number;
  waited: number;
}

/** The CPU seconds of this thread since `since` (process.threadCpuUsage). */
export function threadCpu(since?: NodeJS.CpuUsage): number {
  const used = process.threadCpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** What the worker sends after its last batch. */
export interface ShardEnd {
  counters: ParseCounters;
  times: ThreadTimes;
}

/** Past every line: the batch after the end of input. */
export const END_OF_INPUT = Number.MAX_SAFE_INTEGER;

/**
 * One shard of a log file, classified chunk by chunk (`lanes` false: no delivery's record written by its line
 * template's lane — the same records, each written by the classifier: tests compare the two).
 */
export function* shardBatches(
  job: ShardJob,
  classifier: EventClassifier,
  counters: ParseCounters,
  spares: ArrayBuffer[] = [],
  lines: SharedLineIndex | null = null,
  lanes = true,
): Generator<ShardBatch> {
  // The threads move their batches' memory to each other (a postMessage transfer detaches it). (Batches in
  // shared memory instead cost more: a copy into or out of a SharedArrayBuffer is a relaxed atomic copy, 3-5
  // times slower for a record's larger pieces.)
  detachFirst();
  const records = new ShardRecords(classifier, job.format, job.all, spares, lanes);
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
const NEWLINE = 10;
/** Ints kept per outcome record until its chunk's batch is made, and records first made room for. */
const TAKEN = 4;
const RECORDS_AT_FIRST = 4096;

/**
 * The records of a chunk: those the parser read on the bytes (written as they come, OutcomeSink), then
 * the events and problems it gave in `out`, merged by their place in the chunk.
 */
class ShardRecords implements OutcomeSink, DeliveryWriter {
  private readonly classifier: EventClassifier;
  private readonly format: string;
  private readonly all: boolean;
  private json = new JsonBytes(RECORD_BYTES);
  /**
   * Per outcome record of the chunk, TAKEN ints: where its JSON starts and ends, its line, how many items
   * of `out` come before it (one array kept from chunk to chunk: no array grown anew per chunk).
   */
  private taken = new Int32Array(TAKEN * RECORDS_AT_FIRST);
  private count = 0;
  /** The size of the last batch's JSON (the next one's first guess). */
  private lastLength = RECORD_BYTES;

  /**
   * Memory of batches whose JSON has been read (handed back by the consumer): new batches are written
   * there, so a run allocates a few buffers, not one per chunk (each new one counts towards V8's
   * external memory, which sets off full garbage collections).
   */
  private readonly spares: ArrayBuffer[];

  /** Itself where deliveries are records (`all`): see DeliveryWriter. */
  readonly deliveries: DeliveryWriter | null;

  constructor(
    classifier: EventClassifier,
    format: string,
    all: boolean,
    spares: ArrayBuffer[],
    lanes: boolean,
  ) {
    this.classifier = classifier;
    this.format = format;
    this.all = all;
    this.spares = spares;
    this.deliveries = all && lanes ? this : null;
  }

  start(time: string | null): number {
    return this.classifier.laneStart(this.json, time);
  }

  get limit(): number {
    return this.classifier.laneLimit;
  }

  get timeLength(): number {
    return this.classifier.laneTime;
  }

  wrote(end: number, line: number, before: number): void {
    const start = this.json.length;
    this.classifier.laneWrote(this.json, end);
    this.written(start, line, before);
  }

  outcome(event: DeliveryEvent, spans: OutcomeSpans, before: number): void {
    if (!wanted(event, this.all)) return;
    const start = this.json.length;
    if (!this.classifier.jsonBytes(event, spans, this.format, this.json)) return;
    this.written(start, event.source.line ?? -1, before);
  }

  shaped(line: ShapedLine, spans: OutcomeSpans, before: number): boolean {
    if (line.type === "delivered" && !this.all) return false;
    const start = this.json.length;
    if (!this.classifier.shapedBytes(line, spans, this.format, this.json)) return false;
    this.written(start, line.line, before);
    return true;
  }

  /** The record written at json[start, length) (line `line`, after the first `before` items of `out`), taken. */
  private written(start: number, line: number, before: number): void {
    const at = this.count * TAKEN;
    if (at === this.taken.length) {
      const grown = new Int32Array(2 * this.taken.length);
      grown.set(this.taken);
      this.taken = grown;
    }
    const taken = this.taken;
    taken[at] = start;
    taken[at + 1] = this.json.length;
    taken[at + 2] = line;
    taken[at + 3] = before;
    this.count++;
    this.json.byte(NEWLINE);
  }

  /** The chunk's records and problems, in input order (the outcomes and `out`'s items merged). */
  batch(out: Out, upTo: number): ShardBatch {
    const count = this.count;
    const taken = this.taken;
    const most = out.length + count;
    const starts = new Int32Array(most);
    const ends = new Int32Array(most);
    const lines = new Int32Array(most);
    const kinds = new Uint8Array(most);
    const problems: ParseProblem[] = [];
    const json = this.json;
    let n = 0;
    let k = 0;
    // The outcome records before item i (all of them at i = out.length), then the item: in one loop, its
    // counters locals (a closure's are context slots, loaded and stored on every record: `--all`'s records
    // are nearly all outcomes).
    for (let i = 0; ; i++) {
      for (let at = k * TAKEN; k < count && taken[at + 3] <= i; k++, n++, at += TAKEN) {
        starts[n] = taken[at];
        ends[n] = taken[at + 1];
        lines[n] = taken[at + 2];
      }
      if (i === out.length) break;
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
        json.byte(NEWLINE);
      }
      lines[n] = item.source.line ?? -1;
      n++;
    }
    // Not from Buffer's shared pool: the memory is handed to another thread.
    this.lastLength = json.length;
    this.json = new JsonBytes(Math.max(RECORD_BYTES, this.lastLength), this.spares.pop());
    this.count = 0;
    return {
      upTo,
      json: new Uint8Array(json.buffer.buffer as ArrayBuffer, json.buffer.byteOffset, json.length),
      starts: starts.subarray(0, n),
      ends: ends.subarray(0, n),
      lines: lines.subarray(0, n),
      kinds: kinds.subarray(0, n),
      problems,
    };
  }
}
