import { escapeLine } from "../report/terminal.ts";
import { describeError } from "../util/walk.ts";
import { EXIT } from "./exit.ts";

/**
 * What every command does when its standard output cannot be written (review R45). Node reports a failed
 * write to stdout as an 'error' event, which no one would otherwise handle: an uncaught exception, a stack
 * trace and, from a startup snapshot, a line of its minified bundle.
 * - A pipe its reader closed (`deliverlens classify big.log | head -1`): the reader has what it wanted; the
 *   command ends at once and quietly, as Unix tools end on SIGPIPE, with the exit code it has so far.
 * - Anything else (a full disk, /dev/full, an I/O error): the output is lost, so the command could not run:
 *   one line on stderr and exit 1, at once (what it would still write has nowhere to go).
 * A failure of stderr itself is dropped: there is nowhere left to say it, and the command's work goes on.
 */
export function endOnOutputFailure(): void {
  process.stderr.on("error", () => {});
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    process.stderr.write(`deliverlens: cannot write the output: ${escapeLine(describeError(error))}\n`);
    process.exit(EXIT.failed);
  });
}
