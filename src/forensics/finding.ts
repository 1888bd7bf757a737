import type { Color } from "../report/terminal.ts";

/** The shape of every inspect finding, the closed vocabularies it uses, and the one scoring table. */

export const SEVERITIES = {
  critical: "Mail like this is rejected or junked by the major receivers",
  high: "A published requirement is broken or a filter already judged the message bad",
  medium: "A strong spam signal or a gap receivers weigh against you",
  low: "A weak signal or a best-practice gap",
  info: "Context worth knowing; costs no points",
} as const;
export type Severity = keyof typeof SEVERITIES;

export const AREAS = {
  headers: "Transport and filter headers, RFC 5322 hygiene",
  auth: "DKIM, SPF, DMARC alignment and ARC",
  requirements: "Apple, Gmail, Yahoo and Microsoft bulk-sender requirements",
  content: "Links, images, HTML, wording and attachments of the body",
  links: "Reputation of the link domains on domain blocklists",
} as const;
export type Area = keyof typeof AREAS;

/** Terminal colour of each severity (inspect and audit share it). */
export const SEVERITY_COLOR: Record<Severity, Color> = {
  critical: "red",
  high: "red",
  medium: "yellow",
  low: "cyan",
  info: "gray",
};

/** Points a finding of each severity takes off its area's 100. The only weights in inspect. */
export const SEVERITY_POINTS: Record<Severity, number> = {
  critical: 40,
  high: 25,
  medium: 10,
  low: 4,
  info: 0,
};

export interface Finding {
  /** Stable UPPER_SNAKE id (see src/forensics/catalog.ts and docs/INSPECT.md). */
  id: string;
  area: Area;
  severity: Severity;
  title: string;
  /** What in this message triggered it (may contain message text: escape before display). */
  evidence: string;
  fix: string;
}

const ORDER: Severity[] = ["critical", "high", "medium", "low", "info"];

export function bySeverity(a: Finding, b: Finding): number {
  return ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || a.id.localeCompare(b.id);
}
