/**
 * The severity vocabulary every finding uses (inspect, audit, diagnose), worst first,
 * with its colour and the points a finding takes off a score.
 */
export const SEVERITIES = {
  critical: "Mail like this is rejected or junked by the major receivers",
  high: "A published requirement is broken or a filter already judged the message bad",
  medium: "A strong spam signal or a gap receivers weigh against you",
  low: "A weak signal or a best-practice gap",
  info: "Context worth knowing; costs no points",
} as const;
export type Severity = keyof typeof SEVERITIES;

/** Severities worst first. */
export const SEVERITY_ORDER = Object.keys(SEVERITIES) as Severity[];

export function isSeverity(value: string): value is Severity {
  return Object.hasOwn(SEVERITIES, value);
}

/** True when `severity` is `threshold` or worse. */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_ORDER.indexOf(severity) <= SEVERITY_ORDER.indexOf(threshold);
}

/** Sort order of findings: worst first, then by id. */
export function bySeverity(
  a: { severity: Severity; id: string },
  b: { severity: Severity; id: string },
): number {
  return SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id);
}

/** Points a finding of each severity takes off its area's 100 (the only weights in inspect). */
export const SEVERITY_POINTS: Record<Severity, number> = {
  critical: 40,
  high: 25,
  medium: 10,
  low: 4,
  info: 0,
};
