import type { DnsOutcome, DnsResolver } from "../dns/types.ts";
import type { Severity } from "../util/severity.ts";
import type { BlocklistData } from "./blocklist-data.ts";
import { AUDIT_CATALOG } from "./catalog.ts";
import { type AuditFinding, makeFinding } from "./findings.ts";

/** Fetches an MTA-STS policy over HTTPS (only when online checks are on). */
export type PolicyFetcher = (
  domain: string,
) => Promise<{ ok: true; text: string } | { ok: false; error: string }>;

/** Everything a section check needs; the resolver and fetcher are injected, so checks never touch the world directly. */
export interface AuditContext {
  resolver: DnsResolver;
  domain: string;
  ips: string[];
  selectors: string[];
  mailFrom: string | null;
  helo: string | null;
  lists: BlocklistData;
  /** Null: MTA-STS policy fetch skipped (offline). */
  fetchPolicy: PolicyFetcher | null;
}

/** A context with no IPs, selectors, envelope or policy fetch unless given. */
export function auditContext(
  resolver: DnsResolver,
  domain: string,
  lists: BlocklistData,
  more: Partial<AuditContext> = {},
): AuditContext {
  return {
    resolver,
    domain,
    ips: [],
    selectors: [],
    mailFrom: null,
    helo: null,
    lists,
    fetchPolicy: null,
    ...more,
  };
}

/** A section's data plus the findings it raised. */
export interface SectionResult<T> {
  section: T;
  findings: AuditFinding[];
}

export function raise(
  id: string,
  evidence: string,
  override?: { severity?: Severity; fix?: string },
): AuditFinding {
  return makeFinding(AUDIT_CATALOG, id, evidence, override);
}

/** TXT records as whole strings (chunks joined), keeping the outcome kind. */
export async function txtStrings(resolver: DnsResolver, name: string): Promise<DnsOutcome<string>> {
  const outcome = await resolver.lookup(name, "TXT");
  return outcome.kind === "answer"
    ? { kind: "answer", records: outcome.records.map((chunks) => chunks.join("")) }
    : outcome;
}

/** Records starting with a version tag such as "v=spf1" or "v=DMARC1" (tag-value records). */
export function withVersion(records: string[], version: RegExp): string[] {
  return records.filter((record) => version.test(record.trim()));
}

/** "timeout: no UDP reply…" for evidence. */
export function describeFailure(outcome: Extract<DnsOutcome, { kind: "failed" }>): string {
  return `${outcome.reason} (${outcome.detail})`;
}

/** Parse a tag=value; list (DMARC, DKIM, MTA-STS, TLS-RPT, BIMI) into ordered pairs; duplicates kept. */
export function parseTags(record: string): { tag: string; value: string }[] {
  return record
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0
        ? { tag: part.toLowerCase(), value: "" }
        : { tag: part.slice(0, eq).trim().toLowerCase(), value: part.slice(eq + 1).trim() };
    });
}

export function tagValue(tags: { tag: string; value: string }[], tag: string): string | undefined {
  return tags.find((t) => t.tag === tag)?.value;
}
