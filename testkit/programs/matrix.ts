/**
 * Runs the suite: for each program spec, generate the program, write it in each export format to a
 * temporary directory, run `deliverlens ingest` and `deliverlens diagnose --json --offline` as whole CLI
 * processes (diagnose is a black box: only its JSON is read), and score the answers — injected cause
 * ranked first (`causes[0].id`), clean → `insufficient-evidence` first, and calibration (of the causes
 * reported at confidence ≥ 0.7, how many are the injected one).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnCli } from "../cli-spawn.ts";
import { variantOf } from "./causes.ts";
import { generateProgram, programName } from "./generate.ts";
import { HANDMADE_CAUSE, handmadeProgram, writeHandmadeProgram } from "./handmade.ts";
import { CAUSES, type Injected, type ProgramSpec, type Truth } from "./model.ts";
import { smallMatrix } from "./specs.ts";
import { type ExportFormat, HAS_ENGAGEMENT, writeProgram } from "./writers/index.ts";

export const TARGETS = { full: 0.97, partial: 0.85, clean: 0.95, calibration: 0.9 } as const;
export const CALIBRATION_AT = 0.7;
export const ANSWERS = [...CAUSES, "insufficient-evidence"] as const;

export interface RunResult {
  name: string;
  spec: ProgramSpec;
  format: ExportFormat;
  truth: Truth;
  expected: string;
  /** causes[] as diagnose ranked them (id, confidence). */
  causes: { id: string; confidence: number }[];
  top: string;
  correct: boolean;
  quarantined: number;
  seconds: number;
  error?: string;
}

export interface MatrixOptions {
  formats: readonly ExportFormat[];
  /** Programs run at once (each runs its formats one after another). */
  parallel?: number;
  /** Pass the campaigns' .eml files (`--messages`) and Apple's egress ranges (`--apple-egress`). */
  messages?: boolean;
  appleEgress?: boolean;
  keep?: boolean;
  /**
   * Keep each program's ingested store (and its messages) in CACHE/<program>--<format>/ and reuse it on
   * later runs: only `diagnose` runs again. Generating and ingesting is most of a run's time, and neither
   * is what this suite measures; delete the directory after changing the generator or ingest.
   */
  cache?: string;
  onResult?: (result: RunResult, done: number, total: number) => void;
}

/**
 * What each export format lacks, and so which causes it cannot show: PowerMTA accounting and Postfix
 * logs have no opens or clicks (so neither low engagement nor a spike's less-engaged audience can be
 * shown), Postfix no campaigns, SES feedback notifications no opens, campaigns
 * (tags), sending IPs or deferrals. On those, `insufficient-evidence` is a right answer ("say what it
 * cannot judge rather than guess"), and so is the cause itself.
 */
export function judgeable(cause: Injected, format: ExportFormat): boolean {
  const noEngagement = !HAS_ENGAGEMENT[format];
  // A spike is to blame only when its audience was less engaged than usual, which needs opens/clicks.
  if (cause === "low-engagement" || cause === "volume-spike") return !noEngagement;
  if (cause === "content") return format !== "postfix" && format !== "ses-notifications";
  if (cause === "ip-reputation" || cause === "rate-limit") return format !== "ses-notifications";
  return true;
}

/** Is `answer` right for a program with this cause in this format? */
export function isRight(answer: string, cause: Injected, format: ExportFormat): boolean {
  return (
    answer === expectedAnswer(cause) || (!judgeable(cause, format) && answer === "insufficient-evidence")
  );
}

export function expectedAnswer(cause: Injected): string {
  return cause === "clean" ? "insufficient-evidence" : cause;
}

/** What a run keeps of its program once ingested (CACHE/<program>--<format>/run.json). */
interface Ingested {
  db: string;
  messages: string;
  appleEgress: string;
  quarantined: number;
  truth: Truth;
}

async function ingestProgram(
  dir: string,
  program: ReturnType<typeof generateProgram>,
  format: ExportFormat,
): Promise<Ingested> {
  const written = writeProgram(program, dir, format);
  const db = join(dir, "store.duckdb");
  const ingest = await spawnCli([
    "ingest",
    "--db",
    db,
    "--json",
    "--year",
    String(written.year),
    ...written.files,
  ]);
  if (ingest.status !== 0) throw new Error(`ingest exit ${ingest.status}: ${ingest.stderr.slice(0, 500)}`);
  const summary = JSON.parse(ingest.stdout) as { totals: { quarantined: number } };
  return {
    db,
    messages: written.messages,
    appleEgress: written.appleEgress,
    quarantined: summary.totals.quarantined,
    truth: program.truth,
  };
}

