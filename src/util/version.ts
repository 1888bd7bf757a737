import { readFileSync } from "node:fs";

/**
 * deliverlens's version, read once from its package.json (two levels up from src/util and from
 * dist/util alike), so the CLI's --version and the reports' meta say the same thing however it runs.
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
