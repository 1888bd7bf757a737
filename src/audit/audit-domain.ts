import { normalizeName } from "../dns/names.ts";
import { domainOption, ipOptions, resolverOption } from "../dns/options.ts";
import { createResolver } from "../dns/resolver.ts";
import { type AuditReport, runAudit } from "./audit.ts";
import { loadBlocklists } from "./blocklist-data.ts";
import { createMtaStsFetcher } from "./policy-fetch.ts";

export interface AuditDomainOptions {
  /** The sending domain (IDNs are looked up in their A-label form). */
  domain: string;
  ips?: string[];
  /** DKIM selectors the mail is signed with. */
  selectors?: string[];
  /** With helo and ips: the exact SPF result for this envelope. */
  mailFrom?: string;
  helo?: string;
  /** `system` (default) or `udp://HOST:PORT`. */
  resolver?: string;
  /** Per-query DNS timeout in milliseconds (default 2000). */
  timeoutMs?: number;
  /** A blocklist data file replacing the built-in data/blocklists.json. */
  blocklists?: string;
  /** Also fetch the MTA-STS policy over HTTPS. */
  online?: boolean;
}

/** `deliverlens audit` as a function: the same report its --json prints. Bad values throw InputError. */
export async function auditDomain(options: AuditDomainOptions): Promise<AuditReport> {
  const resolver = createResolver(resolverOption(options.resolver ?? "system"), {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return runAudit({
    resolver,
    domain: domainOption(options.domain),
    ips: ipOptions(options.ips),
    selectors: options.selectors ?? [],
    mailFrom: options.mailFrom ?? null,
    helo: options.helo ? normalizeName(options.helo) : null,
    lists: await loadBlocklists(options.blocklists),
    fetchPolicy: options.online ? createMtaStsFetcher(resolver) : null,
  });
}
