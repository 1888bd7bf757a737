import { EXIT } from "../cli/exit.ts";
import type { ParseProblem } from "../events/event.ts";
import { FORMATS, isFormatName } from "../events/formats.ts";
import { createProgress } from "../report/progress.ts";
import { escapeTerminal } from "../report/terminal.ts";
import { describeError, expandInputs, openInput } from "./classify-inputs.ts";
import { classifyOpened, isProblem, replyRecord } from "./classify-source.ts";
import { createSink, type OutputMode } from "./render-output.ts";

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
  const format = options.format !== undefined && isFormatName(options.format) ? options.format : null;
  const mode: OutputMode = options.json ? "json" : options.ndjson ? "ndjson" : "text";
  stopQuietlyOnClosedPipe();

  const sink = createSink(mode);
  let exitCode: number = EXIT.ok;
  if (options.text !== undefined) await sink.write(replyRecord(options.text, "<text>", null));

  const args = files.length === 0 && options.text === undefined ? ["-"] : files;
  const { paths, unreadable } = expandInputs(args);
  for (const message of unreadable) {
    process.stderr.write(`deliverlens: cannot read ${escapeTerminal(message)}\n`);
    exitCode = EXIT.failed;
  }
  if (paths.includes("-") && process.stdin.isTTY) {
    process.stderr.write("deliverlens classify: reading replies from the terminal; end with Ctrl-D\n");
  }
  // Many inputs: progress in files; one (a big log): in records. Not while records scroll by on the same terminal.
  const byFile = paths.length > 1;
  const progress = process.stdout.isTTY
    ? { tick() {}, finish() {} }
    : createProgress("classify", byFile ? paths.length : null, byFile ? "files" : "records");
  let done = 0;
  let records = 0;
  for (const path of paths) {
    let opened: Awaited<ReturnType<typeof openInput>>;
    try {
      opened = await openInput(path);
    } catch (error) {
      process.stderr.write(`deliverlens: cannot read ${escapeTerminal(path)}: ${describeError(error)}\n`);
      exitCode = EXIT.failed;
      continue;
    }
    let items = 0;
    try {
      for await (const item of classifyOpened(opened, { format, all: options.all })) {
        items++;
        if (isProblem(item)) reportProblem(item);
        else {
          await sink.write(item);
          if (!byFile) progress.tick(++records);
        }
      }
    } catch (error) {
      // A stream that breaks mid-way (truncated gzip, I/O error): keep what was read, go on with the rest.
      reportProblem({
        source: { file: path, line: null },
        message: `could not read further: ${describeError(error)}`,
      });
      if (items === 0) exitCode = EXIT.failed;
    }
    if (byFile) progress.tick(++done);
  }
  if (byFile || records > 0) progress.finish();
  await sink.end();
  return exitCode;
}

function reportProblem(problem: ParseProblem): void {
  const where =
    problem.source.line === null ? problem.source.file : `${problem.source.file}:${problem.source.line}`;
  process.stderr.write(`${escapeTerminal(where)}: ${escapeTerminal(problem.message)}\n`);
}

function usage(message: string): number {
  process.stderr.write(`deliverlens classify: ${message}\n`);
  return EXIT.usage;
}

/** `deliverlens classify big.log | head` must end quietly, not with an EPIPE stack trace. */
function stopQuietlyOnClosedPipe(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
}
