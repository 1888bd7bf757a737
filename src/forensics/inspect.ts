import type { BlocklistData } from "../audit/blocklist-data.ts";
import type { MailauthResolver } from "../dns/mailauth-adapter.ts";
import type { DnsResolver } from "../dns/types.ts";
import { bySeverity } from "../util/severity.ts";
import {
  type AuthSection,
  authFindings,
  type EnvelopeOptions,
  envelopeOf,
  offlineAuth,
  verifyAuth,
} from "./auth.ts";
import { type ContentSection, inspectContent } from "./content/section.ts";
import type { Area, Finding } from "./finding.ts";
import { type HeadersSection, inspectHeaders } from "./headers/section.ts";
import { checkLinkDomains, type LinksSection, linkFindings, MAX_LINK_DOMAINS } from "./links.ts";
import { parseMessage } from "./message.ts";
import { checkPtr, type PtrCheck } from "./ptr.ts";
import { evaluateRequirements, type RequirementRow, requirementFindings } from "./requirements.ts";
import { type AreaScore, scoreAreas } from "./score.ts";
import { summarize } from "./summary.ts";

export const INSPECT_SCHEMA_VERSION = 1;

/** DNS access for inspect: the shared resolver, its mailauth adapter and the blocklist data. */
export interface InspectDns {
  resolver: DnsResolver;
  mailauth: MailauthResolver;
  blocklists: BlocklistData;
}

export interface InspectOptions extends EnvelopeOptions {
  /** Omit (or pass null) to inspect offline: no DNS question is asked and the skipped checks are listed. */
  dns?: InspectDns | null;
}

export interface InspectReport {
  schemaVersion: number;
  message: {
    subject: string | null;
    from: string | null;
    messageId: string | null;
    date: string | null;
    bytes: number;
    copy: "sent" | "received";
  };
  offline: boolean;
  /** Checks not run and why (offline, or missing input such as the client IP). */
  skipped: string[];
  summary: string;
  scores: Record<Area, AreaScore>;
  findings: Finding[];
  headers: HeadersSection;
  auth: AuthSection;
  requirements: { rows: RequirementRow[]; ptr: PtrCheck | null };
  content: ContentSection;
  links: LinksSection;
}

/** Inspect one raw message (as sent or as received). Never throws for a malformed message. */
export async function inspectMessage(raw: Buffer, options: InspectOptions = {}): Promise<InspectReport> {
  const message = await parseMessage(raw);
  const dns = options.dns ?? null;
  const headers = inspectHeaders(message);
  const envelope = envelopeOf(message, headers.section.received, options);
  const content = inspectContent(message);
  let auth: AuthSection;
  let links: LinksSection;
  let ptr: PtrCheck | null = null;
  if (dns) {
    const unchecked = content.section.linkDomains.map((domain) => ({ domain, verdicts: [] }));
    [auth, links, ptr] = await Promise.all([
      verifyAuth(message, envelope, dns.mailauth).catch((error) => {
        const section = offlineAuth(message, envelope);
        section.skipped = [`authentication could not be verified: ${errorText(error)}`];
        return section;
      }),
      checkLinkDomains(dns.resolver, content.section.linkDomains, dns.blocklists).catch(
        (): LinksSection => ({ checked: false, domains: unchecked }),
      ),
      envelope.ip ? checkPtr(dns.resolver, envelope.ip).catch(() => null) : Promise.resolve(null),
    ]);
  } else {
    auth = offlineAuth(message, envelope);
    links = {
      checked: false,
      domains: content.section.linkDomains.map((domain) => ({ domain, verdicts: [] })),
    };
  }
  const rows = evaluateRequirements({
    message,
    headers: headers.section,
    headerFindings: headers.findings,
    auth,
    content: content.section,
    ptr,
  });
  const findings = [
    ...headers.findings,
    ...authFindings(auth, message),
    ...requirementFindings(rows),
    ...content.findings,
    ...linkFindings(links),
  ].sort(bySeverity);
  const skipped = dns
    ? [
        ...auth.skipped,
        ...(links.checked ? [] : ["Link-domain blocklists (the check failed)"]),
        ...(links.notChecked
          ? [
              `Blocklist lookups for ${links.notChecked.length} link domains over the limit of ${MAX_LINK_DOMAINS}`,
            ]
          : []),
      ]
    : [
        ...auth.skipped,
        "Link-domain blocklists (Spamhaus DBL, SURBL, URIBL)",
        "Reverse DNS (PTR) of the sending IP",
      ];
  const scores = scoreAreas(findings);
  const email = message.email;
  return {
    schemaVersion: INSPECT_SCHEMA_VERSION,
    message: {
      subject: email.subject ?? null,
      from: message.fromAddress,
      messageId: email.messageId ?? null,
      date: email.date ?? null,
      bytes: raw.length,
      copy: headers.section.copy,
    },
    offline: !dns,
    skipped,
    summary: summarize(findings, scores, !dns),
    scores,
    findings,
    headers: headers.section,
    auth,
    requirements: { rows, ptr },
    content: content.section,
    links,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
