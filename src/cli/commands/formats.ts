import type { Command } from "commander";

/** `deliverlens formats`: the one vocabulary of input format names (classify --format, ingest --format). */
export function registerFormats(program: Command): void {
  program
    .command("formats")
    .description("List the input format names that `classify --format` and `ingest --format` accept")
    .option("--json", "print the list as JSON")
    .action(async (options: { json?: boolean }) => {
      const { FORMATS } = await import("../../events/formats.ts");
      if (options.json) {
        const formats = Object.entries(FORMATS).map(([name, description]) => ({ name, description }));
        process.stdout.write(`${JSON.stringify({ schemaVersion: 1, formats }, null, 2)}\n`);
        return;
      }
      const width = Math.max(...Object.keys(FORMATS).map((name) => name.length));
      const lines = Object.entries(FORMATS).map(
        ([name, description]) => `${name.padEnd(width)}  ${description}\n`,
      );
      process.stdout.write(lines.join(""));
    });
}
