#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { escapeLine } from "../report/terminal.ts";
import { registerAll } from "./commands/index.ts";
import { EXIT, UsageError } from "./exit.ts";

const program = new Command("deliverlens")
  .description("Why mailbox providers reject your mail under local policy, and what to do about it.")
  .version(process.env.npm_package_version ?? "0.1.0")
  .showHelpAfterError()
  .exitOverride();

registerAll(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are successes; every other commander complaint is a usage error.
    const ok = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
    process.exitCode = ok ? EXIT.ok : EXIT.usage;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`deliverlens: ${escapeLine(message)}\n`);
    if (process.env.DELIVERLENS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}
