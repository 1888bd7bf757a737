/** A preload (`node --import MODULE_RECORDER …`) that records every module URL the process resolves. */
export const MODULE_RECORDER = `data:text/javascript,${encodeURIComponent(
  'import { registerHooks } from "node:module";' +
    "const seen = [];" +
    "registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); seen.push(result.url); return result; } });" +
    'process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(seen) + "\\n"));',
)}`;

/**
 * A run's stderr without the recorder's reports (one per process it was preloaded in), and the URLs they
 * reported (empty when none did).
 */
export function recorded(stderr: string): { stderr: string; urls: string[] } {
  const urls: string[] = [];
  const rest = stderr.replace(/\nLOADED ([^\n]*)\n/g, (_all, list: string) => {
    urls.push(...(JSON.parse(list) as string[]));
    return "";
  });
  return { stderr: rest, urls };
}

/** Packages classify must never load (the CLI loads them lazily, for other commands). */
export const HEAVY_MODULES = [/@duckdb/, /\/mailauth\//, /postal-mime/, /playwright/];
