import { closeSync, openSync, readSync, statSync } from "node:fs";
import { replyRecord } from "../../bounce/classify-replies.ts";
import type { ParseProblem } from "../../events/event.ts";
import { FORMATS, type FormatName, isFormatName } from "../../events/formats.ts";
import { type OpenedSource, openSource } from "../../events/input.ts";
import type { FilesDone } from "../../pipeline/classify-files.ts";
import type { ClassifyOptions } from "../../pipeline/classify-source.ts";
import { topTierOn, withoutTopTier } from "../../pipeline/compiler-tier.ts";
import { createProgress, type Progress } from "../../report/progress.ts";
import { createSink, type OutputMode, type RecordSink } from "../../report/record-output.ts";
import { escapeLine } from "../../report/terminal.ts";
import { LimitError } from "../../util/limits.ts";
import { describeError, expandInputs } from "../../util/walk.ts";
import { EXIT } from "../exit.ts";

/** `deliverlens classify`: the CLI edge (files, stdin, options, stderr, exit code) around classify-source. */

export interface ClassifyCliOptions {
  text?: string;
  format?: string;
  all?: boolean;
  json?: boolean;
  ndjson?: boolean;
}

export async function runClassify(files: string[], options: ClassifyCliOptions): Promise<number> {
  if (options.json && options.ndjson) return usage("--json and --ndjson cannot be used together");
  if (options.format !== undefined && !isFormatName(options.format)) {
    return usage(`unknown --format "${options.format}"; one of: ${Object.keys(FORMATS).join(", ")}`);
  }
  const mode: OutputMode = options.json ? "json" : options.ndjson ? "ndjson" : "text";

  const sink = createSink(mode);
  let exitCode: number = EXIT.ok;
  if (options.text !== undefined) sink.add(replyRecord(options.text, "<text>", null));

  const args = files.length === 0 && options.text === undefined ? ["-"] : files;
  // Many files as JSON are classified in jobs by two processes (fileJobs): the second starts during the walk.
  const parallel = mode === "text" ? null : await import("../../pipeline/classify-parallel.ts");
  // One big log read on two threads: the second starts now, while this one loads the readers.
  parallel?.logThreadAhead(args);
  await parallel?.connectAhead();
  const firstFile = await topTierByFirstFile(args, options.format);
  const { files: paths, problems, streams } = expandInputs(args, parallel?.secondProcessAhead(), firstFile);
  parallel?.walked(paths.length);
  for (const problem of problems) {
    const verb = problem.unread ? "cannot read" : "skipped";
    process.stderr.write(`deliverlens: ${verb} ${escapeLine(problem.path)}: ${escapeLine(problem.reason)}\n`);
    if (problem.unread) exitCode = EXIT.failed;
  }
  try {
    if (paths.length > 0) {
      const format = options.format !== undefined && isFormatName(options.format) ? options.format : null;
      const ok = await classifyPaths(paths, streams, { format, all: options.all ?? false }, sink, mode);
      if (!ok) exitCode = EXIT.failed;
    }
  } finally {
    await parallel?.dropAhead();
  }
  await sink.end();
  return exitCode;
}

/** Classify every path into the sink; false when some input could not be read at all. */
async function classifyPaths(
  paths: string[],
  streams: ReadonlySet<string>,
  options: { format: FormatName | null; all: boolean },
  sink: RecordSink,
  mode: OutputMode,
): Promise<boolean> {
  // Loaded only here: `--text` alone never pays for format detection, the email scanner or log readers.
  const { chooseFormat, classifyOpenedBatches, classifyOpenedJson, isProblem, JsonLines } = await import(
    "../../pipeline/classify-source.ts"
  );
  if (
    topTierOn() &&
    (options.format === "email" || (!options.format && startsWithEmail(paths[0], chooseFormat)))
  ) {
    withoutTopTier();
  }
  if (paths.includes("-") && process.stdin.isTTY) {
    process.stderr.write("deliverlens classify: reading replies from the terminal; end with Ctrl-D\n");
  }
  const byFile = paths.length > 1;
  const progress = progressFor(paths.length);
  const shared = { ...options };
  let allRead = true;
  let done = 0;
  let records = 0;
  /** One input read through classify-source (a stream for big, compressed or non-file inputs). */
  const classifyStreamed = async (path: string): Promise<void> => {
    let opened: OpenedSource;
    try {
      opened = await openSource(path);
    } catch (error) {
      process.stderr.write(`deliverlens: cannot read ${escapeLine(path)}: ${describeError(error)}\n`);
      allRead = false;
      return;
    }
    let items = 0;
    try {
      // JSON output takes records already serialised (a big log's come from two threads that way).
      const batches =
        mode === "text" ? classifyOpenedBatches(opened, shared) : classifyOpenedJson(opened, shared);
      for await (const batch of batches) {
        items += batch.length;
        for (const item of batch) {
          if (item instanceof JsonLines) {
            // The batch's memory is written again only after the flush below.
            sink.lendJsonLines(item.bytes);
            records += item.count;
          } else if (typeof item === "string") {
            sink.addJson(item);
            records++;
          } else if (isProblem(item)) {
            reportProblem(item);
            if (item.failed) allRead = false;
          } else {
            sink.add(item);
            records++;
          }
        }
        await sink.flushIfFull();
        if (!byFile) progress.tick(records);
      }
    } catch (error) {
      // A stream that breaks mid-way (truncated gzip, I/O error): keep what was read, go on with the rest.
      reportProblem({
        source: { file: path, line: null },
        message: `could not read further: ${describeError(error)}`,
      });
      if (items === 0 || error instanceof LimitError) allRead = false;
    }
    if (byFile) progress.tick(++done);
  };
  const jobs = mode !== "text" ? await fileJobs(paths, streams, shared) : null;
  if (jobs === null) for (const path of paths) await classifyStreamed(path);
  else
    for await (const job of jobs) {
      // The job's records go to the output in one piece, up to any file streamed (its records come between).
      let at = 0;
      let written = 0;
      for (const result of job.files) {
        if (result.streamed) {
          sink.lendJsonLines(job.json.subarray(written, at));
          written = at;
          await classifyStreamed(result.path);
          continue;
        }
        at += result.jsonBytes;
        if (result.unreadable !== null) {
          process.stderr.write(`deliverlens: cannot read ${escapeLine(result.path)}: ${result.unreadable}\n`);
          allRead = false;
        }
        if (result.failed) allRead = false;
        for (const problem of result.problems) {
          reportProblem(problem);
          if (problem.failed) allRead = false;
        }
        records += result.records;
        progress.tick(++done);
      }
      // Each job's bytes are its own (never written again): lent to the output, not copied.
      sink.lendJsonLines(job.json.subarray(written, at));
      await sink.flushIfFull();
    }
  if (byFile || records > 0) progress.finish();
  return allRead;
}

