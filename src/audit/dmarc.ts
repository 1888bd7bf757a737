import getDmarcRecord from "mailauth/lib/dmarc/get-dmarc-record.js";
import { getDomain } from "tldts";
import { toMailauthResolver } from "../dns/mailauth-adapter.ts";
import type { DnsOutcome } from "../dns/types.ts";
import {
  type AuditContext,
  describeFailure,
  parseTags,
  raise,
  type SectionResult,
  txtStrings,
  withVersion,
} from "./context.ts";
import type { AuditFinding } from "./findings.ts";

const DMARC_VERSION = /^v\s*=\s*DMARC1\s*(;|$)/i;
const POLICIES = ["none", "quarantine", "reject"] as const;
/** A comma-separated list of URIs with a scheme (a bare address is not a DMARC URI). */
const URI_LIST = /^[a-z][a-z0-9+.-]*:[^,\s]+(\s*,\s*[a-z][a-z0-9+.-]*:[^,\s]+)*$/i;

/** Each tag of both generations (RFC 7489 and RFC 9989) with its valid values. */
const TAG_RULES: { tag: string; valid: RegExp; generation: string }[] = [
  { tag: "v", valid: /^DMARC1$/, generation: "both" },
  { tag: "p", valid: /^(none|quarantine|reject)$/i, generation: "both" },
  { tag: "sp", valid: /^(none|quarantine|reject)$/i, generation: "both" },
  { tag: "np", valid: /^(none|quarantine|reject)$/i, generation: "RFC 9989" },
  { tag: "adkim", valid: /^[rs]$/i, generation: "both" },
  { tag: "aspf", valid: /^[rs]$/i, generation: "both" },
  { tag: "pct", valid: /^(100|[1-9]?\d)$/, generation: "RFC 7489 (removed in RFC 9989)" },
  { tag: "t", valid: /^[yn]$/i, generation: "RFC 9989" },
  { tag: "psd", valid: /^[ynu]$/i, generation: "RFC 9989" },
  { tag: "rua", valid: URI_LIST, generation: "both" },
  { tag: "ruf", valid: URI_LIST, generation: "both" },
  { tag: "fo", valid: /^[01ds](:[01ds])*$/i, generation: "both" },
  { tag: "rf", valid: /^afrf$/i, generation: "RFC 7489 (removed in RFC 9989)" },
  { tag: "ri", valid: /^\d+$/, generation: "RFC 7489 (removed in RFC 9989)" },
];

export interface ReportDestination {
  uri: string;
  kind: "rua" | "ruf";
  domain: string | null;
  external: boolean;
  /** For external destinations: whether <domain>._report._dmarc.<dest> authorizes them; null if it could not be asked. */
  authorized: boolean | null;
}

export interface DmarcSection {
  domain: string;
  record: string | null;
  recordDomain: string | null;
  inherited: boolean;
  /** Organizational domain by the RFC 9989 DNS tree walk (what mailauth and receivers on DMARCbis use). */
  orgDomain: string | null;
  /** Organizational domain by RFC 7489's Public Suffix List lookup (tldts). */
  pslOrgDomain: string | null;
  tags: Record<string, string>;
  /** Which DMARC generation defines each tag present (RFC 7489, RFC 9989 or both); "unknown" otherwise. */
  generations: Record<string, string>;
  destinations: ReportDestination[];
}

export async function auditDmarc(ctx: AuditContext): Promise<SectionResult<DmarcSection>> {
  const { domain, resolver } = ctx;
  const section: DmarcSection = {
    domain,
    record: null,
    recordDomain: null,
    inherited: false,
    orgDomain: null,
    pslOrgDomain: getDomain(domain) ?? null,
    tags: {},
    generations: {},
    destinations: [],
  };
  const own = await txtStrings(resolver, `_dmarc.${domain}`);
  if (own.kind === "failed")
    return { section, findings: [raise("DMARC_LOOKUP_FAILED", `_dmarc.${domain}: ${describeFailure(own)}`)] };
  const ownRecords = own.kind === "answer" ? withVersion(own.records, DMARC_VERSION) : [];
  if (ownRecords.length > 1) {
    section.record = ownRecords.join(" | ");
    return {
      section,
      findings: [raise("DMARC_MULTIPLE_RECORDS", ownRecords.map((r) => `"${r}"`).join(" and "))],
    };
  }
  let found: Awaited<ReturnType<typeof getDmarcRecord>>;
  try {
    found = await getDmarcRecord(domain, toMailauthResolver(resolver));
  } catch (error) {
    return {
      section,
      findings: [raise("DMARC_LOOKUP_FAILED", `tree walk from ${domain}: ${(error as Error).message}`)],
    };
  }
  if (!found)
    return {
      section,
      findings: [
        raise(
          "DMARC_MISSING",
          `no v=DMARC1 record at _dmarc.${domain} or any parent (RFC 9989 tree walk)${misplaced(own)}`,
        ),
      ],
    };
  section.record = found.rr;
  section.recordDomain = found.recordDomain;
  section.inherited = found.recordDomain !== domain;
  section.orgDomain = found.orgDomain;
  const tags = parseTags(found.rr);
  section.tags = Object.fromEntries(tags.map((t) => [t.tag, t.value]));
  section.generations = Object.fromEntries(
    tags.map((t) => [t.tag, TAG_RULES.find((rule) => rule.tag === t.tag)?.generation ?? "unknown"]),
  );
  section.destinations = await reportDestinations(ctx, found.recordDomain, section.tags);
  return { section, findings: dmarcFindings(section, tags) };
}

