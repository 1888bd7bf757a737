import type { QuarantineReport } from "../analytics/quarantine.ts";
import { paint, escapeTerminal as safe } from "./terminal.ts";

const n = (value: number) => value.toLocaleString("en-US");

/** `deliverlens quarantine` for people: per file the reasons, then the first rows (mail-borne text escaped). */
export function renderQuarantine(report: QuarantineReport): string {
  if (report.total === 0) {
    const scope = report.file ? ` for ${safe(report.file)}` : "";
    return `No quarantined records${scope} in ${safe(report.store)}.\n`;
  }
  const lines = [paint(`${n(report.total)} quarantined records in ${safe(report.store)}`, "bold")];
  for (const file of report.files) {
    lines.push("", `${safe(file.path)}: ${n(file.rows)}`);
    for (const { reason, rows } of file.reasons) lines.push(`  ${n(rows).padStart(8)}  ${safe(reason)}`);
  }
  lines.push("", paint(`First ${n(report.rows.length)} rows`, "bold"));
  for (const row of report.rows) {
    lines.push(`${safe(row.path)}:${row.line ?? "?"}  ${safe(row.reason)}`);
    if (row.raw) lines.push(`  ${paint(safe(row.raw.slice(0, 300)), "dim")}`);
  }
  if (report.rows.length < report.total) lines.push(paint("(more with --limit N or --json)", "dim"));
  return `${lines.join("\n")}\n`;
}
