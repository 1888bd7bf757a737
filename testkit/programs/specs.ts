/** The lists of programs the suite runs: the full grid (bench), the hard cases, a small matrix (tests). */
import { VARIANTS } from "./causes.ts";
import { CAUSES, type ProgramShape, type ProgramSpec } from "./model.ts";
import type { ExportFormat } from "./writers/index.ts";

export const STRENGTHS = [1, 0.6] as const;

/**
 * Every cause at full and 0.6 strength with `seeds` seeds each (seed i uses the cause's mechanism
 * i mod n, so the seeds cycle through the variants), clean programs twice as many, and the hard cases:
 * weak signals (20–35 injected policy bounces) for every cause — once per program shape (default weekly).
 */
export function gridSpecs(
  seeds: number,
  options: { firstSeed?: number; weak?: boolean; shapes?: readonly ProgramShape[] } = {},
): ProgramSpec[] {
  const shapes = options.shapes ?? ["weekly"];
  return shapes.flatMap((shape) =>
    gridOf(seeds, options).map((spec) => (shape === "weekly" ? spec : { ...spec, shape })),
  );
}

function gridOf(seeds: number, options: { firstSeed?: number; weak?: boolean }): ProgramSpec[] {
  const first = options.firstSeed ?? 1;
  const specs: ProgramSpec[] = [];
  for (let i = 0; i < seeds; i++) {
    const seed = first + i;
    for (const cause of CAUSES)
      for (const strength of STRENGTHS)
        specs.push({
          seed,
          cause,
          strength,
          variant: VARIANTS[cause][(i + (strength === 1 ? 0 : 1)) % VARIANTS[cause].length],
        });
    for (const k of [0, 1])
      specs.push({
        seed: seed + 1000 * k,
        cause: "clean",
        strength: 1,
        variant: VARIANTS.clean[(i + k) % 2],
      });
  }
  if (options.weak !== false)
    for (const cause of CAUSES) specs.push({ seed: first + 500, cause, strength: 1, weak: true });
  return specs;
}

/**
 * The small matrix for a threshold test: one seed × every cause × both strengths, two clean programs,
 * in two export formats.
 */
export function smallMatrix(options: { seed?: number; recipients?: number; days?: number } = {}): {
  specs: ProgramSpec[];
  formats: ExportFormat[];
} {
  const size = { recipients: options.recipients, days: options.days };
  const specs = gridSpecs(1, { weak: false, firstSeed: options.seed }).map((spec) => ({ ...spec, ...size }));
  return { specs, formats: ["sendgrid", "ses"] };
}
