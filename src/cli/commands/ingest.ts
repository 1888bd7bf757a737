import type { Command } from "commander";

/** STUB: declare the command's options here; load the implementation lazily inside the action. */
export function registerIngest(program: Command): void {
  void program;
}
