import { readdir } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { runAudit } from "../audit/audit.ts";
import { loadBlocklists } from "../audit/blocklist-data.ts";
import { toMailauthResolver } from "../dns/mailauth-adapter.ts";
import type { DnsResolver } from "../dns/types.ts";
import type { ParseProblem } from "../events/event.ts";
import { inspectMessage } from "../forensics/inspect.ts";
import { readBounded } from "../util/read-bounded.ts";
import type { AuditSummary, CampaignMessage } from "./types.ts";

/** Only the header block is searched for X-Campaign-ID; a bounded prefix keeps hostile files cheap. */
const HEADER_SCAN_BYTES = 256 * 1024;

/** The campaign a message belongs to: its X-Campaign-ID header, else the file name stem. */
export function campaignOf(raw: Buffer, file: string): string {
  const head = raw.subarray(0, HEADER_SCAN_BYTES).toString("latin1");
  const end = head.search(/\r?\n\r?\n/);
  const headers = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, " ");
  const match = /^x-campaign-id:[ \t]*(.+?)[ \t]*$/im.exec(headers);
  return match?.[1] || basename(file, extname(file));
}

/**
 * Inspect one .eml per campaign in `dir` (forensics engine; DNS only when `resolver` is given).
 * Unreadable or unparsable files become problems; the rest are used.
 */
export async function loadCampaignMessages(
  dir: string,
  resolver: DnsResolver | null,
): Promise<{ messages: Map<string, CampaignMessage>; problems: ParseProblem[] }> {
  const messages = new Map<string, CampaignMessage>();
  const problems: ParseProblem[] = [];
  const files = (await readdir(dir)).filter((name) => name.toLowerCase().endsWith(".eml")).sort();
  const dns = resolver
    ? { resolver, mailauth: toMailauthResolver(resolver), blocklists: await loadBlocklists() }
    : null;
  for (const name of files) {
    const file = join(dir, name);
    try {
      const raw = await readBounded(file, "inspectBytes");
      const report = await inspectMessage(raw, { dns });
      const campaign = campaignOf(raw, file);
      messages.set(campaign, {
        campaign,
        file,
        fromDomain: domainOf(report.message.from),
        linkDomains: report.content.linkDomains,
        shorteners: report.content.shorteners,
        listedDomains: report.links.domains
          .filter((d) => d.verdicts.some((v) => v.status === "listed"))
          .map((d) => d.domain),
        findings: report.findings.map((f) => ({
          id: f.id,
          severity: f.severity,
          title: f.title,
        })),
      });
    } catch (error) {
      problems.push({
        source: { file, line: null },
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { messages, problems };
}

function domainOf(address: string | null): string | null {
  const at = address?.lastIndexOf("@") ?? -1;
  const domain =
    at >= 0
      ? address!
          .slice(at + 1)
          .trim()
          .replace(/>$/, "")
          .toLowerCase()
      : "";
  return domain || null;
}

/** Audit the sending domain and IPs (SPF/DKIM/DMARC, PTR, blocklists) with the shared resolver. */
export async function auditSender(
  domain: string,
  ips: string[],
  resolver: DnsResolver,
): Promise<AuditSummary> {
  const report = await runAudit({
    resolver,
    domain,
    ips,
    selectors: [],
    mailFrom: null,
    helo: null,
    lists: await loadBlocklists(),
    fetchPolicy: null,
  });
  return {
    domain,
    ips,
    findings: report.findings.map((f) => ({
      fix: f.fix,
      id: f.id,
      severity: f.severity,
      title: f.title,
      evidence: f.evidence,
    })),
    listed: report.blocklists.results
      .filter((r) => r.verdict.status === "listed")
      .map((r) => ({ name: r.target, list: r.name })),
  };
}
