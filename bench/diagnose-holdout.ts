/**
 * `npm run bench:diagnose-holdout` — issue 10's accuracy on the SECOND, independent program generator
 * (testkit/holdout/, written without reading src/diagnose, src/measures or testkit/programs). Black box:
 * each program is written as an ESP export, loaded with `deliverlens ingest` and judged with
 * `deliverlens diagnose --json --offline` as CLI processes; causes[0].id is scored against the injected
 * cause (a clean program must come out `insufficient-evidence`).
 *
 * Prints the confusion matrix (injected × ranked first), accuracy per strength and per format, the clean
 * rate, calibration (of the causes reported at confidence ≥ 0.7, how many were the injected one) and every
 * miss with the command that regenerates it. Deterministic: each program is a function of its spec.
 *
 *   node bench/diagnose-holdout.ts [--seeds 1,2] [--formats sendgrid,ses] [--strengths 1,0.6]
 *        [--causes content,clean] [--jobs 2] [--keep DIR [--reuse]] [--json FILE] [--no-messages] [--handmade-only]
 *
 * `--keep DIR --reuse`: programs an earlier run generated and ingested in DIR are only diagnosed again
 * (generating and ingesting is most of the time; delete DIR after changing the generator or ingest).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnCli } from "../testkit/cli-spawn.ts";
import { handmade } from "../testkit/holdout/handmade.ts";
import {
  CAUSES,
  FORMATS,
  type Format,
  type Generated,
  generate,
  matrix,
  type ProgramSpec,
  programName,
  type Truth,
} from "../testkit/holdout/index.ts";

const IDS = [...CAUSES, "insufficient-evidence"] as const;
const TARGETS = { full: 0.97, weak: 0.85, clean: 0.95, calibration: 0.9 };

interface Run {
  name: string;
  spec: ProgramSpec | null;
  truth: Truth;
  strength: number;
  format: string;
  expected: string;
  predicted: string;
  confidence: number;
  top: { id: string; confidence: number }[];
  evidence: string;
  summary: string;
  quarantined: number;
  error?: string;
  repro: string;
  note: string;
}

/** A program written and ingested: what diagnose needs, kept as DIR/<name>/ingested.json for `--reuse`. */
interface Ingested {
  base: Omit<
    Run,
    "predicted" | "confidence" | "top" | "evidence" | "summary" | "quarantined" | "repro" | "error"
  >;
  db: string;
  messagesDir: string;
  egressCsv: string;
  quarantined: number;
  error?: string;
}

async function ingest(g: Generated, name: string): Promise<Ingested> {
  const db = join(g.dir, "store.duckdb");
  const truth = g.program.truth.cause;
  const base = {
    name,
    spec: g.program.spec,
    truth,
    strength: g.program.truth.strength,
    format: g.program.spec.format,
    expected: truth === "clean" ? "insufficient-evidence" : truth,
    note: g.program.truth.note,
  };
  const ingested = await spawnCli(["ingest", "--db", db, "--json", ...g.files]);
  let quarantined = -1;
  try {
    quarantined = JSON.parse(ingested.stdout).totals.quarantined;
  } catch {
    // reported below
  }
  const out = { base, db, messagesDir: g.messagesDir, egressCsv: g.egressCsv, quarantined };
  if (ingested.status !== 0) return { ...out, error: ingested.stderr.slice(0, 500) };
  writeFileSync(join(g.dir, "ingested.json"), JSON.stringify(out));
  return out;
}

/** The program in `dir` as ingested by an earlier run (`--keep DIR --reuse`), or null. */
function ingestedBefore(dir: string): Ingested | null {
  const saved = join(dir, "ingested.json");
  return existsSync(saved) ? (JSON.parse(readFileSync(saved, "utf8")) as Ingested) : null;
}

