import type { Severity } from "../../util/severity.ts";
import type { Area } from "../finding.ts";

/** One kind of finding: fixed id, area, severity, title and fix; the evidence comes from the message. */
export interface FindingKind {
  id: string;
  area: Area;
  severity: Severity;
  title: string;
  fix: string;
  source: string;
}