async function diagnoseIngested(ingested: Ingested, options: MatrixOptions) {
  const args = ["diagnose", "--db", ingested.db, "--json", "--offline"];
  if (options.messages !== false) args.push("--messages", ingested.messages);
  if (options.appleEgress !== false) args.push("--apple-egress", ingested.appleEgress);
  const diagnose = await spawnCli(args);
  if (diagnose.status !== 0)
    throw new Error(`diagnose exit ${diagnose.status}: ${diagnose.stderr.slice(0, 500)}`);
  const report = JSON.parse(diagnose.stdout) as { causes: { id: string; confidence: number }[] };
  return report.causes.map((c) => ({ id: c.id, confidence: c.confidence }));
}

/** The program ingested in `format`: from the cache when there, else generated (once per spec), written and ingested. */
async function ingested(
  spec: ProgramSpec,
  program: () => ReturnType<typeof generateProgram>,
  format: ExportFormat,
  options: MatrixOptions,
): Promise<{ run: Ingested; dir: string; temporary: boolean }> {
  if (!options.cache) {
    const dir = mkdtempSync(join(tmpdir(), "deliverlens-programs-"));
    try {
      return { run: await ingestProgram(dir, program(), format), dir, temporary: true };
    } catch (error) {
      if (!options.keep) rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
  const dir = join(options.cache, `${programName(spec, variantOf(spec))}--${format}`);
  const saved = join(dir, "run.json");
  if (existsSync(saved))
    return { run: JSON.parse(readFileSync(saved, "utf8")) as Ingested, dir, temporary: false };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run = await ingestProgram(dir, program(), format);
  rmSync(join(dir, "events"), { recursive: true, force: true });
  writeFileSync(saved, JSON.stringify(run));
  return { run, dir, temporary: false };
}

export async function runMatrix(specs: readonly ProgramSpec[], options: MatrixOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const total = specs.length * options.formats.length;
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const spec = specs[next++];
      let generated: ReturnType<typeof generateProgram> | undefined;
      const program = () => {
        generated ??= generateProgram(spec);
        return generated;
      };
      const expected = expectedAnswer(spec.cause);
      const name = programName(spec, variantOf(spec));
      for (const format of options.formats) {
        const started = performance.now();
        let result: RunResult;
        let dir: string | undefined;
        let temporary = false;
        try {
          const found = await ingested(spec, program, format, options);
          ({ dir, temporary } = found);
          const causes = await diagnoseIngested(found.run, options);
          const top = causes[0]?.id ?? "(none)";
          result = {
            name,
            spec,
            format,
            truth: found.run.truth,
            expected,
            causes,
            quarantined: found.run.quarantined,
            seconds: (performance.now() - started) / 1000,
            top,
            correct: isRight(top, spec.cause, format),
          };
        } catch (error) {
          result = {
            name,
            spec,
            format,
            truth: program().truth,
            expected,
            causes: [],
            top: "(error)",
            correct: false,
            quarantined: 0,
            seconds: 0,
            error: String(error),
          };
        } finally {
          if (dir && temporary && !options.keep) rmSync(dir, { recursive: true, force: true });
        }
        results.push(result);
        options.onResult?.(result, results.length, total);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, worker));
  return results;
}

export interface Score {
  runs: number;
  /** Injected at full strength / at partial strength: ranked first. */
  full: { n: number; right: number };
  partial: { n: number; right: number };
  clean: { n: number; right: number };
  /** Injected causes the format cannot show (judgeable()): right = insufficient-evidence or the cause. */
  unjudgeable: { n: number; right: number };
  /** Causes reported at confidence ≥ 0.7, and how many of them are the injected one. */
  calibration: { n: number; right: number };
  /** confusion[injected][ranked first] = count. */
  confusion: Record<string, Record<string, number>>;
  /** Calibration by confidence band: reported, right. */
  bands: { from: number; to: number; n: number; right: number }[];
  errors: number;
  quarantined: number;
  pass: { full: boolean; partial: boolean; clean: boolean; calibration: boolean; all: boolean };
}

const BANDS: [number, number][] = [
  [0.35, 0.5],
  [0.5, 0.7],
  [0.7, 0.85],
  [0.85, 1.01],
];

export function score(results: readonly RunResult[]): Score {
  const s: Score = {
    runs: results.length,
    full: { n: 0, right: 0 },
    partial: { n: 0, right: 0 },
    clean: { n: 0, right: 0 },
    unjudgeable: { n: 0, right: 0 },
    calibration: { n: 0, right: 0 },
    confusion: {},
    bands: BANDS.map(([from, to]) => ({ from, to, n: 0, right: 0 })),
    errors: 0,
    quarantined: 0,
    pass: { full: false, partial: false, clean: false, calibration: false, all: false },
  };
  for (const r of results) {
    if (r.error) s.errors++;
    s.quarantined += r.quarantined;
    s.confusion[r.spec.cause] ??= {};
    const row = s.confusion[r.spec.cause];
    row[r.top] = (row[r.top] ?? 0) + 1;
    const bucket =
      r.spec.cause === "clean"
        ? s.clean
        : !judgeable(r.spec.cause, r.format)
          ? s.unjudgeable
          : r.spec.strength >= 1
            ? s.full
            : s.partial;
    bucket.n++;
    if (r.correct) bucket.right++;
    for (const c of r.causes) {
      const right = isRight(c.id, r.spec.cause, r.format);
      if (c.confidence >= CALIBRATION_AT) {
        s.calibration.n++;
        if (right) s.calibration.right++;
      }
      const band = s.bands.find((b) => c.confidence >= b.from && c.confidence < b.to);
      if (band) {
        band.n++;
        if (right) band.right++;
      }
    }
  }
  const rate = (x: { n: number; right: number }) => (x.n === 0 ? 1 : x.right / x.n);
  s.pass.full = rate(s.full) >= TARGETS.full;
  s.pass.partial = rate(s.partial) >= TARGETS.partial;
  s.pass.clean = rate(s.clean) >= TARGETS.clean;
  s.pass.calibration = rate(s.calibration) >= TARGETS.calibration;
  s.pass.all = s.pass.full && s.pass.partial && s.pass.clean && s.pass.calibration && s.errors === 0;
  return s;
}

const pct = (x: { n: number; right: number }) =>
  x.n === 0 ? "n/a" : `${x.right}/${x.n} (${((100 * x.right) / x.n).toFixed(1)} %)`;

const SHORT: Record<string, string> = {
  "volume-spike": "spike",
  "low-engagement": "low-eng",
  content: "content",
  blocklist: "blockl",
  authentication: "auth",
  "ip-reputation": "ip-rep",
  "rate-limit": "rate",
  "insufficient-evidence": "insuff",
};

/** The confusion matrix, the rate against each target and the calibration table of `results`. */
function scoreLines(results: readonly RunResult[]): string[] {
  const s = score(results);
  const columns = [
    ...ANSWERS,
    ...new Set(results.map((r) => r.top).filter((t) => !(ANSWERS as readonly string[]).includes(t))),
  ];
  const out: string[] = [];
  out.push(
    `Confusion matrix (rows: injected cause; columns: ranked first by diagnose; ${results.length} runs;`,
  );
  out.push("right = the cause, or insufficient-evidence where the format cannot show it)");
  out.push(`${"injected".padEnd(16)}${columns.map((c) => (SHORT[c] ?? c).padStart(9)).join("")}    right`);
  for (const cause of [...CAUSES, "clean"] as const) {
    const row = s.confusion[cause] ?? {};
    const n = Object.values(row).reduce((a, b) => a + b, 0);
    if (n === 0) continue;
    const right = results.filter((r) => r.spec.cause === cause && r.correct).length;
    out.push(
      `${cause.padEnd(16)}${columns.map((c) => String(row[c] ?? "·").padStart(9)).join("")}    ${right}/${n}`,
    );
  }
  out.push("");
  out.push(
    `full strength, injected cause first:   ${pct(s.full)}   target ≥ ${TARGETS.full * 100} %  ${s.pass.full ? "PASS" : "FAIL"}`,
  );
  out.push(
    `0.6 strength, injected cause first:    ${pct(s.partial)}   target ≥ ${TARGETS.partial * 100} %  ${s.pass.partial ? "PASS" : "FAIL"}`,
  );
  out.push(
    `clean → insufficient-evidence first:   ${pct(s.clean)}   target ≥ ${TARGETS.clean * 100} %  ${s.pass.clean ? "PASS" : "FAIL"}`,
  );
  out.push(
    `format cannot show the cause, insufficient-evidence (or the cause) first: ${pct(s.unjudgeable)}   (not a target; a specific wrong cause here is a guess)`,
  );
  out.push(
    `reported at confidence ≥ ${CALIBRATION_AT}, right:  ${pct(s.calibration)}   target ≥ ${TARGETS.calibration * 100} %  ${s.pass.calibration ? "PASS" : "FAIL"}`,
  );
  out.push("");
  out.push("Calibration (every entry of causes[], by confidence band; right = the injected cause, or");
  out.push("insufficient-evidence for a clean program)");
  out.push("band          reported   right");
  for (const b of s.bands)
    out.push(
      `[${b.from.toFixed(2)}, ${Math.min(1, b.to).toFixed(2)}${b.to > 1 ? "]" : ")"}  ${String(b.n).padStart(8)}   ${pct(b)}`,
    );
  return out;
}

/**
 * The report: confusion matrix, accuracy per strength, calibration table — over all runs, then for each
 * export format on its own when there are several — accuracy per mechanism, misses, PASS/FAIL.
 */
export function formatReport(results: readonly RunResult[]): string {
  const s = score(results);
  const out = scoreLines(results);
  out.push("");
  const formats = [...new Set(results.map((r) => r.format))];
  out.push("By format (injected first or clean right):");
  for (const f of formats) {
    const rs = results.filter((r) => r.format === f);
    out.push(`  ${f.padEnd(10)} ${pct({ n: rs.length, right: rs.filter((r) => r.correct).length })}`);
  }
  if (formats.length > 1)
    for (const f of formats) {
      out.push("");
      out.push(`── ${f} ──`);
      out.push(...scoreLines(results.filter((r) => r.format === f)));
    }
  out.push("");
  const variants = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.spec.cause}/${r.truth.variant}${r.truth.weak ? "/weak" : ""}`;
    variants.set(key, [...(variants.get(key) ?? []), r]);
  }
  out.push("By mechanism:");
  for (const [key, rs] of [...variants].sort())
    out.push(`  ${key.padEnd(38)} ${pct({ n: rs.length, right: rs.filter((r) => r.correct).length })}`);
  const misses = results.filter((r) => !r.correct);
  if (misses.length > 0) {
    out.push("");
    out.push("Misses (program, format → ranked first (confidence); injected cause's confidence; truth):");
    for (const r of misses) {
      const own = r.causes.find((c) => c.id === r.expected);
      out.push(
        `  ${r.name} ${r.format} → ${r.top} (${r.causes[0]?.confidence.toFixed(2) ?? "-"}); ${r.expected} ${own ? own.confidence.toFixed(2) : "-"}; ${r.truth.causePolicyBounces}+${r.truth.backgroundPolicyBounces} policy bounces${r.error ? `; ERROR ${r.error}` : ""}`,
      );
    }
  }
  if (s.errors > 0 || s.quarantined > 0)
    out.push(`errors: ${s.errors}; quarantined records: ${s.quarantined}`);
  out.push("");
  out.push(`accuracy targets: ${s.pass.all ? "PASS" : "FAIL"}`);
  return out.join("\n");
}

/** The hand-made program (handmade.ts) through ingest and diagnose: is its known cause ranked first? */
export async function runHandmade(): Promise<{ top: string; confidence: number; correct: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-handmade-"));
  try {
    const { events, messages } = writeHandmadeProgram(dir);
    const db = join(dir, "store.duckdb");
    const ingest = await spawnCli(["ingest", "--db", db, events]);
    if (ingest.status !== 0) throw new Error(`ingest exit ${ingest.status}: ${ingest.stderr.slice(0, 500)}`);
    const diagnose = await spawnCli(["diagnose", "--db", db, "--json", "--offline", "--messages", messages]);
    if (diagnose.status !== 0)
      throw new Error(`diagnose exit ${diagnose.status}: ${diagnose.stderr.slice(0, 500)}`);
    const top = (JSON.parse(diagnose.stdout) as { causes: { id: string; confidence: number }[] }).causes[0];
    return { top: top.id, confidence: top.confidence, correct: top.id === HANDMADE_CAUSE };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same hand-made program written by the export writers in `format` (handmade.ts `handmadeProgram()`)
 * through ingest and diagnose: what a new user of that ESP or MTA would be told. Right = content, or
 * insufficient-evidence where the format cannot show content (Postfix: no campaigns).
 */
export async function runHandmadeIn(
  format: ExportFormat,
): Promise<{ top: string; confidence: number; correct: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-handmade-"));
  try {
    const causes = await diagnoseIngested(await ingestProgram(dir, handmadeProgram(), format), {
      formats: [format],
    });
    return {
      top: causes[0].id,
      confidence: causes[0].confidence,
      correct: isRight(causes[0].id, HANDMADE_CAUSE, format),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The small matrix (specs.ts `smallMatrix()`: one seed × every cause × both strengths, two clean
 * programs, SendGrid and SES) run and scored — for a threshold test once the diagnosis meets the
 * targets: `assert.ok((await runSmallMatrix()).score.pass.all)`. Faster: `{ formats: ["sendgrid"],
 * recipients: 3000, days: 70 }` (16 runs; ~20–40 s each on a busy 2-core machine, 2 at a time).
 */
export async function runSmallMatrix(
  options: Partial<MatrixOptions> & { seed?: number; recipients?: number; days?: number } = {},
): Promise<{ results: RunResult[]; score: Score }> {
  const { specs, formats } = smallMatrix(options);
  const results = await runMatrix(specs, { formats, ...options });
  return { results, score: score(results) };
}
