/**
 * Which test files a change can reach: bench/property-seeds.ts `--since REF` sweeps only those, so a train's
 * pre-read stays short. A test file is reached when it changed itself or when the files it loads, followed
 * transitively, include a changed file. "Loads" is read from the source: relative `import … from`, `import(…)`
 * and `new URL("…", import.meta.url)` (how the CLI, the workers and the data files are found). Two widenings
 * keep it on the safe side: a changed file that is not TypeScript (a .wat, a data table) reaches every loaded
 * module of its folder, and a test that loads bin/ (it spawns the CLI, which picks its modules at run time)
 * is reached by any change under src/ or data/.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bnew URL\(\s*)(["'`])(\.{1,2}\/[^"'`$]+)\1/g;

/** The files `path` loads by a relative specifier that exists (absolute paths). */
function loads(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const target = resolve(dirname(path), match[2]);
    if (existsSync(target) && statSync(target).isFile()) found.push(target);
  }
  return found;
}

/** Every file `entry` loads, itself included, as paths relative to `tree`. */
export function loadedFiles(tree: string, entry: string, memo = new Map<string, string[]>()): Set<string> {
  const seen = new Set<string>();
  const stack = [resolve(entry)];
  while (stack.length > 0) {
    const path = stack.pop() as string;
    const name = relative(tree, path);
    if (seen.has(name)) continue;
    seen.add(name);
    if (!/\.(?:[cm]?[jt]s)$/.test(path)) continue;
    let next = memo.get(path);
    if (next === undefined) {
      next = loads(path);
      memo.set(path, next);
    }
    stack.push(...next);
  }
  return seen;
}

/** The test files (absolute paths under `tree`) that a change to `changed` (paths relative to `tree`) reaches. */
export function reachedTests(tree: string, tests: readonly string[], changed: readonly string[]): string[] {
  const changedSet = new Set(changed);
  const foreignFolders = new Set(
    changed.filter((name) => !/\.[cm]?ts$/.test(name)).map((name) => dirname(name)),
  );
  const sourceChanged = changed.some((name) => name.startsWith("src/") || name.startsWith("data/"));
  const memo = new Map<string, string[]>();
  return tests.filter((test) => {
    const loaded = loadedFiles(tree, test, memo);
    for (const name of loaded) {
      if (changedSet.has(name) || foreignFolders.has(dirname(name))) return true;
      if (sourceChanged && name.startsWith("bin/")) return true;
    }
    return false;
  });
}
