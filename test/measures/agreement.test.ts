import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { hygiene } from "../../src/analytics/hygiene/hygiene.ts";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { loadAppleEgress } from "../../src/analytics/stats/opens.ts";
import { computeStats } from "../../src/analytics/stats/report.ts";
import { runPlan } from "../../src/cli/run/plan.ts";
import { writeProgramFiles } from "../../src/demo/files.ts";
import { programOptions } from "../../src/demo/options.ts";
import { planProgram } from "../../src/demo/program.ts";
import { diagnoseStore } from "../../src/diagnose/diagnose-store.ts";
import { renderHtml } from "../../src/report/html.ts";
import { Store } from "../../src/store/index.ts";
import { generateProgram } from "../../testkit/programs/generate.ts";
import { type ExportFormat, writeProgram } from "../../testkit/programs/writers/index.ts";

/**
 * The agreement test (issue 10): `stats`, `diagnose`, `plan`, `hygiene --provider` and the HTML report
 * give the same number for every question they share, on the same store and window — the demo store and
 * one independently generated program per export format.
 */
const dir = mkdtempSync(join(tmpdir(), "deliverlens-agreement-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Source {
  files: string[];
  year?: number;
  appleEgress?: string;
}

async function demoSource(): Promise<Source> {
  const program = planProgram(programOptions({ days: 60, recipients: 1500, seed: 3 }));
  const written = await writeProgramFiles(program, join(dir, "demo"), "by-stream");
  return { files: written.files };
}

function programSource(format: ExportFormat, seed: number): Source {
  const program = generateProgram({ seed, cause: "low-engagement", strength: 1, recipients: 700, days: 60 });
  const written = writeProgram(program, join(dir, format), format);
  return { files: written.files, year: written.year, appleEgress: written.appleEgress };
}

type StatsReport = Awaited<ReturnType<typeof computeStats>>;
type Report = Awaited<ReturnType<typeof diagnoseStore>>;

/** Daily sent and policy bounces, totals, figures, spike days, episodes and tiers: diagnose = stats. */
function sameNumbers(name: string, stats: StatsReport, report: Report): void {
  const statsDays = new Map(stats.daily.filter((d) => d.provider === "apple").map((d) => [d.day, d]));
  for (const day of report.daily) {
    const s = statsDays.get(day.day);
    assert.equal(day.sent, s?.sent ?? 0, `${name} ${day.day}: sent`);
    assert.equal(day.policyBounces, s?.policyBounces ?? 0, `${name} ${day.day}: policy bounces`);
  }
  for (const day of statsDays.keys())
    assert.ok(
      report.daily.some((d) => d.day === day),
      `${name}: stats' day ${day} is in diagnose's window`,
    );
  const total = stats.totals.find((t) => t.provider === "apple");
  const sum = (key: "sent" | "policyBounces") => report.daily.reduce((n, d) => n + d[key], 0);
  assert.equal(sum("sent"), total?.sent, `${name}: messages = stats sent`);
  assert.equal(sum("policyBounces"), total?.policyBounces, `${name}: policy bounces`);
  assert.ok((total?.sent ?? 0) > 0);
  assert.equal(report.figures.messages, total?.sent, `${name}: figures.messages = stats sent`);
  assert.equal(report.figures.policyBounces, total?.policyBounces, `${name}: figures.policyBounces`);
  const statsApple = [...statsDays.keys()].sort();
  assert.equal(report.figures.window.from, statsApple[0], `${name}: figures.window.from`);
  assert.equal(report.figures.window.to, statsApple.at(-1), `${name}: figures.window.to`);

  // Spike and episode days, engagement tiers.
  assert.deepEqual(
    report.daily.filter((d) => d.spike).map((d) => d.day),
    stats.spikes.filter((s) => s.provider === "apple").map((s) => s.day),
    `${name}: spike days`,
  );
  const episodes = (list: { start: string; end: string; policyBounces: number; sent: number }[]) =>
    list.map(({ start, end, policyBounces, sent }) => ({ start, end, policyBounces, sent }));
  assert.deepEqual(
    episodes(report.episodes),
    episodes(stats.episodes.filter((e) => e.provider === "apple")),
    `${name}: episodes`,
  );
  const tiers = stats.engagement.find((e) => e.provider === "apple")?.tiers ?? {};
  assert.deepEqual(
    Object.fromEntries(report.tiers.map((t) => [t.tier, t.recipients])),
    tiers,
    `${name}: engagement tiers`,
  );
}

/** A window inside the data: `skip` days after stats' first day, `length` days long. */
function innerWindow(stats: StatsReport, skip: number, length: number): { from: string; to: string } {
  const first = Date.parse(`${stats.daily.map((d) => d.day).sort()[0]}T00:00:00Z`);
  const day = (k: number) => new Date(first + k * 86_400_000).toISOString().slice(0, 10);
  return { from: day(skip), to: day(skip + length - 1) };
}

async function agree(name: string, source: Source, windowed = false): Promise<void> {
  const db = join(dir, `${name}.duckdb`);
  const store = await Store.open(db);
  try {
    for (const file of source.files) await ingestFile(store, file, { year: source.year });
  } finally {
    store.close();
  }
  const reader = await Store.open(db, { readOnly: true });
  let stats: StatsReport;
  let segment: Awaited<ReturnType<typeof hygiene>>;
  try {
    stats = await computeStats(reader, {}, { appleEgressCsv: source.appleEgress ?? null });
    const opens = await loadAppleEgress(reader, source.appleEgress ?? null);
    segment = await hygiene(reader, { provider: "apple", opens });
  } finally {
    reader.close();
  }
  const report = await diagnoseStore({
    db,
    provider: "apple",
    offline: true,
    appleEgress: source.appleEgress,
  });

  // Daily sent and policy bounces, day by day, and their totals; spikes, episodes, tiers.
  const statsDays = new Map(stats.daily.filter((d) => d.provider === "apple").map((d) => [d.day, d]));
  assert.ok(report.daily.length > 20, `${name}: a program of several weeks`);
  sameNumbers(name, stats, report);

  // The same flags cover the same days: diagnose --from/--to = stats --from/--to, on a window that starts
  // after the data does (history before it) and ends before it does.
  if (windowed) {
    const window = innerWindow(stats, 16, 30);
    const reader = await Store.open(db, { readOnly: true });
    let inWindow: StatsReport;
    try {
      inWindow = await computeStats(reader, window, { appleEgressCsv: source.appleEgress ?? null });
    } finally {
      reader.close();
    }
    const windowReport = await diagnoseStore({
      db,
      provider: "apple",
      offline: true,
      appleEgress: source.appleEgress,
      ...window,
    });
    assert.equal(windowReport.figures.window.from, window.from, `${name}: window starts on --from`);
    assert.equal(windowReport.figures.window.to, window.to, `${name}: window ends on --to`);
    assert.ok(windowReport.figures.messages < report.figures.messages, `${name}: the window is a part`);
    sameNumbers(`${name} window`, inWindow, windowReport);
  }

  // The suppression segment is hygiene's for the provider.
  assert.equal(report.prescriptions.suppression.suppressTotal, segment.suppress, `${name}: suppress`);
  assert.equal(report.prescriptions.suppression.reengage, segment.reengage, `${name}: reengage`);

  // The HTML report's daily chart shows the same numbers.
  const html = renderHtml(report);
  const bars = [...html.matchAll(/<title>(\d{4}-\d\d-\d\d): (\d+) sent, (\d+) policy bounces/g)];
  assert.equal(bars.length, report.daily.length, `${name}: one bar per day`);
  for (const [, day, sent, policy] of bars) {
    assert.equal(Number(sent), statsDays.get(day)?.sent ?? 0, `${name} HTML ${day}: sent`);
    assert.equal(Number(policy), statsDays.get(day)?.policyBounces ?? 0, `${name} HTML ${day}: policy`);
  }

  // plan with diagnose's warm-up target schedules the days diagnose announces.
  const { target, days } = report.prescriptions.warmup;
  if (target > 0) {
    const out = join(dir, `${name}-plan.csv`);
    await runPlan({
      db,
      provider: "apple",
      target: String(target),
      out,
      appleEgress: source.appleEgress,
      start: "2030-01-01",
    });
    const dates = new Set(
      readFileSync(out, "utf8")
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => line.split(",")[0]),
    );
    assert.equal(dates.size, days, `${name}: plan days`);
  }
}

test("demo store: stats, diagnose, plan, hygiene and the HTML report agree", async () => {
  await agree("demo", await demoSource(), true);
});

for (const [format, seed] of [
  ["sendgrid", 21],
  ["ses", 22],
  ["mailgun", 23],
  ["pmta", 24],
  ["postfix", 25],
] as const) {
  test(`${format} program: stats, diagnose, plan, hygiene and the HTML report agree`, async () => {
    await agree(format, programSource(format, seed), format === "postfix");
  });
}
