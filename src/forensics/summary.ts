import { atOrAbove } from "../util/severity.ts";
import { AREAS, type Area, type Finding } from "./finding.ts";
import type { AreaScore } from "./score.ts";

/** One paragraph: the worst findings first, then the weakest areas, then what was not checked. */
export function summarize(findings: Finding[], scores: Record<Area, AreaScore>, offline: boolean): string {
  const serious = findings.filter((f) => atOrAbove(f.severity, "high"));
  const areas = (Object.keys(AREAS) as Area[]).map((area) => `${area} ${scores[area].score}`).join(", ");
  const parts: string[] = [];
  if (serious.length === 0) {
    parts.push(
      findings.some((f) => f.severity !== "info") ? "No critical or high findings." : "Nothing wrong found.",
    );
  } else {
    const top = serious.slice(0, 3).map((f) => `${f.title} (${f.id})`);
    const more = serious.length > 3 ? ` and ${serious.length - 3} more` : "";
    parts.push(
      `${serious.length} serious finding${serious.length === 1 ? "" : "s"}: ${top.join("; ")}${more}.`,
    );
    const first = serious[0];
    parts.push(`Fix first: ${first.fix}`);
  }
  parts.push(`Scores (100 = nothing wrong): ${areas}.`);
  if (offline)
    parts.push("Offline: DKIM/SPF/DMARC/ARC verification, PTR and link blocklists were not checked.");
  return parts.join(" ");
}