/** Bytes of the first input read to tell whether the run reads email. */
const FIRST_HEAD_BYTES = 8192;

/**
 * Whether the first input is email (a folder of bounces, an mbox): such a run goes without V8's top-tier
 * compiler (compiler-tier.ts) — 14,000 and 56,000 messages take less CPU without it, and Maglev still
 * optimises the hot functions; a 2,000,000-line Postfix log takes 20 % more CPU without it. Results are the
 * same either way.
 */
/**
 * Whether V8's top tier goes (compiler-tier.ts), decided before the inputs are walked when it can be: at once
 * for `--format email`, else on the first file the walk finds (expandInputs' `firstFile`) — the walk of a
 * folder of 14,000 files is hot enough for TurboFan to compile it (~66 M instructions, a run's 1.5 %, spent
 * before classifyPaths would turn it off). classifyPaths still looks at the first input when this did not.
 */
async function topTierByFirstFile(
  args: readonly string[],
  format: string | undefined,
): Promise<((path: string) => void) | undefined> {
  if (format === "email") withoutTopTier();
  if (format !== undefined || !args.some((arg) => arg !== "-")) return undefined;
  const { chooseFormat } = await import("../../pipeline/classify-source.ts");
  return (path) => {
    if (startsWithEmail(path, chooseFormat)) withoutTopTier();
  };
}

function startsWithEmail(
  path: string | undefined,
  chooseFormat: (head: Buffer, path: string) => FormatName | null,
): boolean {
  if (path === undefined || path === "-") return false;
  const head = Buffer.alloc(FIRST_HEAD_BYTES);
  let got = 0;
  try {
    // Regular files only: a FIFO, a device or /dev/stdin can be read once, by the run itself (and opening a
    // FIFO would wait for its writer).
    if (!statSync(path).isFile()) return false;
    const fd = openSync(path, "r");
    try {
      got = readSync(fd, head, 0, FIRST_HEAD_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // reported when the input is read
  }
  return chooseFormat(head.subarray(0, got), path) === "email";
}

/**
 * Many files (a directory of bounce emails): read whole and classified in jobs (classify-files.ts; by two
 * processes when allowed: files-in-jobs.ts); else null.
 */
async function fileJobs(
  paths: string[],
  streams: ReadonlySet<string>,
  options: ClassifyOptions,
): Promise<AsyncGenerator<FilesDone> | null> {
  const { manyFiles } = await import("../../pipeline/classify-parallel.ts");
  if (!manyFiles(paths)) return null;
  const { classifyFilesInJobs } = await import("../../pipeline/files-in-jobs.ts");
  return classifyFilesInJobs(paths, options, streams);
}

/** Many inputs: progress in files; one (a big log): in records. Never while records print to the same terminal. */
function progressFor(inputs: number): Progress {
  if (process.stdout.isTTY) return { tick() {}, finish() {} };
  return inputs > 1
    ? createProgress("classify", inputs, "files")
    : createProgress("classify", null, "records");
}

function reportProblem(problem: ParseProblem): void {
  const where =
    problem.source.line === null ? problem.source.file : `${problem.source.file}:${problem.source.line}`;
  process.stderr.write(`${escapeLine(where)}: ${escapeLine(problem.message)}\n`);
}

function usage(message: string): number {
  process.stderr.write(`deliverlens classify: ${message}\n`);
  return EXIT.usage;
}
