/**
 * Log classification speed: generates a realistic 2,000,000-line Postfix maillog (testkit/events-postfix-log.ts)
 * and runs the whole CLI process the way a user does:
 *   node bin/deliverlens.js classify FILE --format postfix --ndjson > /dev/null   (and without --format)
 * printing lines/s and peak RSS, PASS/FAIL against >= 1,000,000 lines/s.
 * For reference it also measures the library path (classifyEventStream + NDJSON) in its own process.
 *
 *   npx node bench/classify-logs.ts [--lines N] [--keep]
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, openSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { postfixLogChunks } from "../testkit/events-postfix-log.ts";

const TARGET_LINES_PER_SECOND = 1_000_000;
const root = fileURLToPath(new URL("..", import.meta.url));
const self = fileURLToPath(import.meta.url);
const peakProbe = fileURLToPath(new URL("./peak-rss.ts", import.meta.url));

if (process.argv[2] === "--library-run") {
  await libraryRun(process.argv[3]);
} else {
  await main();
}

async function main(): Promise<void> {
  const argLines = process.argv.indexOf("--lines");
  const lines = argLines > 0 ? Number(process.argv[argLines + 1]) : 2_000_000;
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-bench-logs-"));
  const file = join(dir, "maillog");
  const started = performance.now();
  const out = createWriteStream(file);
  for (const chunk of postfixLogChunks(lines, 42)) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  const size = statSync(file).size;
  // Timings are only comparable on a quiet machine: say how busy this one was.
  console.log(
    `load average before the runs: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `generated ${lines.toLocaleString("en-US")} Postfix lines (${(size / 1e6).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const runs: [string, string[]][] = [
    [
      "cli --format postfix",
      [join(root, "bin/deliverlens.js"), "classify", file, "--format", "postfix", "--ndjson"],
    ],
    ["cli (auto-detect)", [join(root, "bin/deliverlens.js"), "classify", file, "--ndjson"]],
  ];
  let pass = true;
  let cliWorks = true;
  for (const [label, args] of runs) {
    const result = measure(args);
    if (result.status !== 0 || result.records === 0) {
      console.log(
        `${label}: classify CLI did not classify the log (exit ${result.status}): ${result.stderr.trim().slice(0, 200)}`,
      );
      cliWorks = false;
      break;
    }
    pass = report(label, lines, result) && pass;
  }
  if (!cliWorks) {
    console.log(
      "measuring the library path instead (events readers + cached classifier + NDJSON), one process:",
    );
    pass = report("library", lines, measure([self, "--library-run", file])) && pass;
  } else {
    // For reference: the events library alone (readers + cached classifier + NDJSON), without the CLI.
    report("library path (reference)", lines, measure([self, "--library-run", file]));
  }
  if (!process.argv.includes("--keep")) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${file}`);
  console.log(pass ? "PASS" : "FAIL");
  process.exitCode = pass ? 0 : 1;
}

interface Measured {
  status: number | null;
  seconds: number;
  peakRssMb: number | null;
  cpuSeconds: number | null;
  records: number;
  stderr: string;
}

/** Runs one process with stdout to a counting file; peak RSS comes from bench/peak-rss.ts at exit. */
function measure(args: string[]): Measured {
  const outDir = mkdtempSync(join(tmpdir(), "deliverlens-bench-out-"));
  const outFile = join(outDir, "out.ndjson");
  const fd = openSync(outFile, "w");
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--import", peakProbe, ...args], {
    cwd: root,
    stdio: ["ignore", fd, "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const stderr = child.stderr?.toString() ?? "";
  const peak = /DELIVERLENS_PEAK_RSS_KB=(\d+)/.exec(stderr);
  const cpu = /DELIVERLENS_CPU_US=(\d+)/.exec(stderr);
  const size = statSync(outFile).size;
  const count = size > 0 ? countLines(outFile) : 0;
  rmSync(outDir, { recursive: true, force: true });
  return {
    status: child.status,
    seconds,
    peakRssMb: peak ? Number(peak[1]) / 1024 : null,
    cpuSeconds: cpu ? Number(cpu[1]) / 1e6 : null,
    records: count,
    stderr: stderr.replace(/DELIVERLENS_(?:PEAK_RSS_KB|CPU_US)=\d+\n?/g, ""),
  };
}

function countLines(path: string): number {
  const result = spawnSync("wc", ["-l", path]);
  return Number.parseInt(result.stdout.toString(), 10) || 0;
}

function report(label: string, lines: number, result: Measured): boolean {
  const rate = lines / result.seconds;
  const ok = result.status === 0 && rate >= TARGET_LINES_PER_SECOND;
  const cpu = result.cpuSeconds;
  console.log(
    `${label}: ${lines.toLocaleString("en-US")} lines in ${result.seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString("en-US")} lines/s, ${result.records.toLocaleString("en-US")} records, peak RSS ${result.peakRssMb?.toFixed(0) ?? "?"} MB (target >= ${TARGET_LINES_PER_SECOND.toLocaleString("en-US")} lines/s) ${ok ? "PASS" : "FAIL"}`,
  );
  if (cpu) {
    console.log(
      `  CPU ${cpu.toFixed(2)} s = ${Math.round(lines / cpu).toLocaleString("en-US")} lines per CPU-second (a quiet machine's wall time for one thread; the CLI reads a log of 32 MB or more on two threads, so its wall time there is nearer CPU/2)`,
    );
  }
  return ok;
}

/** The library path, as the CLI will run it: stream, classify each distinct reply once, write NDJSON. */
async function libraryRun(file: string): Promise<void> {
  const { openInputWithHead, detectFormat } = await import("../src/events/index.ts");
  const { classifyEventStream, EventClassifier } = await import("../src/pipeline/index.ts");
  const { jsonRecord } = await import("../src/bounce/render-output.ts");
  const { stream, head, modified } = await openInputWithHead(file);
  const format = detectFormat(head, file) ?? "postfix";
  const classifier = new EventClassifier();
  for await (const batch of classifyEventStream(stream, format, file, { modified, classifier })) {
    let text = "";
    for (const item of batch) if ("reason" in item) text += `${jsonRecord(item)}\n`;
    if (text === "") continue;
    if (!process.stdout.write(text))
      await new Promise<void>((resolve) => process.stdout.once("drain", () => resolve()));
  }
  process.stderr.write(`cache: ${classifier.misses} classified, ${classifier.hits} from cache\n`);
}
