/**
 * The holdout generator's entry: `generate(spec, dir)` simulates one program and writes its export, its
 * messages (one .eml per campaign) and a truth.json. Run as a script to write one program:
 *
 *   npx node testkit/holdout/index.ts --cause content --strength 0.6 --seed 3 --format ses --out /tmp/p
 *
 * then `deliverlens ingest --db /tmp/p/store.duckdb /tmp/p/events` and
 * `deliverlens diagnose --db /tmp/p/store.duckdb --messages /tmp/p/messages --offline`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeMessages } from "./messages.ts";
import {
  CAUSES,
  FORMATS,
  type Format,
  type Program,
  type ProgramSpec,
  SHAPES,
  type Shape,
  simulate,
  type Truth,
} from "./program.ts";
import { writeExport } from "./writers.ts";

export type { Cause, Format, Program, ProgramSpec, Shape, Truth } from "./program.ts";
export { CAUSES, FORMATS, programName, SHAPES } from "./program.ts";

export interface Generated {
  program: Program;
  dir: string;
  files: string[];
  messagesDir: string;
  egressCsv: string;
}

export function generate(spec: ProgramSpec, dir: string): Generated {
  const program = simulate(spec);
  mkdirSync(dir, { recursive: true });
  const { files, egressCsv } = writeExport(program, spec.format, join(dir, "events"));
  const messagesDir = writeMessages(program, join(dir, "messages"));
  writeFileSync(join(dir, "truth.json"), `${JSON.stringify(summary(program), null, 2)}\n`);
  return { program, dir, files, messagesDir, egressCsv };
}

/** What a reader of a miss needs: the spec, the truth and the program's size. */
export function summary(program: Program): Record<string, unknown> {
  const policy = program.events.filter((e) => e.type === "bounced" && e.bounce === "policy");
  const applePolicy = policy.filter((e) => program.messages[e.message].provider === "apple").length;
  return {
    name: program.name,
    spec: program.spec,
    truth: program.truth,
    shape: program.shape,
    start: new Date(program.start).toISOString().slice(0, 10),
    days: program.days,
    recipients: program.recipients,
    messages: program.messages.length,
    appleMessages: program.messages.filter((m) => m.provider === "apple").length,
    events: program.events.length,
    policyBounces: policy.length,
    applePolicyBounces: applePolicy,
    ips: program.ips,
    campaigns: program.campaigns.length,
  };
}

/** The matrix the bench runs: every cause at each strength plus clean programs, per format and seed. */
export function matrix(opts: {
  seeds: number[];
  formats: Format[];
  strengths: number[];
  causes?: Truth[];
}): ProgramSpec[] {
  const out: ProgramSpec[] = [];
  const causes = opts.causes ?? [...CAUSES, "clean"];
  for (const seed of opts.seeds)
    for (const format of opts.formats)
      for (const cause of causes) {
        if (cause === "clean") out.push({ cause, strength: 1, seed, format });
        else for (const strength of opts.strengths) out.push({ cause, strength, seed, format });
      }
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      cause: { type: "string", default: "content" },
      strength: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      format: { type: "string", default: "sendgrid" },
      shape: { type: "string" },
      out: { type: "string" },
    },
  });
  const cause = values.cause as Truth;
  if (cause !== "clean" && !(CAUSES as readonly string[]).includes(cause))
    throw new Error(`unknown cause ${cause}`);
  const format = values.format as Format;
  if (!(FORMATS as readonly string[]).includes(format)) throw new Error(`unknown format ${format}`);
  const shape = values.shape as Shape | undefined;
  if (shape && !(SHAPES as readonly string[]).includes(shape)) throw new Error(`unknown shape ${shape}`);
  const spec: ProgramSpec = {
    cause,
    strength: Number(values.strength),
    seed: Number(values.seed),
    format,
    shape,
  };
  const dir = values.out ?? join("/tmp", `holdout-${cause}-${values.strength}-${format}-${values.seed}`);
  const g = generate(spec, dir);
  process.stdout.write(`${JSON.stringify(summary(g.program), null, 2)}\n${dir}\n`);
}