async function judge(ingested: Ingested, opts: { messages: boolean }): Promise<Omit<Run, "repro">> {
  const { base, quarantined } = ingested;
  if (ingested.error !== undefined)
    return {
      ...base,
      predicted: "(ingest failed)",
      confidence: 0,
      top: [],
      evidence: "",
      summary: "",
      quarantined,
      error: ingested.error,
    };
  const args = ["diagnose", "--db", ingested.db, "--json", "--offline", "--apple-egress", ingested.egressCsv];
  if (opts.messages) args.push("--messages", ingested.messagesDir);
  const diag = await spawnCli(args);
  try {
    const report = JSON.parse(diag.stdout) as {
      summary: string;
      causes: { id: string; confidence: number; evidence: { text: string }[] }[];
    };
    const first = report.causes[0];
    return {
      ...base,
      predicted: first.id,
      confidence: first.confidence,
      top: report.causes.slice(0, 3).map((c) => ({ id: c.id, confidence: c.confidence })),
      evidence: first.evidence[0]?.text ?? "",
      summary: report.summary,
      quarantined,
    };
  } catch {
    return {
      ...base,
      predicted: "(diagnose failed)",
      confidence: 0,
      top: [],
      evidence: "",
      summary: "",
      quarantined,
      error: diag.stderr.slice(0, 500),
    };
  }
}

function reproOf(spec: ProgramSpec | null, name: string): string {
  if (!spec) return `npx node testkit/holdout/handmade.ts --out /tmp/${name}`;
  return `npx node testkit/holdout/index.ts --cause ${spec.cause} --strength ${spec.strength} --seed ${spec.seed} --format ${spec.format}${spec.shape ? ` --shape ${spec.shape}` : ""} --out /tmp/${name}`;
}

function pct(n: number, d: number): string {
  return d === 0 ? "n/a" : `${n}/${d} = ${((100 * n) / d).toFixed(1)} %`;
}

