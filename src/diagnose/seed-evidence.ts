import type { SeedPlacementRow } from "../store/seeds.ts";
import type { Evidence } from "./types.ts";

/** Proofpoint's "suspect" band starts at 50 on its 0–100 scores (the inspect analysis' reading). */
const PROOFPOINT_SUSPECT = 50;

/**
 * Seed results as diagnose evidence for one provider. A campaign whose seeds there are mostly in Junk
 * with a Proofpoint score in the suspect band, while other tested campaigns are not, points at that
 * campaign's content; every tested campaign (two or more) mostly in Junk points at the sender's
 * reputation, not one message. Seeds are not engaged recipients: this is supporting evidence, not proof.
 */
export function seedEvidence(
  rows: SeedPlacementRow[],
  provider: string,
): { content: Evidence[]; reputation: Evidence[] } {
  const tests = rows.filter((row) => row.provider === provider && row.seeds - row.error > 0);
  const junky = (row: SeedPlacementRow) => row.junk / (row.seeds - row.error) >= 0.5;
  const name = (row: SeedPlacementRow) => `${row.campaign ?? row.testId} (${row.day})`;
  const content: Evidence[] = [];
  const reputation: Evidence[] = [];
  const clean = tests.filter((row) => !junky(row));
  for (const row of tests.filter(junky)) {
    if (row.proofpointMax === null || row.proofpointMax < PROOFPOINT_SUSPECT || clean.length === 0) continue;
    content.push({
      text: `Seed test ${name(row)}: ${row.junk} of ${row.seeds - row.error} seeds in Junk, Proofpoint score up to ${row.proofpointMax}${row.appleJunk > 0 ? `, Apple's verdict Junk on ${row.appleJunk}` : ""}; ${clean.length} other tested campaign(s) reached the inbox`,
      metric: "seed junk share",
      value: round4(row.junk / (row.seeds - row.error)),
    });
  }
  if (tests.length >= 2 && clean.length === 0) {
    const seeds = tests.reduce((sum, row) => sum + row.seeds - row.error, 0);
    const junk = tests.reduce((sum, row) => sum + row.junk, 0);
    reputation.push({
      text: `Every seed-tested campaign landed mostly in Junk (${tests.length} campaigns, ${junk} of ${seeds} seed copies): the sender's reputation, not one message`,
      metric: "seed junk share",
      value: round4(junk / seeds),
    });
  }
  return { content, reputation };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
