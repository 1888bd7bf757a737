import { parsePolicy, validateMx } from "mailauth/lib/mta-sts.js";
import {
  type AuditContext,
  describeFailure,
  parseTags,
  raise,
  type SectionResult,
  tagValue,
  txtStrings,
  withVersion,
} from "./context.ts";
import type { AuditFinding } from "./findings.ts";

export interface MtaStsSection {
  record: string | null;
  id: string | null;
  /** "skipped" unless online checks are on (the policy is fetched over HTTPS). */
  policy: {
    status: "skipped" | "fetched" | "failed";
    mode?: string;
    mx?: string[];
    maxAge?: number;
    error?: string;
    mxNotCovered?: string[];
  };
}

export interface TxtPolicySection {
  name: string;
  record: string | null;
  tags: Record<string, string>;
}

const STS_VERSION = /^v\s*=\s*STSv1\s*(;|$)/i;
const TLSRPT_VERSION = /^v\s*=\s*TLSRPTv1\s*(;|$)/i;
const BIMI_VERSION = /^v\s*=\s*BIMI1\s*(;|$)/i;

/** A TXT policy record at a fixed name: none, one (parsed), or a problem. */
async function oneRecord(ctx: AuditContext, name: string, version: RegExp) {
  const outcome = await txtStrings(ctx.resolver, name);
  if (outcome.kind === "failed")
    return { kind: "failed" as const, detail: `${name}: ${describeFailure(outcome)}` };
  const records = outcome.kind === "answer" ? withVersion(outcome.records, version) : [];
  return { kind: "records" as const, records };
}

export async function auditMtaSts(
  ctx: AuditContext,
  mxHosts: string[],
): Promise<SectionResult<MtaStsSection>> {
  const name = `_mta-sts.${ctx.domain}`;
  const section: MtaStsSection = { record: null, id: null, policy: { status: "skipped" } };
  const found = await oneRecord(ctx, name, STS_VERSION);
  if (found.kind === "failed")
    return {
      section,
      findings: [raise("MTA_STS_LOOKUP_FAILED", `could not look up ${found.detail}`)],
    };
  if (found.records.length === 0)
    return { section, findings: [raise("MTA_STS_MISSING", `${name}: no v=STSv1 record`)] };
  const findings: AuditFinding[] = [];
  section.record = found.records[0];
  section.id = tagValue(parseTags(found.records[0]), "id") ?? null;
  if (found.records.length > 1)
    findings.push(raise("MTA_STS_INVALID", `${name}: ${found.records.length} records (must be one)`));
  if (!section.id || !/^[a-z0-9]{1,32}$/i.test(section.id))
    findings.push(
      raise("MTA_STS_INVALID", `${name}: id must be 1-32 letters/digits, got "${section.id ?? ""}"`),
    );
  if (ctx.fetchPolicy) {
    section.policy = await fetchedPolicy(ctx, mxHosts);
    if (section.policy.status === "failed")
      findings.push(raise("MTA_STS_INVALID", `policy: ${section.policy.error}`));
    if (section.policy.mxNotCovered?.length) {
      findings.push(
        raise(
          "MTA_STS_INVALID",
          `MX ${section.policy.mxNotCovered.join(", ")} not covered by the policy's mx: lines`,
        ),
      );
    }
  }
  return { section, findings };
}

async function fetchedPolicy(ctx: AuditContext, mxHosts: string[]): Promise<MtaStsSection["policy"]> {
  const fetched = await ctx.fetchPolicy!(ctx.domain);
  if (!fetched.ok) return { status: "failed", error: fetched.error };
  try {
    const policy = parsePolicy(fetched.text);
    const mxNotCovered = mxHosts.filter((mx) => !validateMx(mx, policy).valid);
    return { status: "fetched", mode: policy.mode, mx: policy.mx, maxAge: policy.maxAge, mxNotCovered };
  } catch (error) {
    return { status: "failed", error: (error as Error).message };
  }
}

export async function auditTlsRpt(ctx: AuditContext): Promise<SectionResult<TxtPolicySection>> {
  const name = `_smtp._tls.${ctx.domain}`;
  return txtPolicy(ctx, name, TLSRPT_VERSION, "TLS_RPT", (tags) => {
    const rua = (tagValue(tags, "rua") ?? "")
      .split(",")
      .map((u) => u.trim())
      .filter(Boolean);
    if (rua.length === 0) return "no rua= reporting URI";
    const bad = rua.filter((uri) => !/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/i.test(uri));
    return bad.length > 0 ? `rua must be mailto: or https: URIs, got ${bad.join(", ")}` : null;
  });
}

export async function auditBimi(ctx: AuditContext): Promise<SectionResult<TxtPolicySection>> {
  const name = `default._bimi.${ctx.domain}`;
  return txtPolicy(ctx, name, BIMI_VERSION, "BIMI", (tags) => {
    const logo = tagValue(tags, "l");
    if (logo === undefined) return "no l= logo tag";
    if (logo !== "" && !/^https:\/\//i.test(logo)) return `l= must be an https: URL, got ${logo}`;
    const authority = tagValue(tags, "a");
    if (authority && !/^https:\/\//i.test(authority)) return `a= must be an https: URL, got ${authority}`;
    return null;
  });
}

async function txtPolicy(
  ctx: AuditContext,
  name: string,
  version: RegExp,
  prefix: "TLS_RPT" | "BIMI",
  problemOf: (tags: { tag: string; value: string }[]) => string | null,
): Promise<SectionResult<TxtPolicySection>> {
  const section: TxtPolicySection = { name, record: null, tags: {} };
  const found = await oneRecord(ctx, name, version);
  if (found.kind === "failed")
    return {
      section,
      findings: [raise(`${prefix}_LOOKUP_FAILED`, `could not look up ${found.detail}`)],
    };
  if (found.records.length === 0)
    return { section, findings: [raise(`${prefix}_MISSING`, `${name}: no record`)] };
  section.record = found.records[0];
  const tags = parseTags(found.records[0]);
  section.tags = Object.fromEntries(tags.map((t) => [t.tag, t.value]));
  const problems = [
    found.records.length > 1 ? `${found.records.length} records (must be one)` : null,
    problemOf(tags),
  ].filter((p): p is string => p !== null);
  return { section, findings: problems.map((problem) => raise(`${prefix}_INVALID`, `${name}: ${problem}`)) };
}
