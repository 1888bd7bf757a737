import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";

/**
 * Exchange Online Protection headers (learn.microsoft.com/defender-office-365/message-headers-eop-mdo):
 * X-Forefront-Antispam-Report is `KEY:value;` pairs; SCL -1 bypass, 0–1 not spam, 5–6 spam, 7–9 high
 * confidence spam; BCL 0–9 (bulk complaint level, default threshold 7); SFV the filtering verdict.
 */
export interface MicrosoftReport {
  fields: Record<string, string>;
  scl: number | null;
  bcl: number | null;
  sfv: string | null;
  /** X-MS-Exchange-Organization-SCL, when present (it can differ from the Forefront SCL). */
  organizationScl: number | null;
}

/** SFV values (same Microsoft page). */
const SFV_MEANINGS: Record<string, string> = {
  BLK: "blocked sender list",
  NSPM: "not spam",
  SFE: "safe sender list",
  SKA: "allowed by policy",
  SKB: "blocked by policy",
  SKI: "intra-organization",
  SKN: "marked non-spam before filtering",
  SKQ: "released from quarantine",
  SKS: "marked spam before filtering",
  SPM: "spam",
};

export function parseForefront(value: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of value.split(";")) {
    const colon = part.indexOf(":");
    if (colon <= 0) continue;
    fields[part.slice(0, colon).trim().toUpperCase()] = part.slice(colon + 1).trim();
  }
  return fields;
}

export function microsoftReport(
  forefront: string | null,
  organizationScl: string | null,
): MicrosoftReport | null {
  if (forefront === null && organizationScl === null) return null;
  const fields = forefront === null ? {} : parseForefront(forefront);
  return {
    fields,
    scl: toInt(fields.SCL),
    bcl: toInt(fields.BCL),
    sfv: fields.SFV ?? null,
    organizationScl: toInt(organizationScl ?? undefined),
  };
}

export function sfvMeaning(sfv: string): string | null {
  return SFV_MEANINGS[sfv.toUpperCase()] ?? null;
}

export function microsoftFindings(report: MicrosoftReport | null): Finding[] {
  if (!report) return [];
  const findings: Finding[] = [];
  const scl = Math.max(report.scl ?? -1, report.organizationScl ?? -1);
  if (scl >= 5 || report.sfv?.toUpperCase() === "SPM") {
    findings.push(
      finding("MICROSOFT_SPAM", `SCL=${scl < 0 ? "?" : scl}${report.sfv ? ` SFV=${report.sfv}` : ""}`),
    );
  }
  if (report.bcl !== null && report.bcl >= 7) findings.push(finding("MICROSOFT_BULK", `BCL=${report.bcl}`));
  return findings;
}

function toInt(value: string | undefined): number | null {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}
