import type { Severity } from "../util/severity.ts";

export const SECTIONS = {
  dns: "Whether the resolver answers, and whether its answers can be trusted",
  spf: "SPF record, lookup limits and which IPs it authorizes",
  dmarc: "DMARC policy discovery and tags",
  dkim: "DKIM public keys of the given and common selectors",
  mx: "MX records and null MX",
  ptr: "Reverse DNS and forward confirmation of each sending IP",
  mtaSts: "MTA-STS TXT record and policy",
  tlsRpt: "TLS reporting (TLS-RPT)",
  bimi: "BIMI record",
  blocklists: "DNS blocklists and reputation lists",
} as const;
export type Section = keyof typeof SECTIONS;

/** The catalog entry behind every audit finding: its id never changes, its default severity and fix. */
export interface FindingKind {
  id: string;
  section: Section;
  severity: Severity;
  title: string;
  fix: string;
  /** The standard or provider document the check rests on. */
  source: string;
}

export interface AuditFinding {
  id: string;
  section: Section;
  severity: Severity;
  title: string;
  /** What was seen (may contain DNS text: escape before display). */
  evidence: string;
  fix: string;
}

/** Make a finding from the catalog (src/audit/catalog.ts); a few kinds take their severity from data (blocklist codes). */
export function makeFinding(
  catalog: readonly FindingKind[],
  id: string,
  evidence: string,
  override: { severity?: Severity; fix?: string } = {},
): AuditFinding {
  const kind = catalog.find((entry) => entry.id === id);
  if (!kind) throw new Error(`unknown audit finding id ${id}`);
  return {
    id,
    section: kind.section,
    severity: override.severity ?? kind.severity,
    title: kind.title,
    evidence,
    fix: override.fix ?? kind.fix,
  };
}
