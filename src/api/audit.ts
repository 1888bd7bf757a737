/**
 * `deliverlens/audit`: a sending domain's and its IPs' DNS authentication (SPF, DKIM, DMARC), MX, PTR,
 * MTA-STS, TLS-RPT, BIMI and blocklist status, never confusing "could not ask" with "listed". Functions
 * and types only.
 */

export type { AuditReport } from "../audit/audit.ts";
export { type AuditDomainOptions, auditDomain } from "../audit/audit-domain.ts";
export type { AuditFinding } from "../audit/findings.ts";
export type { Severity } from "../util/severity.ts";
