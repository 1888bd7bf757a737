import { SEVERITIES as SEVERITY_MEANINGS, type Severity } from "../forensics/finding.ts";

export type { Severity };

/** Severities worst first: the closed vocabulary of `inspect` (src/forensics/finding.ts). */
export const SEVERITIES = Object.keys(SEVERITY_MEANINGS) as Severity[];

/** True when `severity` is `threshold` or worse. */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
