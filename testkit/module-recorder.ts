/** A preload (`node --import MODULE_RECORDER …`) that records every module URL the process resolves. */
export const MODULE_RECORDER = `data:text/javascript,${encodeURIComponent(
  'import { registerHooks } from "node:module";' +
    "const seen = [];" +
    "registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); seen.push(result.url); return result; } });" +
    'process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(seen) + "\\n"));',
)}`;

/** A run's stderr without the recorder's report, and the URLs it reported (empty when it did not). */
export function recorded(stderr: string): { stderr: string; urls: string[] } {
  const at = stderr.lastIndexOf("\nLOADED ");
  if (at < 0) return { stderr, urls: [] };
  return { stderr: stderr.slice(0, at), urls: JSON.parse(stderr.slice(at + "\nLOADED ".length)) as string[] };
}

/** Packages classify must never load (the CLI loads them lazily, for other commands). */
export const HEAVY_MODULES = [/@duckdb/, /\/mailauth\//, /postal-mime/, /playwright/];
