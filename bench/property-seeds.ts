/**
 * npm run bench:property-seeds — the fast-check properties of test/ over hundreds of seeds, with the
 * counterexamples they find. CI runs each property from one fixed seed (testkit/fast-check-seed.ts), so a
 * class a property can catch may sit behind a seed nobody ran (session 41's R112 showed only at seed 1021).
 * Two passes, each test file in its own process (testkit/property-sweep.ts puts testkit/fast-check-sweep.ts in
 * place of "fast-check"; the file runs as `npm test` runs it):
 * - every `fc.assert` runs as written, then from each seed of `--seeds FIRST:COUNT`, within `--seconds` per
 *   call site (a property's own seed is replaced: the point is cases its author never saw);
 * - a file that builds its input with `fc.sample` (a generated log, program or reply list) runs again once per
 *   seed of `--sample-seeds FIRST:COUNT` (each sample's seed mixed with it), within `--sample-seconds` per file.
 * Prints per call site the seeds run, cases and failing seeds, then each counterexample with the command that
 * reproduces it. `--tree DIR` runs another checkout's tests (a train head) with this checkout's sweep; `--files
 * REGEX` keeps matching test files; `--since REF` keeps the test files the tree's commits since REF can reach
 * (testkit/changed-area.ts: the file itself or what it loads changed), for a train's pre-read. Exits 1 when
 * anything failed. A bench, not a test: it takes minutes.
 *   node bench/property-seeds.ts [--tree DIR] [--seeds 1000:300] [--seconds 20] [--sample-seeds 5000:10]
 *     [--sample-seconds 240] [--files REGEX] [--since REF]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { reachedTests } from "../testkit/changed-area.ts";
import type { Site } from "../testkit/property-sweep-site.ts";

const HERE = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    tree: { type: "string", default: HERE },
    seeds: { type: "string", default: "1000:300" },
    seconds: { type: "string", default: "20" },
    "sample-seeds": { type: "string", default: "5000:10" },
    "sample-seconds": { type: "string", default: "240" },
    files: { type: "string", default: "" },
    since: { type: "string" },
  },
});
const tree = resolve(values.tree);
const hook = join(HERE, "testkit", "property-sweep.ts");
const seedHook = join(tree, "testkit", "fast-check-seed.ts");

interface Run {
  status: number | null;
  notOk: string[];
  seconds: number;
}

function range(spec: string, flag: string): [number, number] {
  const [first, count] = spec.split(":").map(Number);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || count < 0)
    throw new Error(`${flag} must be FIRST:COUNT, got ${spec}`);
  return [first, count];
}

function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === "fixtures" ? [] : testFiles(path);
      return name.endsWith(".test.ts") ? [path] : [];
    });
}

/** The failing tests of a TAP stream: each `not ok` line with the first lines of its error. */
function failures(tap: string): string[] {
  const lines = tap.split("\n");
  const found: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (!/^\s*not ok \d+ - /.test(line)) continue;
    const detail = lines
      .slice(i + 1, i + 40)
      .filter(
        (next) => !/^\s*(---|\.\.\.|duration_ms|type:|location:|failureType:|code:|stack:|at )/.test(next),
      )
      .slice(0, 8)
      .map((next) => next.trim())
      .join(" ");
    found.push(`${line.trim()} :: ${detail.slice(0, 500)}`);
  }
  return found;
}

function run(file: string, env: Record<string, string>): Run {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ["--test-reporter=tap", "--import", hook, "--import", seedHook, file],
    {
      cwd: tree,
      env: { ...process.env, ...env, PROPERTY_SWEEP_TREE: tree },
      encoding: "utf8",
      maxBuffer: 256 << 20,
      timeout: 60 * 60_000,
    },
  );
  return {
    status: child.status,
    notOk: failures(`${child.stdout}`),
    seconds: (performance.now() - started) / 1000,
  };
}

const [first, count] = range(values.seeds, "--seeds");
const [sampleFirst, sampleCount] = range(values["sample-seeds"], "--sample-seeds");
const filter = new RegExp(values.files);
const properties = testFiles(join(tree, "test")).filter(
  (path) => /from "fast-check"/.test(readFileSync(path, "utf8")) && filter.test(relative(tree, path)),
);
let changed: string[] | undefined;
if (values.since !== undefined) {
  const diff = spawnSync("git", ["-C", tree, "diff", "--name-only", `${values.since}...HEAD`], {
    encoding: "utf8",
  });
  if (diff.status !== 0) throw new Error(`--since ${values.since}: git diff failed: ${diff.stderr.trim()}`);
  changed = diff.stdout.split("\n").filter((line) => line !== "");
}
const files = changed === undefined ? properties : reachedTests(tree, properties, changed);
const head = spawnSync("git", ["-C", tree, "rev-parse", "--short=8", "HEAD"], {
  encoding: "utf8",
}).stdout.trim();
const scratch = mkdtempSync(join(tmpdir(), "deliverlens-property-seeds-"));
const out = join(scratch, "sites.jsonl");
const started = performance.now();
if (changed !== undefined)
  console.log(
    `since ${values.since}: ${changed.length} files changed, ${files.length} of ${properties.length} property test files reach them`,
  );
