import ipaddr from "ipaddr.js";
import { getDomain } from "tldts";
import { reverseName } from "../dns/names.ts";
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
  const query = reverseName(ip);
  if (!query) return { result: { ...empty, error: "not an IP address" }, findings: [] };
  const ptr = await ctx.resolver.lookup(query, "PTR");
  if (ptr.kind === "failed") {
    const error = describeFailure(ptr);
    return {
      result: { ...empty, error },
      findings: [raise("PTR_LOOKUP_FAILED", `${ip} (${query}): ${error}`)],
    };
  }
  if (ptr.kind === "none")
    return { result: empty, findings: [raise("PTR_MISSING", `${ip}: ${query} ${ptr.reason}`)] };
  const names = ptr.records;
  const confirmed = await Promise.all(names.map((name) => resolvesTo(ctx, name, ip)));
  const ownDomain = getDomain(ctx.domain);
  const result: PtrResult = {
    ip,
    names,
    forwardConfirmed: confirmed.some(Boolean),
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

async function resolvesTo(ctx: AuditContext, name: string, ip: string): Promise<boolean> {
  const outcome = await ctx.resolver.lookup(name, ip.includes(":") ? "AAAA" : "A");
  if (outcome.kind !== "answer") return false;
  const wanted = ipaddr.parse(ip).toNormalizedString();
  return outcome.records.some(
    (address) => ipaddr.isValid(address) && ipaddr.parse(address).toNormalizedString() === wanted,
  );
}