function dmarcFindings(section: DmarcSection, tags: { tag: string; value: string }[]): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const t = section.tags;
  const where = `_dmarc.${section.recordDomain}: "${section.record}"`;
  if (section.inherited)
    findings.push(raise("DMARC_INHERITED", `no record at _dmarc.${section.domain}; applies ${where}`));
  if (section.pslOrgDomain && section.orgDomain && section.pslOrgDomain !== section.orgDomain) {
    findings.push(
      raise(
        "DMARC_ORG_DOMAIN_DIFFERS",
        `tree walk (RFC 9989): ${section.orgDomain}; Public Suffix List (RFC 7489): ${section.pslOrgDomain}`,
      ),
    );
  }
  for (const { tag, value } of tags) {
    const rule = TAG_RULES.find((r) => r.tag === tag);
    if (!rule) findings.push(raise("DMARC_UNKNOWN_TAG", `unknown tag "${tag}=${value}" in ${where}`));
    else if (!rule.valid.test(value))
      findings.push(raise("DMARC_UNKNOWN_TAG", `invalid value "${tag}=${value}" in ${where}`));
  }
  const p = t.p?.toLowerCase();
  if (!POLICIES.includes(p as never)) {
    findings.push(raise("DMARC_INVALID_POLICY", `p=${t.p ?? "(missing)"} in ${where}`));
  } else {
    if (p === "none") findings.push(raise("DMARC_POLICY_NONE", where));
    for (const sub of ["sp", "np"] as const) {
      const value = t[sub]?.toLowerCase();
      if (
        value &&
        POLICIES.indexOf(value as never) >= 0 &&
        POLICIES.indexOf(value as never) < POLICIES.indexOf(p as never)
      ) {
        findings.push(raise("DMARC_SUBDOMAIN_POLICY_WEAKER", `p=${p} but ${sub}=${value}`));
      }
    }
  }
  if (!t.rua) findings.push(raise("DMARC_NO_RUA", where));
  const partial = [
    t.pct !== undefined && t.pct !== "100"
      ? `pct=${t.pct} (RFC 7489 only: RFC 9989 receivers ignore pct and read t=)`
      : "",
    t.t?.toLowerCase() === "y"
      ? "t=y (RFC 9989 testing mode: quarantine/reject is applied one step weaker)"
      : "",
  ].filter(Boolean);
  if (partial.length > 0 && p !== "none")
    findings.push(raise("DMARC_PARTIAL_ENFORCEMENT", `${partial.join(", ")} in ${where}`));
  for (const destination of section.destinations) {
    if (destination.external && destination.authorized === false) {
      findings.push(
        raise(
          "DMARC_EXTERNAL_REPORTS_UNAUTHORIZED",
          `${destination.kind}=${destination.uri}: no v=DMARC1 at ${section.recordDomain}._report._dmarc.${destination.domain}`,
        ),
      );
    }
  }
  return findings;
}

/** External report destinations must authorize the domain (RFC 9989 / RFC 7489 §7.1). */
async function reportDestinations(
  ctx: AuditContext,
  recordDomain: string,
  tags: Record<string, string>,
): Promise<ReportDestination[]> {
  const uris = (["rua", "ruf"] as const).flatMap((kind) =>
    (tags[kind] ?? "")
      .split(",")
      .map((uri) => uri.trim())
      .filter(Boolean)
      .map((uri) => ({ kind, uri })),
  );
  const ownOrg = getDomain(recordDomain) ?? recordDomain;
  return Promise.all(
    uris.map(async ({ kind, uri }): Promise<ReportDestination> => {
      const domain = /^mailto:[^@]*@([^!?]+)/i.exec(uri)?.[1]?.toLowerCase() ?? null;
      const external = domain !== null && (getDomain(domain) ?? domain) !== ownOrg;
      if (!external) return { uri, kind, domain, external, authorized: null };
      const answer = await txtStrings(ctx.resolver, `${recordDomain}._report._dmarc.${domain}`);
      const authorized =
        answer.kind === "failed"
          ? null
          : answer.kind === "answer" && withVersion(answer.records, DMARC_VERSION).length > 0;
      return { uri, kind, domain, external, authorized };
    }),
  );
}

/** A TXT at _dmarc that mentions DMARC1 but does not start with v=DMARC1 is ignored by receivers: say so. */
function misplaced(own: DnsOutcome<string>): string {
  const near = own.kind === "answer" ? own.records.filter((r) => /dmarc1/i.test(r)) : [];
  return near.length > 0 ? `; ignored because v=DMARC1 must come first: "${near[0]}"` : "";
}
