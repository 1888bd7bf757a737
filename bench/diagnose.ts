/**
 * `npm run bench:diagnose`: (1) accuracy of the diagnosis over independently generated sending
 * programs (testkit/programs/: weekly schedules with off-schedule sends, growing lists, MPP, a
 * transactional stream, one or two IPs or pools, one injected cause each at full and 0.6 strength,
 * weak-signal hard cases), exported as real files (SendGrid, SES, SES via SNS, Mailgun, PowerMTA,
 * Postfix), ingested and diagnosed by the CLI: confusion matrix, accuracy per strength, clean
 * accuracy, calibration; (2) a cross-check on the demo generator's programs; (3) the time `diagnose`
 * takes over a 10-million-event store built with DuckDB SQL (generate_series) straight into the store,
 * and `stats` over the same store: whole processes, wall and CPU seconds, `--runs` each.
 *
 *   node bench/diagnose.ts [--seeds 2] [--first-seed 1] [--formats sendgrid,ses] [--parallel 2] [--no-weak]
 *                          [--shapes weekly,daily,several-a-day]
 *                          [--results FILE (rewritten after each run)] [--report-only FILE (print its report)]
 *                          [--cache DIR] [--events 10000000] [--store PATH] [--runs 3]
 *                          [--skip-accuracy] [--skip-cross-check] [--skip-speed]
 *                          [--scenarios] [--recipients 4000]   (also the older in-store scenario grid)
 *
 * Targets (issue 10): injected cause ranked first ≥ 97 % at full strength and ≥ 85 % at 0.6; clean
 * programs insufficient-evidence first ≥ 95 %; of the causes reported at confidence ≥ 0.7, ≥ 90 % right;
 * diagnose over 10 M events < 5 s; (issue 12) stats over them < 2 s.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ingestFile } from "../src/analytics/ingest/ingest.ts";
import { writeCampaignMessages, writeProgramFiles } from "../src/demo/files.ts";
import { type Injection, programOptions } from "../src/demo/options.ts";
import { planProgram } from "../src/demo/program.ts";
import { buildContext } from "../src/diagnose/context.ts";
import { diagnoseStore } from "../src/diagnose/diagnose-store.ts";
import { diagnoseContext } from "../src/diagnose/engine.ts";
import { loadFacts } from "../src/diagnose/load-facts.ts";
import { daySummaryBehind, rebuildDaySummary } from "../src/measures/index.ts";
import { createProgress } from "../src/report/progress.ts";
import { Store } from "../src/store/index.ts";
import {
  formatReport,
  judgeable,
  type RunResult,
  runHandmade,
  runHandmadeIn,
  runMatrix,
  score,
} from "../testkit/programs/matrix.ts";
import { type ProgramShape, SHAPES } from "../testkit/programs/model.ts";
import { gridSpecs } from "../testkit/programs/specs.ts";
import { type ExportFormat, FORMATS } from "../testkit/programs/writers/index.ts";
import { generateScenario, SCENARIO_CAUSES, scenarioGrid } from "../testkit/scenarios.ts";
import { insertEvents, storeScenario } from "../testkit/scenarios-store.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "2" },
    "first-seed": { type: "string", default: "1" },
    formats: { type: "string", default: "sendgrid,ses" },
    /** Program shapes (testkit/programs SHAPES): weekly, daily, several-a-day. */
    shapes: { type: "string", default: "weekly" },
    parallel: { type: "string", default: "2" },
    "no-weak": { type: "boolean", default: false },
    results: { type: "string" },
    /** Print the report of a `--results` file (a whole run, or one stopped half-way) and run nothing. */
    "report-only": { type: "string" },
    /** Keep the programs' ingested stores in DIR and reuse them (only diagnose runs again). */
    cache: { type: "string" },
    scenarios: { type: "boolean", default: false },
    recipients: { type: "string", default: "4000" },
    events: { type: "string", default: "10000000" },
    "skip-accuracy": { type: "boolean", default: false },
    "skip-speed": { type: "boolean", default: false },
    "skip-cross-check": { type: "boolean", default: false },
    /** Whole-process runs of `stats` and `diagnose` over the 10 M-event store (the best wall counts). */
    runs: { type: "string", default: "3" },
    /** Keep (or reuse) the 10 M-event store at this path instead of a temporary one. */
    store: { type: "string" },
  },
});
/**
 * A 180-day program for 1 M recipients (a fifth of them at Apple): per row i, 60 % sends (delivered, or
 * a CS01 policy bounce for 0.3 % of Apple sends), 10 % deferrals, 20 % opens (half machine), 10 % clicks.
 */
