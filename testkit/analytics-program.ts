import {
  type Injection,
  type Layout,
  planProgram,
  programOptions,
  writeProgramFiles,
} from "../src/demo/index.ts";
import { scratchDir } from "./scratch.ts";

/** The small program the analytics tests share: known spike day, known content week. */
export const SMALL = {
  days: 63,
  recipients: 2500,
  seed: 7,
  spikeDay: 44,
  contentWeek: 5,
  start: "2026-03-02",
};

export const SMALL_INJECTIONS: Injection[] = [
  { kind: "volume-spike", day: SMALL.spikeDay, policyRate: 0.1, days: 1 },
  { kind: "content", week: SMALL.contentWeek, policyRate: 0.08 },
];

export function dayOf(n: number): string {
  return new Date(Date.parse(`${SMALL.start}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Writes the small program to a fresh temp dir in the given layout. */
export async function writeSmallProgram(layout: Layout = "by-stream", overrides: Partial<typeof SMALL> = {}) {
  const dir = scratchDir("deliverlens-analytics-");
  const o = { ...SMALL, ...overrides };
  const program = planProgram(
    programOptions({
      days: o.days,
      recipients: o.recipients,
      seed: o.seed,
      start: o.start,
      injections: SMALL_INJECTIONS,
    }),
  );
  const written = await writeProgramFiles(program, dir, layout);
  return { dir, program, ...written };
}
