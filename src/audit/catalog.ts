import { AUTH_FINDINGS } from "./catalog-auth.ts";
import { INFRA_FINDINGS } from "./catalog-infra.ts";
import type { FindingKind } from "./findings.ts";

/** Every finding `audit` can raise, grouped by section. Ids are stable (docs/AUDIT.md lists them). */
export const AUDIT_CATALOG: readonly FindingKind[] = [...AUTH_FINDINGS, ...INFRA_FINDINGS];
