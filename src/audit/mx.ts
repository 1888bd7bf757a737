import { hostAddresses } from "../dns/addresses.ts";
import type { MxRecord } from "../dns/types.ts";
import { type AuditContext, describeFailure, raise, type SectionResult } from "./context.ts";
import type { AuditFinding } from "./findings.ts";

export interface MxHost extends MxRecord {
  addresses: string[] | null;
}

export interface MxSection {
  hosts: MxHost[];
  /** RFC 7505: a single MX "." with preference 0. */
  nullMx: boolean;
}

export async function auditMx(ctx: AuditContext): Promise<SectionResult<MxSection>> {
  const outcome = await ctx.resolver.lookup(ctx.domain, "MX");
  if (outcome.kind === "failed") {
    return {
      section: { hosts: [], nullMx: false },
      findings: [raise("MX_LOOKUP_FAILED", `${ctx.domain}: ${describeFailure(outcome)}`)],
    };
  }
  if (outcome.kind === "none") {
    return {
      section: { hosts: [], nullMx: false },
      findings: [raise("MX_MISSING", `${ctx.domain}: ${outcome.reason}`)],
    };
  }
  const nullMx = outcome.records.length === 1 && outcome.records[0].exchange === "";
  if (nullMx)
    return { section: { hosts: [], nullMx }, findings: [raise("MX_NULL", `${ctx.domain} MX 0 "."`)] };
  const sorted = [...outcome.records].sort((a, b) => a.priority - b.priority);
  const hosts = await Promise.all(
    sorted.map(
      async (mx): Promise<MxHost> => ({
        ...mx,
        addresses: await hostAddresses(ctx.resolver, mx.exchange),
      }),
    ),
  );
  const findings: AuditFinding[] = hosts
    .filter((host) => host.addresses?.length === 0)
    .map((host) => raise("MX_TARGET_UNRESOLVABLE", `MX ${host.priority} ${host.exchange}: no A/AAAA record`));
  return { section: { hosts, nullMx }, findings };
}
