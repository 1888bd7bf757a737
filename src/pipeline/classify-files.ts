import { jsonRecord } from "../bounce/render-output.ts";
import type { ParseProblem } from "../events/event.ts";
import { type OpenedSource, openWholeFile } from "../events/input.ts";
import { LimitError } from "../util/limits.ts";
import { describeError } from "../util/walk.ts";
import { classifyEmailBuffer } from "./classify-email.ts";

// The helper process's other task (helper-jobs.ts): an mbox's segments, read from the file by their place.
export { classifySegmentRange } from "./classify-email.ts";

import {
  type ClassifyItem,
  type ClassifyOptions,
  chooseFormat,
  classifyOpenedBatches,
  isProblem,
} from "./classify-source.ts";

/**
 * One small file classified whole into JSON lines: the unit of work `classify` hands to its second
 * thread (and does itself), so a directory of bounce emails uses both cores.
 */

export interface FileResult {
  path: string;
  /** Records as JSON (jsonRecord), in input order. */
  records: string[];
  problems: ParseProblem[];
  /** Why the file could not be opened at all, or null. */
  unreadable: string | null;
  /** Large, compressed or stdin: not done here; the caller streams it. */
  streamed: boolean;
  /** Reading broke before anything came out (the file counts as unread). */
  failed: boolean;
}

export async function classifyWholeFile(path: string, options: ClassifyOptions): Promise<FileResult> {
  const started = startWholeFile(path, options);
  return "opened" in started ? classifyRest(started.opened, started.result, options) : started;
}

/** Files up to this size are read into one buffer per job (each is done before the next is read). */
const SCRATCH_BYTES = 256 * 1024;

export async function classifyWholeFiles(paths: readonly string[], options: ClassifyOptions) {
  const results: FileResult[] = [];
  const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  for (const path of paths) {
    // Most files (bounce emails) are done without an await: a folder of 14,000 takes thousands fewer turns.
    // Any other is awaited here, before the next file is read into the scratch buffer.
    const started = startWholeFile(path, options, scratch);
    results.push("opened" in started ? await classifyRest(started.opened, started.result, options) : started);
  }
  return results;
}

/**
 * The file's result when nothing needs waiting for: unreadable, left to stream, or a whole email file
 * (classified here, synchronously, as classifyOpenedBatches would); else the opened file still to classify.
 */
function startWholeFile(
  path: string,
  options: ClassifyOptions,
  scratch?: Buffer,
): FileResult | { opened: OpenedSource; result: FileResult } {
  const result: FileResult = {
    path,
    records: [],
    problems: [],
    unreadable: null,
    streamed: false,
    failed: false,
  };
  let opened: OpenedSource | null;
  try {
    opened = openWholeFile(path, scratch);
  } catch (error) {
    result.unreadable = describeError(error);
    return result;
  }
  if (opened === null) {
    result.streamed = true;
    return result;
  }
  if (opened.whole === null || opened.head.length === 0) return { opened, result };
  if (chooseFormat(opened.head, opened.name, options.format) !== "email") return { opened, result };
  try {
    // Whole, as classifyOpenedBatches yields it: a message that throws leaves no record of the file.
    const items = [...classifyEmailBuffer(opened.whole, opened.name)];
    for (let i = 0; i < items.length; i++) add(result, items[i]);
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
): Promise<FileResult> {
  try {
    for await (const batch of classifyOpenedBatches(opened, options)) {
      for (const item of batch) add(result, item);
    }
  } catch (error) {
    fail(result, error);
  }
  return result;
}

function add(result: FileResult, item: ClassifyItem): void {
  if (isProblem(item)) result.problems.push(item);
  else result.records.push(jsonRecord(item));
}

function fail(result: FileResult, error: unknown): void {
  result.problems.push({
    source: { file: result.path, line: null },
    message: `could not read further: ${describeError(error)}`,
  });
  result.failed =
    (result.records.length === 0 && result.problems.length === 1) || error instanceof LimitError;
}

/** Every path's result, in order, chunks of files classified on two threads; `streamed` ones are left to the caller. */
export async function* classifyFilesInParallel(
  paths: readonly string[],
  options: ClassifyOptions,
): AsyncGenerator<FileResult> {
  const { CHUNK_FILES, inOrderOnTwoThreads } = await import("./classify-parallel.ts");
  const chunks = (function* () {
    for (let at = 0; at < paths.length; at += CHUNK_FILES) yield paths.slice(at, at + CHUNK_FILES);
  })();
  const local = (job: string[]) => classifyWholeFiles(job, options);
  for await (const results of inOrderOnTwoThreads("files", chunks, options, local)) yield* results;
}
