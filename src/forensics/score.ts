import { SEVERITY_POINTS } from "../util/severity.ts";
import { AREAS, type Area, type Finding } from "./finding.ts";

/** An area's score: 100 minus the points of its findings (floored at 0); each deduction names its finding. */
export interface AreaScore {
  score: number;
  deductions: { id: string; severity: string; points: number }[];
}

export function scoreAreas(findings: Finding[]): Record<Area, AreaScore> {
  const scores = {} as Record<Area, AreaScore>;
  for (const area of Object.keys(AREAS) as Area[]) {
    let left = 100;
    const deductions: AreaScore["deductions"] = [];
    for (const item of findings.filter((f) => f.area === area)) {
      const points = Math.min(SEVERITY_POINTS[item.severity], left);
      if (points === 0) continue;
      left -= points;
      deductions.push({ id: item.id, severity: item.severity, points });
    }
    scores[area] = { score: left, deductions };
  }
  return scores;
}
