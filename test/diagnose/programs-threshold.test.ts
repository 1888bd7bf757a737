/**
 * The threshold test of issue 10 over the INDEPENDENT program suite (testkit/programs/, built without
 * reading src/diagnose), ingested and diagnosed in-process (the bench, `npm run bench:diagnose`, runs the
 * whole matrix — both strengths, more formats and seeds — through the CLI):
 * - diag-gen's small matrix at full strength plus its clean programs, in SendGrid: injected cause first
 *   ≥ 97 %, clean → insufficient-evidence ≥ 95 %, of the causes reported at confidence ≥ 0.7 ≥ 90 % right;
 * - the same causes at 0.6 strength in Amazon SES event publishing (another format's field mapping: the
 *   sending IP from `ses:outgoing-ip`, campaigns from tags, opens without a machine flag), smaller
 *   programs (3,000 recipients, 70 days) to keep it affordable: injected cause first ≥ 85 %, calibration
 *   ≥ 90 %.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { diagnoseStore } from "../../src/diagnose/diagnose-store.ts";
import { Store } from "../../src/store/index.ts";
import { generateProgram } from "../../testkit/programs/generate.ts";
import { expectedAnswer, isRight, type RunResult, score, TARGETS } from "../../testkit/programs/matrix.ts";
import type { ProgramSpec } from "../../testkit/programs/model.ts";
import { smallMatrix } from "../../testkit/programs/specs.ts";
import { type ExportFormat, writeProgram } from "../../testkit/programs/writers/index.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-threshold-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Each program written in `format`, ingested and diagnosed in-process; asserts the calibration target (of
 * the causes reported at confidence ≥ 0.7, ≥ 90 % right) and returns the score and the misses as text.
 */
async function judge(specs: readonly ProgramSpec[], format: ExportFormat) {
  const results: RunResult[] = [];
  for (const [index, spec] of specs.entries()) {
    const program = generateProgram(spec);
    const here = join(dir, `${format}-${index}`);
    const written = writeProgram(program, here, format);
    const db = join(here, "store.duckdb");
    // One DuckDB thread: a program's file ingested on two cost ~25 % more CPU (SendGrid 1.11 vs 0.83 CPU-s, SES
    // 1.16 vs 0.95), the same rows; the suite's other files keep the second core busy.
    const store = await Store.open(db, { threads: 1 });
    for (const file of written.files) await ingestFile(store, file, { year: written.year });
    store.close();
    const report = await diagnoseStore({
      db,
      provider: "apple",
      offline: true,
      messages: written.messages,
      appleEgress: written.appleEgress,
    });
    const causes = report.causes.map((c) => ({ id: c.id, confidence: c.confidence }));
    results.push({
      name: program.name,
      spec,
      format,
      truth: program.truth,
      expected: expectedAnswer(spec.cause),
      causes,
      top: causes[0].id,
      correct: isRight(causes[0].id, spec.cause, format),
      quarantined: 0,
      seconds: 0,
    });
    rmSync(here, { recursive: true, force: true });
  }
  const misses = results
    .filter((r) => !r.correct)
    .map((r) => `${r.name} → ${r.causes.map((c) => `${c.id}:${c.confidence}`).join(" ")}`);
  const wrongHigh = results.flatMap((r) =>
    r.causes
      .filter((c) => c.confidence >= 0.7 && !isRight(c.id, r.spec.cause, format))
      .map((c) => `${r.name}: ${c.id}`),
  );
  const s = score(results);
  assert.ok(
    s.calibration.right / Math.max(1, s.calibration.n) >= TARGETS.calibration,
    `confidence ≥ 0.7 right ${s.calibration.right}/${s.calibration.n}: ${wrongHigh.join("; ")}`,
  );
  return { score: s, misses: misses.join("; ") };
}

test("diagnosis meets issue 10's targets on the independent suite (small matrix, full strength, SendGrid)", {
  timeout: 900_000,
}, async () => {
  const { score: s, misses } = await judge(
    smallMatrix().specs.filter((s) => s.strength >= 1),
    "sendgrid",
  );
  assert.ok(s.full.n >= 7 && s.clean.n >= 2, JSON.stringify(s));
  assert.ok(
    s.full.right / s.full.n >= TARGETS.full,
    `injected cause first ${s.full.right}/${s.full.n}: ${misses}`,
  );
  assert.ok(s.clean.right / s.clean.n >= TARGETS.clean, `clean ${s.clean.right}/${s.clean.n}: ${misses}`);
});

test("diagnosis meets issue 10's 0.6-strength target in another export format (small matrix, Amazon SES)", {
  timeout: 900_000,
}, async () => {
  const { score: s, misses } = await judge(
    smallMatrix({ recipients: 3000, days: 70 }).specs.filter((s) => s.strength < 1),
    "ses",
  );
  assert.ok(s.partial.n >= 7, JSON.stringify(s));
  assert.ok(
    s.partial.right / s.partial.n >= TARGETS.partial,
    `injected cause first at 0.6 ${s.partial.right}/${s.partial.n}: ${misses}`,
  );
});
