import { getDomain } from "tldts";
import type { DnsResolver } from "../dns/index.ts";
import { checkReverseDns } from "../dns/ptr.ts";
import {
  type DailyTotals,
  type DomainPolicy,
  type DomainSourceTotals,
  dmarcDaily,
  dmarcDomainSources,
  dmarcDomains,
  dmarcOverrides,
  dmarcReporters,
  dmarcSources,
  type OverrideTotals,
  type ReporterTotals,
  type ReportFilter,
  reportCounts,
  type SourceTotals,
  type Store,
  type TlsFailureTotals,
  type TlsPolicyTotals,
  tlsFailures,
  tlsPolicies,
} from "../store/index.ts";
import { type KnownForwarder, knownForwarder } from "./forwarders.ts";

/**
 * What the stored DMARC aggregate and TLS reports say, for `deliverlens dmarc`, the HTML report and
 * diagnose: per sending source, volume and aligned pass rates and a verdict made offline from the reports
 * alone (docs/DMARC.md):
 * - `yours`: at least half its mail passes DMARC (aligned DKIM or SPF); its failing share is reported;
 * - `forwarder`: mostly failing, with signs of forwarding — receivers' override reasons `forwarded`,
 *   `trusted_forwarder`, `mailing_list`, an `arc=pass` comment (ARC, RFC 8617), or the domain's own DKIM
 *   signature arriving broken (a list or forwarder changed the message), or a known forwarder or
 *   mailing-list service (src/dmarc/forwarders.ts: its own domain passing SPF/DKIM, or with `--resolve`
 *   its PTR name) — so it is not blamed;
 * - `unknown`: almost never passes (under 10 %) and shows no sign of forwarding: spoofing, or a service
 *   sending as the domain that nobody set up;
 * - `mixed`: everything in between, worth a look.
 * Readiness for the next policy step is the share of the `yours` sources' mail that passes aligned.
 */

/**
 * The version of `dmarc --json`'s shape (and `dmarc fetch --json`'s). Until store schema 16 the command printed
 * the store's schema version here, so every store migration changed a JSON interface value; it is frozen at the
 * last value printed. Bump it only when this JSON's shape changes.
 */
export const DMARC_JSON_SCHEMA_VERSION = 16;

export const VERDICTS = {
  yours: "passes aligned DKIM or SPF for most of its mail: your own or an authorised service",
  forwarder:
    "mostly fails but shows forwarding (override reason, ARC, your own DKIM signature broken in transit, or a known forwarder or list service)",
  unknown: "almost never passes aligned and shows no sign of forwarding: spoofing or a forgotten service",
  mixed: "passes for some of its mail only: a service partly set up, or shared infrastructure",
} as const;
export type Verdict = keyof typeof VERDICTS;

/** The judging thresholds (shares of a source's messages), named in docs/DMARC.md. */
export const THRESHOLDS = {
  /** At or above: the source is yours. */
  yours: 0.5,
  /** Below: the source almost never passes. */
  unknown: 0.1,
  /** At or above: forwarding signs are enough to call a failing source a forwarder. */
  forwardingSigns: 0.2,
  /** Aligned pass share of your own mail at which the next policy step is safe. */
  ready: 0.98,
} as const;

export interface SourceVerdict {
  sourceIp: string;
  /** PTR name when resolved (`--resolve`), else null. */
  ptr: string | null;
  /** Registrable domain of the PTR name: the operator (an ESP, Google, Microsoft…), else null. */
  operator: string | null;
  messages: number;
  dkimAlignedRate: number;
  spfAlignedRate: number;
  dmarcPassRate: number;
  /** Messages that failed DMARC (share = failing / messages). */
  failing: number;
  forwardingSigns: number;
  /** The known forwarder or mailing-list service it matched (src/dmarc/forwarders.ts), else null. */
  knownForwarder: Pick<KnownForwarder, "id" | "name" | "kind" | "source"> | null;
  quarantined: number;
  rejected: number;
  reporters: number;
  headerFrom: string[];
  dkimDomains: string[];
  spfDomains: string[];
  firstDay: string;
  lastDay: string;
  verdict: Verdict;
}

export interface DomainReadiness {
  domain: string;
  policy: Pick<DomainPolicy, "p" | "sp" | "pct" | "adkim" | "aspf">;
  reports: number;
  firstDay: string;
  lastDay: string;
  messages: number;
  dmarcPassRate: number;
  /** Messages from `yours` sources, and the share of them passing aligned. */
  legitimateMessages: number;
  legitimatePassRate: number | null;
  /** What to publish next: quarantine after none, reject after quarantine, null at reject. */
  nextStep: string | null;
  ready: boolean;
  unknownMessages: number;
  forwardedMessages: number;
}

