import { jsonRecord } from "../bounce/render-output.ts";
import type { ParseProblem } from "../events/event.ts";
import { type OpenedSource, openWholeFile } from "../events/input.ts";
import { LimitError } from "../util/limits.ts";
import { describeError } from "../util/walk.ts";
import { emailItems } from "./classify-email.ts";
import {
  type ClassifyItem,
  type ClassifyOptions,
  chooseFormat,
  classifyOpenedBatches,
  isProblem,
} from "./classify-source.ts";

/**
 * Small files classified whole, a job of them at a time: the unit of work each of `classify`'s two
 * classifying processes takes (files-in-jobs.ts), so a directory of bounce emails uses both cores. A job's
 * records come back as bytes (each record's JSON and a newline, in order): one buffer crosses between the
 * processes and is appended to the output as it is, instead of a string per record to copy, rebuild and encode
 * again.
 */

export interface FileResult {
  path: string;
  /** How many records the file gave, and the bytes they take in the job's `json`, in input order. */
  records: number;
  jsonBytes: number;
  problems: ParseProblem[];
  /** Why the file could not be opened at all, or null. */
  unreadable: string | null;
  /** Large, compressed or stdin: not done here; the caller streams it. */
  streamed: boolean;
  /** Reading broke before anything came out (the file counts as unread). */
  failed: boolean;
}

/**
 * A job's files, in order — the first ones of those it was given when it ended by bytes — and their records:
 * JSON lines (jsonRecord and "\n"), file after file; `bytes`: what it read and wrote.
 */
export interface FilesDone {
  files: FileResult[];
  json: Buffer;
  bytes: number;
}

/**
 * A job's outcomes as the second process sends them (second-process.ts): a file that gave records and nothing
 * else to say — nearly every one — as [records, jsonBytes], its path being the one the job gave; any other
 * outcome whole. (Each outcome as JSON, path and all, cost both processes ~0.5 % of a folder of bounce emails
 * to write and parse.)
 */
export type SentResult = [records: number, jsonBytes: number] | FileResult;
/** A job's result as the second process sends it: its bytes (FilesDone) and its files' outcomes. */
export interface SentJob {
  bytes: number;
  files: SentResult[];
}

export function sentResults(files: readonly FileResult[]): SentResult[] {
  return files.map((file) =>
    file.problems.length === 0 && file.unreadable === null && !file.streamed && !file.failed
      ? [file.records, file.jsonBytes]
      : file,
  );
}

/** The outcomes of the job of `paths`, from what sentResults made of them. */
export function receivedResults(sent: readonly SentResult[], paths: readonly string[]): FileResult[] {
  return sent.map((result, at) =>
    Array.isArray(result)
      ? {
          path: paths[at],
          records: result[0],
          jsonBytes: result[1],
          problems: [],
          unreadable: null,
          streamed: false,
          failed: false,
        }
      : result,
  );
}

/** Files up to this size are read into one buffer per job (each is done before the next is read). */
const SCRATCH_BYTES = 256 * 1024;

/**
 * `streams`: paths that are not regular files (expandInputs): never opened here, left to the caller's stream
 * (a FIFO opened twice would wait for a second writer). `budget`: the job ends after the file that takes the
 * bytes it read and wrote past it (the files left are the caller's; the first is always done), so what a job holds is bounded by bytes.
 */