const BENCH_COLUMNS: Record<string, string> = {
  type: `CASE WHEN i % 10 < 6 THEN (CASE WHEN hash(i) % 1000 < 3 AND (i * 7919) % 5 = 0 THEN 'bounced' ELSE 'delivered' END)
    WHEN i % 10 = 6 THEN 'deferred' WHEN i % 10 < 9 THEN 'open' ELSE 'click' END`,
  time: "TIMESTAMP '2026-01-01' + to_seconds((i % 180) * 86400 + (hash(i) % 86400)::BIGINT)",
  recipient:
    "'u' || ((i * 7919) % 1000000) || '@' || ['icloud.com', 'gmail.com', 'yahoo.com', 'outlook.com', 'example.com'][((i * 7919) % 5) + 1]",
  provider: "['apple', 'google', 'yahoo', 'microsoft', 'other'][((i * 7919) % 5) + 1]",
  campaign: "'c-' || ((i % 180) // 3)",
  sending_ip: "'192.0.2.' || (10 + hash(i) % 4)",
  message_id: "'c-' || ((i % 180) // 3) || '.' || ((i * 7919) % 1000000)",
  reply:
    "CASE WHEN i % 10 < 6 AND hash(i) % 1000 < 3 AND (i * 7919) % 5 = 0 THEN '550 5.7.1 [CS01] Message rejected due to local policy' WHEN i % 10 = 6 THEN '451 4.7.1 Service unavailable - try again later' END",
  provider_code: "CASE WHEN i % 10 < 6 AND hash(i) % 1000 < 3 AND (i * 7919) % 5 = 0 THEN 'CS01' END",
  category:
    "CASE WHEN i % 10 < 6 AND hash(i) % 1000 < 3 AND (i * 7919) % 5 = 0 THEN 'reputation' WHEN i % 10 = 6 THEN 'transient' END",
  machine_open: "CASE WHEN i % 10 IN (7, 8) THEN i % 2 = 0 END",
  format: "'bench'",
  file_id: "0",
};

const TARGET_ACCURACY = 0.95; // the older in-store scenario grid (issue 6)
const TARGET_SECONDS = 5;
/** Issue 12: `stats` over the same 10 M events < 2 s (whole process). */
const STATS_TARGET_SECONDS = 2;
const CLI = join(import.meta.dirname, "../bin/deliverlens.js");

/** One CLI process: wall seconds and its CPU seconds (user + system, DuckDB's threads included). */
function timeProcess(args: string[]): { seconds: number; cpu: number; stdout: string } {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ["--import", join(import.meta.dirname, "peak-rss.ts"), CLI, ...args],
    { encoding: "utf8", maxBuffer: 1 << 28 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`${args.join(" ")} exited ${child.status}: ${child.stderr}`);
  const cpu = /DELIVERLENS_CPU_US=(\d+)/.exec(child.stderr);
  return { seconds, cpu: cpu ? Number(cpu[1]) / 1e6 : Number.NaN, stdout: child.stdout };
}
let pass = true;

if (values["report-only"]) {
  const saved = JSON.parse(readFileSync(values["report-only"], "utf8")) as RunResult[];
  console.log(formatReport(saved));
  process.exit(score(saved).pass.all ? 0 : 1);
}

