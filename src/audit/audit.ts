import type { DnsOutcome, DnsResolver } from "../dns/types.ts";
import { bySeverity } from "../util/severity.ts";
import { auditBlocklists } from "./blocklist-section.ts";
import type { BlocklistReport, ProbeResult } from "./blocklists.ts";
import { type AuditContext, describeFailure, raise } from "./context.ts";
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
    /** The audited domain per the resolver (NS question asked first); "untrusted" when it denies names that must exist. */
    domain: "exists" | "nxdomain" | "unknown" | "untrusted";
    /** The first question timed out or could not be sent: the rest were not asked. */
    unreachable: boolean;
    questions: number;
    cached: number;
    failed: number;
    ms: number;
    /** Every question that could not be answered (timeout, SERVFAIL…): what "unknown" rests on. */
    failures: { name: string; type: string; reason: string; attempts: number }[];
  };
}

/**
 * Ask first whether the domain exists (NS): a resolver that does not answer fails the audit fast instead
 * of timing out every question; then run every section in parallel (the resolver bounds concurrent
 * questions and caches shared ones); last, believe "does not exist" only if the resolver answers names
 * that must exist (the blocklists' RFC 5782 test points).
 */
export async function runAudit(given: AuditContext): Promise<AuditReport> {
  const started = performance.now();
  const first = await given.resolver.lookup(given.domain, "NS");
  const unreachable = first.kind === "failed" && (first.reason === "timeout" || first.reason === "network");
  const ctx = unreachable ? { ...given, resolver: failingFast(given.resolver, first) } : given;
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
  const domain = domainStatus(first, blocklists.section.probes);
  const findings = trustedFindings(
    [spf, dmarc, dkim, mx, ptr, mtaSts, tlsRpt, bimi, blocklists].flatMap((s) => s.findings),
    { domain, unreachable, name: ctx.domain, resolver: ctx.resolver.description, first },
  ).sort(bySeverity);
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
      domain,
      unreachable,
      questions: log.filter((q) => !q.fromCache).length,
      cached: log.filter((q) => q.fromCache).length,
      failed: failures.length,
      ms: Math.round(performance.now() - started),
      failures,
    },
  };
}

/** A resolver that gives every question the first one's failure at once (the server does not answer). */
function failingFast(resolver: DnsResolver, outcome: DnsOutcome): DnsResolver {
  return {
    log: resolver.log,
    description: resolver.description,
    lookup: () => Promise.resolve(outcome as never),
  };
}

function domainStatus(first: DnsOutcome, probes: ProbeResult[]): AuditReport["dns"]["domain"] {
  if (first.kind !== "none") return first.kind === "answer" ? "exists" : "unknown";
  if (first.reason === "nodata") return "exists";
  const provenHonest = probes.length === 0 || probes.some((probe) => probe.positive === "answered");
  return provenHonest ? "nxdomain" : "untrusted";
}

/** Findings about the domain's own records mean nothing when it does not exist or the resolver lies. */
const DOMAIN_RECORD_SECTIONS = new Set(["spf", "dmarc", "dkim", "mx", "mtaSts", "tlsRpt", "bimi"]);

function trustedFindings(
  findings: AuditFinding[],
  dns: {
    domain: AuditReport["dns"]["domain"];
    unreachable: boolean;
    name: string;
    resolver: string;
    first: DnsOutcome;
  },
): AuditFinding[] {
  if (dns.unreachable) {
    const why = dns.first.kind === "failed" ? describeFailure(dns.first) : "";
    return [raise("DNS_RESOLVER_UNREACHABLE", `${dns.resolver}: NS ${dns.name}: ${why}`)];
  }
  if (dns.domain === "untrusted") {
    const kept = findings.filter((f) => f.section === "ptr" || f.id === "BLOCKLIST_IP_LISTED");
    return [
      raise(
        "DNS_ANSWERS_UNTRUSTED",
        `${dns.resolver} answers NXDOMAIN for ${dns.name} and for every blocklist's RFC 5782 test point (which must exist)`,
      ),
      ...kept.filter((f) => !f.id.endsWith("_MISSING")),
    ];
  }
  if (dns.domain === "nxdomain") {
    const kept = findings.filter(
      (f) => !DOMAIN_RECORD_SECTIONS.has(f.section) && f.id !== "BLOCKLIST_DOMAIN_LISTED",
    );
    return [raise("DOMAIN_NOT_FOUND", `${dns.name}: NXDOMAIN from ${dns.resolver}`), ...kept];
  }
  return findings;
}
