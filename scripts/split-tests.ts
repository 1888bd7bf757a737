import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run test:unit` / `npm run test:e2e`: the two parts of `npm test` (which runs both). A test file is
 * end-to-end when it lives in test/e2e/ or, wherever it lives, when it reaches outside its process:
 * it spawns processes (the CLI, tsc, npm), starts a server (DNS, Dovecot, SMTP), opens a DuckDB store,
 * drives Chromium, reads a whole corpus, or bounds the cost of megabytes of hostile input. Everything
 * else is a unit test. `node scripts/split-tests.ts list` prints the split.
 */
const E2E_MARKERS: readonly RegExp[] = [
  /from "node:child_process"/,
  /testkit\/cli-spawn\.ts/,
  /testkit\/dns-server\.ts/,
  /testkit\/dovecot\.ts/,
  /testkit\/scenarios-store\.ts/,
  /testkit\/analytics-program\.ts/,
  /testkit\/bounce-corpus\.ts/,
  /src\/store\/index\.ts|src\/api\/store\.ts|@duckdb\/node-api/,
  /playwright/,
  /smtp-server|nodemailer/,
  /createServer|from "node:dgram"/,
  // Bounded-cost stress runs: hostile inputs of megabytes, the SpamAssassin corpus, a grep'd log's state.
  /testkit\/cpu-time\.ts/,
  /testkit\/spam-assassin-corpus\.ts/,
  /testkit\/postfix-grep-log\.ts/,
];

const root = fileURLToPath(new URL("../", import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "fixtures" ? [] : testFiles(path);
      return entry.name.endsWith(".test.ts") ? [path] : [];
    })
    .sort();
}

export function isEndToEnd(path: string): boolean {
  const rel = relative(root, path);
  if (rel.startsWith(join("test", "e2e"))) return true;
  const text = readFileSync(path, "utf8");
  return E2E_MARKERS.some((marker) => marker.test(text));
}

/**
 * The `node --test` flags of `npm test` (package.json's test script) less its concurrency, reporter and file glob: its
 * preloads and hang bounds (--test-timeout, testkit/hang-guard.ts), defined there once.
 */
export function runnerFlags(): string[] {
  return testScriptFlags().filter((token) => !token.startsWith("--test-reporter"));
}

/** npm test's reporter flags (testkit/count-reporter.ts: spec, with each file's test count before the summary). */
export function reporterFlags(): string[] {
  return testScriptFlags().filter((token) => token.startsWith("--test-reporter"));
}

/** The flags after `node --test` in package.json's test script, less its concurrency and file glob. */
function testScriptFlags(): string[] {
  const script: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.test;
  const command = script.slice(script.indexOf("node --test") + "node --test".length);
  return command
    .split(/\s+/)
    .filter((token) => token !== "" && !token.startsWith("'") && !token.startsWith("--test-concurrency"));
}

/** Every test file under test/, in path order. */
export function allTestFiles(): string[] {
  return testFiles(join(root, "test"));
}

function main(part: string | undefined): void {
  const files = allTestFiles();
  const chosen = files.filter((file) => (part === "e2e" ? isEndToEnd(file) : !isEndToEnd(file)));
  if (part === "list") {
    for (const file of files)
      process.stdout.write(`${isEndToEnd(file) ? "e2e " : "unit"} ${relative(root, file)}\n`);
  } else if (part === "unit" || part === "e2e") {
    // Unit files share one process (no per-file Node start, which was most of the unit part's CPU);
    // end-to-end files keep a process each, as in `npm test`.
    const isolation = part === "unit" ? ["--test-isolation=none"] : ["--test-concurrency=2"];
    const run = spawnSync(
      process.execPath,
      ["--test", ...isolation, ...runnerFlags(), ...reporterFlags(), ...chosen.map((f) => relative(root, f))],
      { cwd: root, stdio: "inherit" },
    );
    process.exitCode = run.status ?? 1;
  } else {
    process.stderr.write("usage: node scripts/split-tests.ts unit|e2e|list\n");
    process.exitCode = 2;
  }
}

if (import.meta.main) main(process.argv[2]);
