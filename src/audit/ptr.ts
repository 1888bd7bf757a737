import { getDomain } from "tldts";
import { checkReverseDns } from "../dns/ptr.ts";
import { type AuditContext, describeFailure, raise, type SectionResult } from "./context.ts";
import type { AuditFinding } from "./findings.ts";

export interface PtrResult {
  ip: string;
  names: string[];
  /** Some PTR name resolves back to the IP (forward-confirmed reverse DNS). */
  forwardConfirmed: boolean;
  /** The PTR name's registrable domain (tldts) is the sending domain's. */
  relatedToDomain: boolean;
  error?: string;
}

export type PtrSection = PtrResult[];

export async function auditPtr(ctx: AuditContext): Promise<SectionResult<PtrSection>> {
  const results = await Promise.all(ctx.ips.map((ip) => checkIp(ctx, ip)));
  return { section: results.map((r) => r.result), findings: results.flatMap((r) => r.findings) };
}

async function checkIp(
  ctx: AuditContext,
  ip: string,
): Promise<{ result: PtrResult; findings: AuditFinding[] }> {
  const empty: PtrResult = { ip, names: [], forwardConfirmed: false, relatedToDomain: false };
  const reverse = await checkReverseDns(ctx.resolver, ip);
  switch (reverse.kind) {
    case "invalid":
      return { result: { ...empty, error: "not an IP address" }, findings: [] };
    case "failed": {
      const error = describeFailure(reverse.outcome);
      return {
        result: { ...empty, error },
        findings: [raise("PTR_LOOKUP_FAILED", `${ip} (${reverse.query}): ${error}`)],
      };
    }
    case "none":
      return {
        result: empty,
        findings: [raise("PTR_MISSING", `${ip}: ${reverse.query} ${reverse.reason}`)],
      };
  }
  const { names } = reverse;
  const ownDomain = getDomain(ctx.domain);
  const result: PtrResult = {
    ip,
    names,
    forwardConfirmed: reverse.confirmedBy !== null,
    relatedToDomain: names.some((name) => ownDomain !== null && getDomain(name) === ownDomain),
  };
  const findings: AuditFinding[] = [];
  if (!result.forwardConfirmed)
    findings.push(
      raise("PTR_NOT_FORWARD_CONFIRMED", `${ip} → ${names.join(", ")} → does not resolve back to ${ip}`),
    );
  if (!result.relatedToDomain)
    findings.push(
      raise("PTR_UNRELATED_TO_DOMAIN", `${ip} → ${names.join(", ")} (sending domain ${ctx.domain})`),
    );
  return { result, findings };
}
