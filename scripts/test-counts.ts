/**
 * The per-file test counts `npm test` prints before its summary (testkit/count-reporter.ts), read back from a
 * saved run's output; given two, the files whose count fell or that no longer ran:
 *   node scripts/test-counts.ts BEFORE.log AFTER.log
 * (an integrate or CI log each): the two totals, then each file that lost tests. Exit 1 where a file lost tests, 2 where
 * a log holds no list (a run cut before its summary), 0 otherwise; with one log it prints its list.
 */
import { readFileSync } from "node:fs";

const HEADING = /^ℹ per-file test counts \(\d+ files, \d+ tests\):$/;
const ROW = /^ℹ +(\d+) {2}(.+)$/;

/** The counts by file of the last list in `output` (empty where it has none). */
export function testCounts(output: string): Map<string, number> {
  const lines = output.split("\n");
  let at = -1;
  for (let i = 0; i < lines.length; i++) if (HEADING.test(lines[i])) at = i;
  const counts = new Map<string, number>();
  if (at < 0) return counts;
  for (let i = at + 1; i < lines.length; i++) {
    const row = ROW.exec(lines[i]);
    if (row === null) break;
    counts.set(row[2], Number(row[1]));
  }
  return counts;
}

/** The files of `before` with fewer tests in `after` (0: not run there), each as "file before → after". */
export function fewerTests(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): string[] {
  const fewer: string[] = [];
  for (const [file, n] of before) {
    const now = after.get(file) ?? 0;
    if (now < n) fewer.push(`${file} ${n} → ${now}`);
  }
  return fewer;
}

function sum(counts: Iterable<number>): number {
  let total = 0;
  for (const n of counts) total += n;
  return total;
}

function main(paths: string[]): number {
  if (paths.length < 1 || paths.length > 2) {
    process.stderr.write("usage: node scripts/test-counts.ts [BEFORE.log] AFTER.log\n");
    return 2;
  }
  const lists = paths.map((path) => testCounts(readFileSync(path, "utf8")));
  let missing = false;
  for (const [i, list] of lists.entries())
    if (list.size === 0) {
      process.stderr.write(`${paths[i]}: no per-file test counts in it\n`);
      missing = true;
    }
  // A run that did not reach its summary (cut, failed early, still running) is no list to compare: not "every file lost".
  if (missing) return 2;
  if (lists.length === 1) {
    for (const [file, n] of lists[0]) process.stdout.write(`${n}\t${file}\n`);
    return 0;
  }
  const [before, after] = lists.map((list) => `${list.size} files, ${sum(list.values())} tests`);
  process.stdout.write(`per-file test counts: ${before} → ${after}\n`);
  const fewer = fewerTests(lists[0], lists[1]);
  for (const line of fewer) process.stdout.write(`fewer tests: ${line}\n`);
  return fewer.length > 0 ? 1 : 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
