import type { DNSResolver } from "mailauth";
import { spf } from "mailauth/lib/spf/index.js";
import { toMailauthResolver } from "../dns/mailauth-adapter.ts";
import type { DnsResolver } from "../dns/types.ts";
import { type AuditContext, raise, type SectionResult } from "./context.ts";
import type { AuditFinding } from "./findings.ts";
import { matchIp, type SpfVerdict } from "./spf-match.ts";
import type { SpfQualifier } from "./spf-record.ts";
import { expandSpf, SPF_EXPANSION_LIMITS, type SpfNode, totalsOf } from "./spf-tree.ts";

export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LIMIT = 2;

export interface SpfIpResult {
  ip: string;
  /** What a receiver computes for MAIL FROM postmaster@<domain> (mailauth, macros included). */
  result: SpfVerdict;
  /** The mechanism that decided, through includes, from our own walk of the record. */
  matched: string[];
  unevaluated: string[];
}

export interface SpfSection {
  domain: string;
  records: string[];
  lookups: number;
  lookupLimit: number;
  /** Where the expansion stopped at SPF_EXPANSION_LIMITS (the real lookup count is higher), else null. */
  truncated: string | null;
  voidLookups: number;
  voidLimit: number;
  all: SpfQualifier | null;
  redirect: string | null;
  ips: SpfIpResult[];
  /** With --mail-from/--helo: the exact result per IP for that envelope. */
  envelope: {
    mailFrom: string;
    helo: string;
    results: { ip: string; result: string; comment: string }[];
  } | null;
}

export async function auditSpf(ctx: AuditContext): Promise<SectionResult<SpfSection>> {
  const root = await expandSpf(ctx.resolver, ctx.domain);
  const totals = totalsOf(root);
  const terms = root.parsed?.terms ?? [];
  const all = terms.find((t) => t.kind === "mechanism" && t.mechanism === "all");
  const redirect = terms.find((t) => t.kind === "modifier" && t.modifier === "redirect");
  const ips = await Promise.all(
    ctx.ips.map(async (ip) => {
      const walk = matchIp(root, ip);
      const exact = await receiverResult(
        ctx.resolver,
        `postmaster@${ctx.domain}`,
        ip,
        ctx.helo ?? ctx.domain,
      );
      return { ip, result: exact.result, matched: walk.path, unevaluated: walk.unevaluated };
    }),
  );
  const envelope =
    ctx.mailFrom && ctx.helo ? await envelopeResults(ctx.resolver, ctx.mailFrom, ctx.helo, ctx.ips) : null;
  const section: SpfSection = {
    domain: ctx.domain,
    records: root.records,
    // Past the expansion budget the real count is unknown: report one more than the budget (see `truncated`).
    lookups: totals.truncated
      ? Math.max(SPF_EXPANSION_LIMITS.terms + 1, SPF_LOOKUP_LIMIT + 1)
      : totals.lookups,
    lookupLimit: SPF_LOOKUP_LIMIT,
    truncated: totals.truncated,
    voidLookups: totals.voids,
    voidLimit: SPF_VOID_LIMIT,
    all: all?.kind === "mechanism" ? all.qualifier : null,
    redirect: redirect?.kind === "modifier" ? redirect.value : null,
    ips,
    envelope,
  };
  return { section, findings: spfFindings(root, section, totals) };
}

function spfFindings(
  root: SpfNode,
  section: SpfSection,
  totals: ReturnType<typeof totalsOf>,
): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (root.problem?.kind === "failed") return [raise("SPF_LOOKUP_FAILED", root.problem.detail)];
  if (root.problem?.kind === "missing")
    return [raise("SPF_MISSING", `${root.domain}: no TXT record starting with v=spf1`)];
  if (root.problem?.kind === "multiple") {
    findings.push(raise("SPF_MULTIPLE_RECORDS", section.records.map((r) => `"${r}"`).join(" and ")));
  }
  if (totals.syntaxErrors.length > 0)
    findings.push(raise("SPF_SYNTAX_ERROR", totals.syntaxErrors.join("; ")));
  if (totals.lookups > SPF_LOOKUP_LIMIT) {
    const count = totals.truncated
      ? `more than ${SPF_EXPANSION_LIMITS.terms} DNS-querying terms (expansion stopped there)`
      : `${totals.lookups} DNS-querying terms`;
    findings.push(
      raise(
        "SPF_TOO_MANY_LOOKUPS",
        `${count} across the record and its includes (limit ${SPF_LOOKUP_LIMIT})`,
      ),
    );
  }
  if (totals.voids > SPF_VOID_LIMIT) {
    findings.push(
      raise(
        "SPF_TOO_MANY_VOID_LOOKUPS",
        `${totals.voids} void lookups (limit ${SPF_VOID_LIMIT}): ${totals.voidNames.join(", ")}`,
      ),
    );
  }
  for (const loop of totals.loops) findings.push(raise("SPF_INCLUDE_LOOP", loop));
  for (const name of totals.missingIncludes)
    findings.push(raise("SPF_INCLUDE_MISSING", `${name} has no SPF record`));
  for (const failure of totals.failures) findings.push(raise("SPF_LOOKUP_FAILED", failure));
  if (totals.ptrTerms.length > 0) findings.push(raise("SPF_PTR_MECHANISM", totals.ptrTerms.join(", ")));
  const allFinding = { "+": "SPF_PASS_ALL", "?": "SPF_NEUTRAL_ALL", "~": "SPF_SOFTFAIL_ALL" } as const;
  if (section.all && section.all !== "-")
    findings.push(raise(allFinding[section.all], `record ends with ${section.all}all`));
  if (!section.all && !section.redirect) findings.push(raise("SPF_NO_ALL", `"${section.records[0]}"`));
  for (const ip of section.ips) {
    if (ip.result === "pass") continue;
    const how = ip.matched.length > 0 ? `matched ${ip.matched.join(" → ")}` : "no mechanism matched";
    const id = ip.result === "temperror" ? "SPF_LOOKUP_FAILED" : "SPF_IP_NOT_AUTHORIZED";
    findings.push(raise(id, `${ip.ip}: spf=${ip.result} for ${section.domain} (${how})`));
  }
  for (const result of section.envelope?.results ?? []) {
    if (result.result !== "pass") {
      findings.push(
        raise(
          "SPF_RESULT_NOT_PASS",
          `${result.ip} MAIL FROM ${section.envelope!.mailFrom}: spf=${result.result} (${result.comment})`,
        ),
      );
    }
  }
  return findings;
}

async function receiverResult(resolver: DnsResolver, sender: string, ip: string, helo: string) {
  const response = await spf({
    sender,
    ip,
    helo,
    mta: "deliverlens",
    resolver: toMailauthResolver(resolver) as DNSResolver,
    maxResolveCount: SPF_LOOKUP_LIMIT,
    maxVoidCount: SPF_VOID_LIMIT,
  });
  return { result: response.status.result as SpfVerdict, comment: String(response.status.comment ?? "") };
}

async function envelopeResults(resolver: DnsResolver, mailFrom: string, helo: string, ips: string[]) {
  const results = await Promise.all(
    ips.map(async (ip) => ({ ip, ...(await receiverResult(resolver, mailFrom, ip, helo)) })),
  );
  return { mailFrom, helo, results };
}