if (!values["skip-accuracy"]) {
  const formats = values.formats.split(",").map((f) => f.trim()) as ExportFormat[];
  const unknown = formats.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0)
    throw new Error(`unknown format(s) ${unknown.join(", ")}; one of ${FORMATS.join(", ")}`);
  const shapes = values.shapes.split(",").map((s) => s.trim()) as ProgramShape[];
  const badShapes = shapes.filter((s) => !(SHAPES as readonly string[]).includes(s));
  if (badShapes.length > 0)
    throw new Error(`unknown shape(s) ${badShapes.join(", ")}; one of ${SHAPES.join(", ")}`);
  const specs = gridSpecs(Number(values.seeds), {
    firstSeed: Number(values["first-seed"]),
    weak: !values["no-weak"],
    shapes,
  });
  const started = performance.now();
  const progress = createProgress("programs", specs.length * formats.length, "runs");
  const sofar: RunResult[] = [];
  const results = await runMatrix(specs, {
    formats,
    parallel: Number(values.parallel),
    cache: values.cache,
    onResult: (result, done) => {
      progress.tick(done);
      // Written as the runs finish, so that a long run stopped half-way still leaves its results.
      sofar.push(result);
      if (values.results) writeFileSync(values.results, JSON.stringify(sofar, null, 1));
    },
  });
  progress.finish();
  if (values.results) writeFileSync(values.results, JSON.stringify(results, null, 1));
  console.log(
    `\nDiagnosis over ${specs.length} independently generated programs × ${formats.length} formats (${formats.join(", ")}; ${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  console.log(formatReport(results));
  pass &&= score(results).pass.all;
  const handmade = await runHandmade();
  console.log(
    `\nhand-made program (generic CSV, 5 newsletters, one with bit.ly links) → ${handmade.top} (${handmade.confidence.toFixed(2)}), expected content: ${handmade.correct ? "PASS" : "FAIL"}`,
  );
  pass &&= handmade.correct;
  for (const format of formats) {
    const one = await runHandmadeIn(format);
    console.log(
      `the same hand-made program as ${format} → ${one.top} (${one.confidence.toFixed(2)}), expected content${judgeable("content", format) ? "" : " (or insufficient-evidence where the format cannot show it)"}: ${one.correct ? "PASS" : "FAIL"}`,
    );
    pass &&= one.correct;
  }
}

if (values.scenarios) {
  // The older grid: scenarios written straight into the store (testkit/scenarios.ts), no files.
  const specs = scenarioGrid(Number(values.seeds));
  const rows = new Map(SCENARIO_CAUSES.map((cause) => [cause, { n: 0, first: 0, misses: [] as string[] }]));
  const started = performance.now();
  const progress = createProgress("accuracy", specs.length, "scenarios");
  for (const [index, spec] of specs.entries()) {
    const scenario = generateScenario({ ...spec, recipients: Number(values.recipients) });
    const store = await storeScenario(scenario.events);
    const diagnosis = diagnoseContext(buildContext(await loadFacts(store, "apple")));
    store.close();
    const expected = spec.cause === "clean" ? "insufficient-evidence" : spec.cause;
    const row = rows.get(spec.cause)!;
    row.n++;
    if (diagnosis.causes[0].id === expected) row.first++;
    else row.misses.push(`s${spec.strength}/n${spec.noise}/seed${spec.seed}→${diagnosis.causes[0].id}`);
    progress.tick(index + 1);
  }
  progress.finish();
  console.log(
    `\nAccuracy over ${specs.length} scenarios (${Number(values.recipients)} Apple recipients, 90 days each; ${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
  console.log("cause               scenarios  ranked first   misses (strength/noise/seed→top)");
  let injected = 0;
  let injectedFirst = 0;
  for (const [cause, row] of rows) {
    console.log(
      `${cause.padEnd(20)}${String(row.n).padStart(9)}  ${`${row.first} (${((100 * row.first) / row.n).toFixed(1)} %)`.padStart(13)}   ${row.misses.slice(0, 4).join(", ")}`,
    );
    if (cause !== "clean") {
      injected += row.n;
      injectedFirst += row.first;
    }
  }
  const clean = rows.get("clean")!;
  const injectedRate = injectedFirst / injected;
  const cleanRate = clean.first / clean.n;
  const ok = specs.length >= 200 && injectedRate >= TARGET_ACCURACY && cleanRate >= TARGET_ACCURACY;
  pass &&= ok;
  console.log(`injected cause ranked first: ${(100 * injectedRate).toFixed(1)} % (target ≥ 95 %)`);
  console.log(`clean → insufficient-evidence: ${(100 * cleanRate).toFixed(1)} % (target ≥ 95 %)`);
  console.log(`accuracy: ${ok ? "PASS" : "FAIL"}${specs.length < 200 ? " (fewer than 200 scenarios)" : ""}`);
}

if (!values["skip-cross-check"]) {
  // An independent check: programs from the demo generator (src/demo/, written by another hand), through
  // real formats (SendGrid NDJSON + PowerMTA CSV), ingest and the classifier.
  const cases: { name: string; expected: string; injections: Injection[] }[] = [
    { name: "demo: clean", expected: "insufficient-evidence", injections: [] },
    {
      // The demo's win-back reaches 90 % of the dormant segment: a third of the weekly newsletter's size, so
      // no volume spike (issue 10), but a send to an unusually unengaged audience followed by CS01 days.
      name: "demo: dormant win-back",
      expected: "low-engagement",
      injections: [{ kind: "volume-spike", day: 60 }],
    },
    { name: "demo: shortener campaign", expected: "content", injections: [{ kind: "content", week: 9 }] },
  ];
  console.log("\nCross-check on the demo generator's programs (120 days, 12,000 recipients, seed 7)");
  for (const { name, expected, injections } of cases) {
    const dir = mkdtempSync(join(tmpdir(), "deliverlens-bench-demo-"));
    try {
      const program = planProgram(programOptions({ days: 120, recipients: 12_000, seed: 7, injections }));
      const written = await writeProgramFiles(program, dir, "by-stream");
      await writeCampaignMessages(program.campaigns, join(dir, "messages"), program.options.start);
      const db = join(dir, "demo.duckdb");
      const store = await Store.open(db);
      for (const file of written.files) await ingestFile(store, file);
      store.close();
      const report = await diagnoseStore({
        db,
        provider: "apple",
        offline: true,
        messages: join(dir, "messages"),
      });
      const top = report.causes[0];
      const ok = top.id === expected;
      pass &&= ok;
      console.log(
        `${name.padEnd(28)} → ${top.id} (${top.confidence.toFixed(2)}), expected ${expected}: ${ok ? "PASS" : "FAIL"}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (!values["skip-speed"]) {
  const events = Number(values.events);
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-bench-diagnose-"));
  const db = values.store ?? join(dir, "bench.duckdb");
  try {
    const started = performance.now();
    const store = await Store.open(db);
    const existing = (await store.one<{ n: number }>("SELECT count(*) AS n FROM events"))?.n ?? 0;
    if (existing === 0) {
      await store.run(
        `CREATE TEMP TABLE bench_rows AS SELECT i FROM generate_series(0, ${events - 1}) AS t(i)`,
      );
      await insertEvents(store, BENCH_COLUMNS, "bench_rows");
      await store.run("DROP TABLE bench_rows");
    }
    // A reused store an older deliverlens built: its day summary made as its next ingest would make it.
    const behind = existing > 0 && (await daySummaryBehind(store));
    if (behind) await store.transaction(() => rebuildDaySummary(store));
    store.close();
    console.log(
      `\n${existing ? "Reused" : "Built"} a ${events.toLocaleString("en-US")}-event store in ${((performance.now() - started) / 1000).toFixed(1)} s (DuckDB generate_series${behind ? "; day summary rebuilt" : ""})`,
    );
    // Whole processes (startup included), as a user runs them: wall and CPU seconds (DuckDB's threads
    // included) of `stats --json` and `diagnose --offline --json`, best wall of `--runs`.
    console.log(
      `load: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} (1/5/15 min; 2 cores shared)`,
    );
    for (const [command, target, args] of [
      ["stats", STATS_TARGET_SECONDS, ["stats", "--db", db, "--json"]],
      ["diagnose", TARGET_SECONDS, ["diagnose", "--db", db, "--offline", "--json"]],
    ] as const) {
      const runs: { seconds: number; cpu: number }[] = [];
      let out = "";
      for (let run = 0; run < Number(values.runs); run++) {
        const timed = timeProcess([...args]);
        runs.push(timed);
        out = timed.stdout;
      }
      const best = Math.min(...runs.map((r) => r.seconds));
      const ok = best < target;
      pass &&= ok;
      if (command === "diagnose") {
        const report = JSON.parse(out) as { causes: { id: string }[]; summary: string };
        console.log(`top cause: ${report.causes[0].id}; ${report.summary.slice(0, 120)}…`);
      }
      console.log(
        `${command} over ${events.toLocaleString("en-US")} events, whole process: ${runs.map((r) => `${r.seconds.toFixed(2)} s (CPU ${r.cpu.toFixed(2)} s)`).join(", ")}; best ${best.toFixed(2)} s, target < ${target} s: ${ok ? "PASS" : "FAIL"}`,
      );
    }
    console.log(
      `load after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(
          " ",
        )} (CPU seconds over 2 threads: wall well above half of them means the cores were busy with other work)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\noverall: ${pass ? "PASS" : "FAIL"}`);
process.exitCode = pass ? 0 : 1;
