import { bySeverity } from "../report/severity.ts";
import { auditBlocklists } from "./blocklist-section.ts";
import type { BlocklistReport } from "./blocklists.ts";
import type { AuditContext } from "./context.ts";
import { auditDkim, type DkimSection } from "./dkim.ts";
import { auditDmarc, type DmarcSection } from "./dmarc.ts";
import type { AuditFinding } from "./findings.ts";
import { auditMx, type MxSection } from "./mx.ts";
import {
  auditBimi,
  auditMtaSts,
  auditTlsRpt,
  type MtaStsSection,
  type TxtPolicySection,
} from "./policies.ts";
import { auditPtr, type PtrSection } from "./ptr.ts";
import { auditSpf, type SpfSection } from "./spf.ts";

export const AUDIT_SCHEMA_VERSION = 1;

/** The `audit --json` document. */
export interface AuditReport {
  schemaVersion: number;
  domain: string;
  ips: string[];
  resolver: string;
  findings: AuditFinding[];
  spf: SpfSection;
  dmarc: DmarcSection;
  dkim: DkimSection;
  mx: MxSection;
  ptr: PtrSection;
  mtaSts: MtaStsSection;
  tlsRpt: TxtPolicySection;
  bimi: TxtPolicySection;
  blocklists: BlocklistReport;
  dns: {
    questions: number;
    cached: number;
    failed: number;
    ms: number;
    /** Every question that could not be answered (timeout, SERVFAIL…): what "unknown" rests on. */
    failures: { name: string; type: string; reason: string; attempts: number }[];
  };
}

/** Run every section in parallel (the resolver bounds concurrent questions and caches shared ones). */
export async function runAudit(ctx: AuditContext): Promise<AuditReport> {
  const started = performance.now();
  const mxPromise = auditMx(ctx);
  const [spf, dmarc, dkim, mx, ptr, mtaSts, tlsRpt, bimi, blocklists] = await Promise.all([
    auditSpf(ctx),
    auditDmarc(ctx),
    auditDkim(ctx),
    mxPromise,
    auditPtr(ctx),
    mxPromise.then((result) =>
      auditMtaSts(
        ctx,
        result.section.hosts.map((host) => host.exchange),
      ),
    ),
    auditTlsRpt(ctx),
    auditBimi(ctx),
    auditBlocklists(ctx),
  ]);
  const findings = [spf, dmarc, dkim, mx, ptr, mtaSts, tlsRpt, bimi, blocklists]
    .flatMap((s) => s.findings)
    .sort(bySeverity);
  const log = ctx.resolver.log;
  const failures = log
    .filter((q) => q.outcome === "failed" && !q.fromCache)
    .map((q) => ({ name: q.name, type: q.type, reason: q.reason ?? "other", attempts: q.attempts }));
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    domain: ctx.domain,
    ips: ctx.ips,
    resolver: ctx.resolver.description,
    findings,
    spf: spf.section,
    dmarc: dmarc.section,
    dkim: dkim.section,
    mx: mx.section,
    ptr: ptr.section,
    mtaSts: mtaSts.section,
    tlsRpt: tlsRpt.section,
    bimi: bimi.section,
    blocklists: blocklists.section,
    dns: {
      questions: log.filter((q) => !q.fromCache).length,
      cached: log.filter((q) => q.fromCache).length,
      failed: failures.length,
      ms: Math.round(performance.now() - started),
      failures,
    },
  };
}
