import type { BlocklistData } from "../audit/blocklist-data.ts";
import { checkBlocklists, type ListResult } from "../audit/blocklists.ts";
import type { DnsResolver } from "../dns/types.ts";
import { finding } from "./catalog.ts";
import type { Finding } from "./finding.ts";

/** Reputation of each registrable link domain on the domain lists (Spamhaus DBL, SURBL, URIBL). */
export interface LinksSection {
  checked: boolean;
  /** Link domains beyond the per-message cap, not looked up. */
  notChecked?: string[];
  domains: { domain: string; verdicts: { list: string; status: string; detail: string }[] }[];
}

/** A hostile message can carry thousands of domains; each costs a query per list. */
export const MAX_LINK_DOMAINS = 50;

/** Domains the message body links to, minus IP literals (those are a content finding, not a DBL query). */
export async function checkLinkDomains(
  resolver: DnsResolver,
  domains: string[],
  blocklists: BlocklistData,
): Promise<LinksSection> {
  const candidates = domains.filter((domain) => !/^[\d.]+$|^\[/.test(domain));
  const names = candidates.slice(0, MAX_LINK_DOMAINS);
  const notChecked = candidates.slice(MAX_LINK_DOMAINS);
  const lists = { ...blocklists, lists: blocklists.lists.filter((list) => list.kind === "domain") };
  const report =
    names.length > 0
      ? await checkBlocklists(resolver, { domains: names }, lists)
      : { results: [] as ListResult[] };
  return {
    checked: true,
    ...(notChecked.length > 0 ? { notChecked } : {}),
    domains: names.map((domain) => ({
      domain,
      verdicts: report.results
        .filter((result) => result.target === domain)
        .map((result) => ({ list: result.name, status: result.verdict.status, detail: describe(result) })),
    })),
  };
}

function describe(result: ListResult): string {
  const verdict = result.verdict;
  switch (verdict.status) {
    case "listed":
    case "reputation":
      return `${verdict.answers.join(", ")}: ${verdict.meanings.map((m) => m.meaning).join("; ")}`;
    case "unknown":
    case "unavailable":
    case "retired":
      return verdict.why;
    case "clear":
      return "not listed";
  }
}

/** Error answers and failed lookups are "lookup refused/failed", never "listed". */
const REFUSED = /127\.255\.255\.|refused|blocked|open resolver|public resolver|excessive|bit 1/i;

export function linkFindings(section: LinksSection): Finding[] {
  const listed: string[] = [];
  const refused: string[] = [];
  const failed: string[] = [];
  for (const { domain, verdicts } of section.domains) {
    for (const verdict of verdicts) {
      const line = `${domain} on ${verdict.list} (${verdict.detail})`;
      if (verdict.status === "listed") listed.push(line);
      else if (verdict.status === "unknown" || verdict.status === "unavailable") {
        (REFUSED.test(verdict.detail) ? refused : failed).push(line);
      }
    }
  }
  const findings: Finding[] = [];
  if (listed.length > 0) findings.push(finding("LINK_DOMAIN_LISTED", listed.join("; ")));
  if (refused.length > 0) findings.push(finding("LINK_LOOKUP_REFUSED", refused.join("; ")));
  if (failed.length > 0) findings.push(finding("LINK_LOOKUP_FAILED", failed.join("; ")));
  return findings;
}
