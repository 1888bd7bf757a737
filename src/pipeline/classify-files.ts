import { jsonRecord } from "../bounce/render-output.ts";
import type { ParseProblem } from "../events/event.ts";
import { type OpenedSource, openWholeFileAsync } from "../events/input.ts";
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

/** A file read whole (null: to be streamed), or why it could not be opened. */
type Opening = { opened: OpenedSource | null } | { error: unknown };

function openingOf(path: string): Promise<Opening> {
  return openWholeFileAsync(path).then(
    (opened) => ({ opened }),
    (error: unknown) => ({ error }),
  );
}

/** Files read ahead of the one being classified, at most: their disk reads overlap each other and the parsing. */
const READ_AHEAD = 8;

export async function classifyWholeFile(
  path: string,
  options: ClassifyOptions,
  opening: Promise<Opening> = openingOf(path),
): Promise<FileResult> {
  const result: FileResult = {
    path,
    records: [],
    problems: [],
    unreadable: null,
    streamed: false,
    failed: false,
  };
  const read = await opening;
  if ("error" in read) {
    result.unreadable = describeError(read.error);
    return result;
  }
  const opened = read.opened;
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
  const openings = new Map<number, Promise<Opening>>();
  const readAhead = (index: number) => {
    if (index < paths.length) openings.set(index, openingOf(paths[index]));
  };
  for (let index = 0; index < READ_AHEAD; index++) readAhead(index);
  for (const [index, path] of paths.entries()) {
    const opening = openings.get(index) ?? openingOf(path);
    openings.delete(index);
    readAhead(index + READ_AHEAD);
    results.push(await classifyWholeFile(path, options, opening));
  }
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