/** With `--resolve`: the sources grouped by the registrable domain of their PTR name (their operator). */
export interface OperatorTotals {
  operator: string;
  sources: number;
  messages: number;
  dmarcPassRate: number;
  verdicts: Partial<Record<Verdict, number>>;
}

export interface DmarcSummary {
  filter: ReportFilter;
  reports: { aggregate: number; tls: number; records: number };
  resolved: boolean;
  /** Empty unless resolved. */
  operators: OperatorTotals[];
  domains: DomainReadiness[];
  sources: SourceVerdict[];
  verdicts: Record<Verdict, { sources: number; messages: number }>;
  reporters: Array<ReporterTotals & { dmarcPassRate: number }>;
  overrides: OverrideTotals[];
  daily: DailyTotals[];
  tls: { policies: TlsPolicyTotals[]; failures: TlsFailureTotals[] };
}

export interface SummaryOptions {
  /** Look up PTR names of the sources (only with `--resolve`: otherwise no DNS query is made). */
  resolver?: DnsResolver;
  /** Sources whose PTR is looked up, largest first (default 200). */
  resolveLimit?: number;
}

export async function summarizeReports(
  store: Store,
  filter: ReportFilter,
  options: SummaryOptions = {},
): Promise<DmarcSummary> {
  const [counts, sourceRows, domainSources, domainRows, reporterRows, overrides, daily, policies, failures] =
    await sequence(
      () => reportCounts(store, filter),
      () => dmarcSources(store, filter),
      () => dmarcDomainSources(store, filter),
      () => dmarcDomains(store, filter),
      () => dmarcReporters(store, filter),
      () => dmarcOverrides(store, filter),
      () => dmarcDaily(store, filter),
      () => tlsPolicies(store, filter),
      () => tlsFailures(store, filter),
    );
  const sources = sourceRows.map((row) => judge(row));
  if (options.resolver) {
    await resolveSources(sources, options.resolver, options.resolveLimit ?? 200);
    for (const source of sources) recognisePtr(source);
  }
  const verdictOf = new Map(sources.map((source) => [source.sourceIp, source.verdict]));
  const verdicts = Object.fromEntries(
    (Object.keys(VERDICTS) as Verdict[]).map((v) => [v, { sources: 0, messages: 0 }]),
  ) as DmarcSummary["verdicts"];
  for (const source of sources) {
    verdicts[source.verdict].sources++;
    verdicts[source.verdict].messages += source.messages;
  }
  return {
    filter,
    reports: counts,
    resolved: options.resolver !== undefined,
    operators: options.resolver ? operatorsOf(sources) : [],
    domains: domainRows.map((domain) => readiness(domain, domainSources, verdictOf)),
    sources,
    verdicts,
    reporters: reporterRows.map((r) => ({ ...r, dmarcPassRate: rate(r.dmarc_pass, r.messages) })),
    overrides,
    daily,
    tls: { policies, failures },
  };
}

/** Runs store reads one after another (one connection runs one query at a time). */
async function sequence<T extends unknown[]>(...steps: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const results: unknown[] = [];
  for (const step of steps) results.push(await step());
  return results as T;
}