console.log(
  `property seeds: ${tree} (HEAD ${head || "?"}), ${files.length} files; seeds ${first}..${first + count - 1}, ≤ ${values.seconds} s per call site; sample seeds ${sampleFirst}..${sampleFirst + sampleCount - 1}, ≤ ${values["sample-seconds"]} s per file`,
);

const broken: string[] = [];
/** Files that failed only with the sweep in them (a time bound of their own) and pass as CI runs them. */
const slowed: string[] = [];
for (const file of files) {
  const result = run(file, {
    PROPERTY_SWEEP: `${first}:${count}`,
    PROPERTY_SWEEP_SECONDS: values.seconds,
    PROPERTY_SWEEP_OUT: out,
  });
  console.log(`  ran ${relative(tree, file)}: exit ${result.status}, ${result.seconds.toFixed(0)} s`);
  if (result.status === 0) continue;
  // A test that bounds its own time (a timeout, a wall-clock assert) can fail only because the sweep ran in it:
  // it is run again as CI runs it before it is called broken.
  const plain = run(file, {});
  if (plain.status === 0) slowed.push(`${relative(tree, file)}: ${result.notOk.join("; ").slice(0, 300)}`);
  else
    broken.push(
      `${relative(tree, file)} exit ${plain.status} as written:${plain.notOk.map((line) => `\n    ${line}`).join("")}`,
    );
}
const sites: Site[] = existsSync(out)
  ? readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Site)
  : [];

console.log("\nfc.assert call sites (file:line<caller lines)        seeds     cases  failing seeds");
let counterexamples = 0;
for (const site of sites) {
  const failing = site.failingSeeds.length;
  counterexamples += failing;
  const seeds = site.failingSeeds.slice(0, 8).join(",") + (failing > 8 ? ",…" : "");
  console.log(
    `  ${`${relative(tree, site.file)}:${site.lines}`.padEnd(50)} ${String(site.seeds).padStart(5)} ${String(site.cases).padStart(9)}  ${failing === 0 ? "0" : `${failing} (${seeds})`}${site.seeds < count * site.calls ? `  [budget: ${site.seconds.toFixed(0)} s]` : ""}`,
  );
}

const sampled = files.filter((path) => /fc\.sample\(/.test(readFileSync(path, "utf8")));
const sampleFailures: string[] = [];
if (sampleCount > 0 && sampled.length > 0) {
  console.log("\nfiles built on fc.sample, once per sample seed            seeds  failing seeds");
  for (const file of sampled) {
    const fileStarted = performance.now();
    const failing: number[] = [];
    let seeds = 0;
    for (let seed = sampleFirst; seed < sampleFirst + sampleCount; seed++) {
      if ((performance.now() - fileStarted) / 1000 > Number(values["sample-seconds"])) break;
      const result = run(file, { PROPERTY_SAMPLE_SEED: String(seed) });
      seeds++;
      if (result.status === 0) continue;
      failing.push(seed);
      sampleFailures.push(
        `${relative(tree, file)} at sample seed ${seed}:${result.notOk.map((line) => `\n    ${line}`).join("")}\n  reproduce: cd ${tree} && PROPERTY_SAMPLE_SEED=${seed} node --test-reporter=tap --import ${hook} --import ./testkit/fast-check-seed.ts ${relative(tree, file)}`,
      );
    }
    counterexamples += failing.length;
    console.log(
      `  ${relative(tree, file).padEnd(56)} ${String(seeds).padStart(5)}  ${failing.length === 0 ? "0" : `${failing.length} (${failing.join(",")})`}`,
    );
  }
}

if (counterexamples > 0) console.log("\ncounterexamples:");
for (const site of sites)
  for (const failure of site.failures)
    console.log(
      `- ${relative(tree, site.file)}:${site.lines} seed ${failure.seed} (after ${failure.runs} runs, ${failure.shrinks} shrinks, path ${failure.path}):\n    ${failure.error.replace(/\n/g, "\n    ")}\n    counterexample: ${failure.counterexample}\n  reproduce: cd ${tree} && PROPERTY_SWEEP=${failure.seed}:1 node --test-reporter=tap --import ${hook} --import ./testkit/fast-check-seed.ts ${relative(tree, site.file)}`,
    );
for (const text of sampleFailures) console.log(`- ${text}`);
if (slowed.length > 0)
  console.log(
    `\nfailed only with the sweep in them, pass as CI runs them (their own time bounds; not counted):\n${slowed.map((b) => `- ${b}`).join("\n")}`,
  );
if (broken.length > 0)
  console.log(`\nfiles failing as written (their own seed):\n${broken.map((b) => `- ${b}`).join("\n")}`);
const cases = sites.reduce((sum, site) => sum + site.cases, 0);
console.log(
  `\n${sites.length} call sites, ${cases.toLocaleString("en")} cases; ${counterexamples} failing seeds, ${broken.length} files failing as written; ${((performance.now() - started) / 1000).toFixed(0)} s wall, load ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`,
);
rmSync(scratch, { recursive: true, force: true });
process.exitCode = counterexamples > 0 || broken.length > 0 ? 1 : 0;
