import type { Severity } from "../util/severity.ts";
import { AUTH_FINDINGS } from "./catalog/auth.ts";
import { CONTENT_FINDINGS } from "./catalog/content.ts";
import { HEADER_FINDINGS } from "./catalog/headers.ts";
import type { FindingKind } from "./catalog/kind.ts";
import { LINK_FINDINGS } from "./catalog/links.ts";
import type { Finding } from "./finding.ts";

export type { FindingKind } from "./catalog/kind.ts";

/** Ordered catalog of every finding inspect can report. Ids are stable: never rename one. */
export const FINDING_KINDS: readonly FindingKind[] = [
  ...HEADER_FINDINGS,
  ...AUTH_FINDINGS,
  ...CONTENT_FINDINGS,
  ...LINK_FINDINGS,
];

const BY_ID = new Map(FINDING_KINDS.map((kind) => [kind.id, kind]));

/** A finding of a catalogued kind with this message's evidence. Throws on an unknown id (a bug). */
export function finding(id: string, evidence: string, severity?: Severity): Finding {
  const kind = BY_ID.get(id);
  if (!kind) throw new Error(`unknown finding id ${id}`);
  return {
    id,
    area: kind.area,
    severity: severity ?? kind.severity,
    title: kind.title,
    evidence,
    fix: kind.fix,
  };
}
