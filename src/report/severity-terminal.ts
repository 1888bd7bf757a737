import type { Severity } from "../util/severity.ts";
import { paint } from "./terminal.ts";

const SEVERITY_COLOR = {
  critical: "red",
  high: "red",
  medium: "yellow",
  low: "cyan",
  info: "gray",
} as const satisfies Record<Severity, string>;

/** `text` in the severity's colour (on a TTY). */
export function paintSeverity(text: string, severity: Severity): string {
  return paint(text, SEVERITY_COLOR[severity]);
}

/** "HIGH    ": the upper-case label, padded to align finding lines, in the severity's colour. */
export function severityLabel(severity: Severity): string {
  return paintSeverity(severity.toUpperCase().padEnd(8), severity);
}