export async function classifyWholeFiles(
  paths: readonly string[],
  options: ClassifyOptions,
  streams: ReadonlySet<string> = NO_STREAMS,
  budget = Number.POSITIVE_INFINITY,
): Promise<FilesDone> {
  const files: FileResult[] = [];
  // A job's buffers are the last job's (a fresh 256 KB each time is fresh pages to fault in); a job that runs
  // while another awaits takes its own.
  const { json, scratch } = spare.pop() ?? {
    json: new JsonLines(),
    scratch: Buffer.allocUnsafe(SCRATCH_BYTES),
  };
  const read = { bytes: 0 };
  try {
    for (let at = 0; at < paths.length && (at === 0 || read.bytes + json.length < budget); at++) {
      // Most files (bounce emails) are done without an await: a folder of 14,000 takes thousands fewer turns.
      // Any other is awaited here, before the next file is read into the scratch buffer.
      const before = json.length;
      const started = startWholeFile(paths[at], streams.has(paths[at]) ? null : scratch, options, json, read);
      const result =
        "opened" in started ? await classifyRest(started.opened, started.result, options, json) : started;
      result.jsonBytes = json.length - before;
      files.push(result);
    }
    const bytes = read.bytes + json.length;
    return { files, json: json.take(), bytes };
  } finally {
    spare.push({ json, scratch });
  }
}

const NO_STREAMS: ReadonlySet<string> = new Set();

/** Buffers of jobs done, for the next job. */
const spare: { json: JsonLines; scratch: Buffer }[] = [];

/** Records' JSON lines written into one growing buffer (UTF-8 straight from each record's string). */
class JsonLines {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  length = 0;

  add(json: string): void {
    const needed = this.length + json.length * 3 + 1; // at most 3 UTF-8 bytes per UTF-16 unit
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.buffer.length));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(json, this.length, "utf8");
    this.buffer[this.length++] = 10;
  }

  /** The lines written, as a buffer of their own (this one is reused), and a fresh start. */
  take(): Buffer {
    const lines = Buffer.allocUnsafe(this.length);
    this.buffer.copy(lines, 0, 0, this.length);
    this.length = 0;
    return lines;
  }
}

/**
 * The file's result when nothing needs waiting for: unreadable, left to stream, or a whole email file
 * (classified here, synchronously, as classifyOpenedBatches would); else the opened file still to classify.
 * `scratch`: the buffer to read it into, or null for a path left to stream; `read`: its bytes are added.
 */
function startWholeFile(
  path: string,
  scratch: Buffer | null,
  options: ClassifyOptions,
  json: JsonLines,
  read: { bytes: number },
): FileResult | { opened: OpenedSource; result: FileResult } {
  const result: FileResult = {
    path,
    records: 0,
    jsonBytes: 0,
    problems: [],
    unreadable: null,
    streamed: false,
    failed: false,
  };
  let opened: OpenedSource | null;
  try {
    opened = scratch === null ? null : openWholeFile(path, scratch);
  } catch (error) {
    result.unreadable = describeError(error);
    return result;
  }
  if (opened === null) {
    result.streamed = true;
    return result;
  }
  read.bytes += opened.whole?.length ?? opened.head.length;
  if (opened.whole === null || opened.head.length === 0) return { opened, result };
  if (chooseFormat(opened.head, opened.name, options.format) !== "email") return { opened, result };
  try {
    // Whole, as classifyOpenedBatches yields it: a message that throws leaves no record of the file.
    const items = emailItems(opened.whole, opened.name);
    for (let i = 0; i < items.length; i++) add(result, items[i], json);
  } catch (error) {
    fail(result, error);
  }
  return result;
}

/** Any other format, through the one path every input takes (classify-source.ts). */
async function classifyRest(
  opened: OpenedSource,
  result: FileResult,
  options: ClassifyOptions,
  json: JsonLines,
): Promise<FileResult> {
  try {
    for await (const batch of classifyOpenedBatches(opened, options)) {
      for (const item of batch) add(result, item, json);
    }
  } catch (error) {
    fail(result, error);
  }
  return result;
}

function add(result: FileResult, item: ClassifyItem, json: JsonLines): void {
  if (isProblem(item)) result.problems.push(item);
  else {
    json.add(jsonRecord(item));
    result.records++;
  }
}

function fail(result: FileResult, error: unknown): void {
  result.problems.push({
    source: { file: result.path, line: null },
    message: `could not read further: ${describeError(error)}`,
  });
  result.failed = (result.records === 0 && result.problems.length === 1) || error instanceof LimitError;
}
