import { jsonRecord } from "../bounce/render-output.ts";
import type { ParseProblem } from "../events/event.ts";
import { type OpenedSource, openWholeFile } from "../events/input.ts";
import { LimitError } from "../util/limits.ts";
import { describeError } from "../util/walk.ts";
import { type ClassifyOptions, classifyOpenedBatches, isProblem } from "./classify-source.ts";

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
    opened = openWholeFile(path);
  } catch (error) {
    result.unreadable = describeError(error);
    return result;
  }
  if (opened === null) {
    result.streamed = true;
    return result;
  }
  try {
    for await (const batch of classifyOpenedBatches(opened, options)) {
      for (const item of batch) {
        if (isProblem(item)) result.problems.push(item);
        else result.records.push(jsonRecord(item));
      }
    }
  } catch (error) {
    result.problems.push({
      source: { file: path, line: null },
      message: `could not read further: ${describeError(error)}`,
    });
    result.failed =
      (result.records.length === 0 && result.problems.length === 1) || error instanceof LimitError;
  }
  return result;
}

export async function classifyWholeFiles(paths: readonly string[], options: ClassifyOptions) {
  const results: FileResult[] = [];
  for (const path of paths) results.push(await classifyWholeFile(path, options));
  return results;
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