function verdict(n: number, d: number, target: number): string {
  return d === 0 ? "" : n / d >= target ? "PASS" : "FAIL";
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: "string", default: "1,2" },
      formats: { type: "string", default: "sendgrid,ses" },
      strengths: { type: "string", default: "1,0.6" },
      causes: { type: "string" },
      jobs: { type: "string", default: "2" },
      keep: { type: "string" },
      json: { type: "string" },
      "no-messages": { type: "boolean", default: false },
      "no-handmade": { type: "boolean", default: false },
      "handmade-only": { type: "boolean", default: false },
      /** With --keep DIR: programs already ingested there by an earlier run are only diagnosed again. */
      reuse: { type: "boolean", default: false },
    },
  });
  const formats = values.formats.split(",") as Format[];
  for (const f of formats)
    if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`unknown format ${f}`);
  const specs = values["handmade-only"]
    ? []
    : matrix({
        seeds: values.seeds.split(",").map(Number),
        formats,
        strengths: values.strengths.split(",").map(Number),
        causes: values.causes ? (values.causes.split(",") as Truth[]) : undefined,
      });
  const root = values.keep ?? mkdtempSync(join(tmpdir(), "holdout-"));
  mkdirSync(root, { recursive: true });
  const jobs = Math.max(1, Number(values.jobs));
  const reuse = values.reuse && values.keep !== undefined;
  const opts = { messages: !values["no-messages"] };
  const tasks: (() => Promise<Run>)[] = specs.map((spec) => async () => {
    const name = programName(spec);
    const dir = join(root, name);
    const r = await judge((reuse && ingestedBefore(dir)) || (await ingest(generate(spec, dir), name)), opts);
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    return { ...r, repro: reproOf(spec, name) };
  });
  if (!values["no-handmade"])
    tasks.push(async () => {
      const dir = join(root, "handmade");
      const r = await judge(
        (reuse && ingestedBefore(dir)) || (await ingest(handmade(dir), "handmade")),
        opts,
      );
      if (!values.keep) rmSync(dir, { recursive: true, force: true });
      return { ...r, spec: null, repro: reproOf(null, "handmade") };
    });

  const started = Date.now();
  const runs: Run[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        const r = await task();
        runs.push(r);
        const mark = r.predicted === r.expected ? "ok  " : "MISS";
        process.stderr.write(
          `${mark} ${r.name.padEnd(44)} → ${r.predicted} ${r.confidence.toFixed(2)}  (${runs.length}/${tasks.length})\n`,
        );
      }
    }),
  );
  runs.sort((a, b) => a.name.localeCompare(b.name));
  report(runs, (Date.now() - started) / 1000);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(runs, null, 2)}\n`);
  if (!values.keep) rmSync(root, { recursive: true, force: true });
  if (runs.some((r) => r.error !== undefined || r.quarantined !== 0)) process.exitCode = 1;
}

/** Confusion matrix, rate against each target and calibration of `runs` (all of them, or one format's). */
function scoreLines(runs: Run[]): string[] {
  const out: string[] = [];
  out.push("Confusion matrix (rows: injected; columns: ranked first)");
  const truths: string[] = [...CAUSES, "clean", "handmade"];
  const short = (id: string) => id.replace("insufficient-evidence", "insufficient").slice(0, 12);
  const cols = [...IDS, "other"];
  out.push(`${"".padEnd(16)}${cols.map((c) => short(c).padStart(13)).join("")}`);
  for (const t of truths) {
    const rows = runs.filter((r) => (t === "handmade" ? r.spec === null : r.spec !== null && r.truth === t));
    if (rows.length === 0) continue;
    const cells = cols.map((c) => {
      const n = rows.filter((r) =>
        c === "other" ? !(IDS as readonly string[]).includes(r.predicted) : r.predicted === c,
      ).length;
      return String(n || "·").padStart(13);
    });
    out.push(`${t.padEnd(16)}${cells.join("")}`);
  }
  out.push("");
  const generated = runs.filter((r) => r.spec !== null);
  const injected = generated.filter((r) => r.truth !== "clean");
  const full = injected.filter((r) => r.strength === 1);
  const weak = injected.filter((r) => r.strength !== 1);
  const clean = generated.filter((r) => r.truth === "clean");
  const right = (rs: Run[]) => rs.filter((r) => r.predicted === r.expected).length;
  out.push(
    `Injected cause first, full strength: ${pct(right(full), full.length)} ${verdict(right(full), full.length, TARGETS.full)} (target ≥ 97 %)`,
  );
  out.push(
    `Injected cause first, 0.6 strength:  ${pct(right(weak), weak.length)} ${verdict(right(weak), weak.length, TARGETS.weak)} (target ≥ 85 %)`,
  );
  out.push(
    `Clean → insufficient-evidence:       ${pct(right(clean), clean.length)} ${verdict(right(clean), clean.length, TARGETS.clean)} (target ≥ 95 %)`,
  );
  // calibration over every cause the diagnosis reports at ≥ 0.7 (insufficient-evidence is not a cause)
  let high = 0;
  let highRight = 0;
  for (const r of runs)
    for (const c of r.top) {
      if (c.id === "insufficient-evidence" || c.confidence < 0.7) continue;
      high++;
      if (c.id === r.expected) highRight++;
    }
  out.push(
    `Calibration: of causes reported at confidence ≥ 0.7, right: ${pct(highRight, high)} ${verdict(highRight, high, TARGETS.calibration)} (target ≥ 90 %; top 3 of each run)`,
  );
  return out;
}

function report(runs: Run[], seconds: number): void {
  const out: string[] = [];
  out.push(
    `deliverlens diagnose on the holdout generator — ${runs.length} programs, ${seconds.toFixed(0)} s wall`,
  );
  out.push("");
  out.push(...scoreLines(runs));
  const formats = [...new Set(runs.map((r) => r.format))];
  const generated = runs.filter((r) => r.spec !== null);
  for (const f of formats) {
    const rs = generated.filter((r) => r.format === f);
    const right = rs.filter((r) => r.predicted === r.expected).length;
    out.push(`  ${f.padEnd(10)} ${pct(right, rs.length)}`);
  }
  if (formats.length > 1)
    for (const f of formats) {
      out.push("");
      out.push(`── ${f} ──`);
      out.push(...scoreLines(runs.filter((r) => r.format === f)));
    }
  const hm = runs.find((r) => r.spec === null);
  if (hm) out.push(`Hand-made program: ${hm.predicted} ${hm.confidence.toFixed(2)} (truth ${hm.expected})`);
  const bad = runs.filter((r) => r.error !== undefined || r.quarantined !== 0);
  if (bad.length > 0)
    out.push(
      `Runs with ingest/diagnose problems: ${bad.map((r) => `${r.name} (${r.quarantined} quarantined)`).join(", ")}`,
    );
  const misses = runs.filter((r) => r.predicted !== r.expected);
  if (misses.length > 0) {
    out.push("");
    out.push("Misses");
    for (const r of misses) {
      out.push(`- ${r.name}: truth ${r.expected} (${r.note})`);
      out.push(`    said: ${r.top.map((c) => `${c.id} ${c.confidence.toFixed(2)}`).join(", ")}`);
      if (r.evidence) out.push(`    evidence: ${r.evidence}`);
      if (r.error) out.push(`    error: ${r.error.split("\n")[0]}`);
      out.push(`    repro: ${r.repro}`);
    }
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

await main();
