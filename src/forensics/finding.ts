import type { Severity } from "../util/severity.ts";

/** The shape of every inspect finding and its areas (severities: src/report/severity.ts). */

export const AREAS = {
  headers: "Transport and filter headers, RFC 5322 hygiene",
  auth: "DKIM, SPF, DMARC alignment and ARC",
  requirements: "Apple, Gmail, Yahoo and Microsoft bulk-sender requirements",
  content: "Links, images, HTML, wording and attachments of the body",
  links: "Reputation of the link domains on domain blocklists",
} as const;
export type Area = keyof typeof AREAS;

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