function rate(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

function words(value: string | null): string[] {
  return value ? value.split(" ").filter(Boolean) : [];
}

function shown(entry: KnownForwarder | null): SourceVerdict["knownForwarder"] {
  return entry && { id: entry.id, name: entry.name, kind: entry.kind, source: entry.source };
}

export function judge(row: SourceTotals): SourceVerdict {
  const pass = rate(row.dmarc_pass, row.messages);
  const signs = row.forwarded + row.arc + row.broken_own_signature;
  const known = knownForwarder(words(row.passed_domains ?? null), null);
  let verdict: Verdict;
  if (pass >= THRESHOLDS.yours) verdict = "yours";
  else if (known || rate(Math.min(signs, row.messages), row.messages) >= THRESHOLDS.forwardingSigns)
    verdict = "forwarder";
  else if (pass < THRESHOLDS.unknown) verdict = "unknown";
  else verdict = "mixed";
  return {
    sourceIp: row.source_ip,
    ptr: null,
    operator: null,
    messages: row.messages,
    dkimAlignedRate: rate(row.dkim_aligned, row.messages),
    spfAlignedRate: rate(row.spf_aligned, row.messages),
    dmarcPassRate: pass,
    failing: row.messages - row.dmarc_pass,
    forwardingSigns: Math.min(signs, row.messages),
    knownForwarder: pass >= THRESHOLDS.yours ? null : shown(known),
    quarantined: row.quarantined,
    rejected: row.rejected,
    reporters: row.reporters,
    headerFrom: words(row.header_from),
    dkimDomains: words(row.dkim_domains),
    spfDomains: words(row.spf_domains),
    firstDay: row.first_day,
    lastDay: row.last_day,
    verdict,
  };
}

const NEXT_STEP: Record<string, string | null> = { none: "quarantine", quarantine: "reject", reject: null };

function readiness(
  domain: DomainPolicy,
  rows: DomainSourceTotals[],
  verdictOf: ReadonlyMap<string, Verdict>,
): DomainReadiness {
  let messages = 0;
  let pass = 0;
  let legitimate = 0;
  let legitimatePass = 0;
  let unknown = 0;
  let forwarded = 0;
  for (const row of rows) {
    if (row.policy_domain !== domain.domain) continue;
    messages += row.messages;
    pass += row.dmarc_pass;
    const verdict = verdictOf.get(row.source_ip);
    if (verdict === "yours") {
      legitimate += row.messages;
      legitimatePass += row.dmarc_pass;
    } else if (verdict === "unknown") unknown += row.messages;
    else if (verdict === "forwarder") forwarded += row.messages;
  }
  const legitimateRate = legitimate > 0 ? legitimatePass / legitimate : null;
  const p = domain.p ?? "none";
  const partial = domain.pct !== null && domain.pct < 100;
  const nextStep = partial ? `${p} at pct=100` : (NEXT_STEP[p] ?? null);
  return {
    domain: domain.domain,
    policy: { p: domain.p, sp: domain.sp, pct: domain.pct, adkim: domain.adkim, aspf: domain.aspf },
    reports: domain.reports,
    firstDay: domain.first_day,
    lastDay: domain.last_day,
    messages,
    dmarcPassRate: rate(pass, messages),
    legitimateMessages: legitimate,
    legitimatePassRate: legitimateRate,
    nextStep,
    ready: nextStep !== null && legitimateRate !== null && legitimateRate >= THRESHOLDS.ready,
    unknownMessages: unknown,
    forwardedMessages: forwarded,
  };
}

function operatorsOf(sources: readonly SourceVerdict[]): OperatorTotals[] {
  const groups = new Map<
    string,
    { sources: number; messages: number; pass: number; verdicts: Partial<Record<Verdict, number>> }
  >();
  for (const source of sources) {
    const key = source.operator ?? "(no PTR)";
    const group = groups.get(key) ?? { sources: 0, messages: 0, pass: 0, verdicts: {} };
    group.sources++;
    group.messages += source.messages;
    group.pass += source.dmarcPassRate * source.messages;
    group.verdicts[source.verdict] = (group.verdicts[source.verdict] ?? 0) + source.messages;
    groups.set(key, group);
  }
  return [...groups.entries()]
    .map(([operator, g]) => ({
      operator,
      sources: g.sources,
      messages: g.messages,
      dmarcPassRate: rate(Math.round(g.pass), g.messages),
      verdicts: g.verdicts,
    }))
    .sort((a, b) => b.messages - a.messages || a.operator.localeCompare(b.operator));
}

/** With `--resolve`: a failing source whose PTR name is a known forwarder's is a forwarder too. */
function recognisePtr(source: SourceVerdict): void {
  if (source.verdict === "yours" || source.knownForwarder || source.ptr === null) return;
  const known = knownForwarder([], source.ptr);
  if (!known) return;
  source.knownForwarder = shown(known);
  source.verdict = "forwarder";
}

async function resolveSources(sources: SourceVerdict[], resolver: DnsResolver, limit: number): Promise<void> {
  const wanted = sources.slice(0, limit);
  const batch = 16;
  for (let at = 0; at < wanted.length; at += batch) {
    await Promise.all(
      wanted.slice(at, at + batch).map(async (source) => {
        const reverse = await checkReverseDns(resolver, source.sourceIp);
        if (reverse.kind !== "found") return;
        source.ptr = reverse.confirmedBy ?? reverse.names[0] ?? null;
        source.operator = source.ptr ? (getDomain(source.ptr) ?? null) : null;
      }),
    );
  }
}
