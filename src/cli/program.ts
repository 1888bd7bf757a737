import { Command, CommanderError } from "commander";
import { escapeLine } from "../report/terminal.ts";
import { VERSION } from "../util/version.ts";
import { registerAll } from "./commands/index.ts";
import { EXIT, UsageError } from "./exit.ts";
import { endOnOutputFailure } from "./output-failure.ts";

const EXIT_CODES_HELP = `
Exit codes (every command):
  0  done (findings or not; quarantined records are counted, not failures)
  1  an input is missing, unreadable, empty or refused by a limit (the others are still processed),
     the store is missing, the command could not run, or its output could not be written (a full disk;
     a pipe closed by its reader, \`| head\`, ends it quietly)
  2  usage error: unknown option or bad value
  3  audit --fail-on S: a finding of severity S or worse

The store is ./deliverlens.duckdb unless --db says otherwise. Docs: README.md and docs/.`;

/** The CLI: every command and its options, ready to parse arguments (commander). */
export function createProgram(): Command {
  const program = new Command("deliverlens")
    .description("Why mailbox providers reject your mail under local policy, and what to do about it.")
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  registerAll(program);
  program.addHelpText("after", EXIT_CODES_HELP);
  return program;
}

/**
 * Runs the CLI on these arguments (as process.argv: node, script, command, …); sets process.exitCode. `program`:
 * one createProgram() built ahead and never parsed (a startup snapshot's), else one is built now.
 */
export async function runCli(argv: readonly string[], program = createProgram()): Promise<void> {
  endOnOutputFailure();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other commander complaint is a usage error.
      const ok = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
      process.exitCode = ok ? EXIT.ok : EXIT.usage;
    } else {
      let message = error instanceof Error ? error.message : String(error);
      // A full disk, in whatever words the layer below used (DuckDB, Node): say it as such (issue 13).
      if (/No space left on device|ENOSPC/.test(message) && !message.startsWith("disk full"))
        message = `disk full: ${message}`;
      process.stderr.write(`deliverlens: ${escapeLine(message)}\n`);
      if (process.env.DELIVERLENS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof UsageError ? EXIT.usage : EXIT.failed;
    }
  }
}
