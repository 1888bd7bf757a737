import { hostAddresses } from "../dns/addresses.ts";
import { normalizeName } from "../dns/names.ts";
import type { DnsResolver } from "../dns/types.ts";
import { describeFailure, txtStrings, withVersion } from "./context.ts";
import { hasMacro, LOOKUP_TERMS, type ParsedSpf, parseSpf, SPF_VERSION, type SpfTerm } from "./spf-record.ts";

/** One SPF record and everything it pulls in (include/redirect targets, a/mx addresses). */
export interface SpfNode {
  domain: string;
  /** The records found (more than one is a permerror). */
  records: string[];
  parsed: ParsedSpf | null;
  /** Why this node cannot be evaluated. */
  /** `void`: the name had no TXT at all (NXDOMAIN/NODATA), which counts as a void lookup. */
  /** `budget`: not fetched because the tree already had more DNS-querying terms than we expand. */
  problem: {
    kind: "missing" | "multiple" | "loop" | "failed" | "budget";
    detail: string;
    void?: boolean;
  } | null;
  /** include/redirect targets by term. */
  children: Map<string, SpfNode>;
  /** Addresses of a/mx terms by term; null when the lookup failed; [] when void. */
  addresses: Map<string, string[] | null>;
  /** Terms with macros: only a receiver with the real MAIL FROM can evaluate them. */
  macroTerms: string[];
  /** a/mx terms left unexpanded because the tree reached SPF_EXPANSION_LIMITS. */
  skippedTerms: string[];
}

export interface SpfTotals {
  lookups: number;
  voids: number;
  voidNames: string[];
  loops: string[];
  missingIncludes: string[];
  failures: string[];
  ptrTerms: string[];
  syntaxErrors: string[];
  /** Set when the expansion stopped at SPF_EXPANSION_LIMITS: the real count is higher than `lookups`. */
  truncated: string | null;
}

/**
 * How much of an SPF tree audit expands. RFC 7208 §4.6.4 stops a receiver after 10 DNS-querying terms
 * (and 2 void lookups) for the WHOLE evaluation; we expand up to twice that, to tell a sender how far
 * over the limit a record is, and never more: a zone answering every name with a fan of includes would
 * otherwise make the tree exponential (docs/LIMITS.md).
 */
export const SPF_EXPANSION_LIMITS = {
  /** DNS-querying terms (include, a, mx, ptr, exists, redirect) expanded across the whole tree. */
  terms: 20,
  /** Address lookups per mx term (RFC 7208 §4.6.4: more than 10 MX names is a permerror). */
  mxHosts: 10,
} as const;

interface Budget {
  terms: number;
  exhausted: string | null;
}

/**
 * Fetch an SPF record and everything it refers to, one tree level at a time (each level's lookups in
 * parallel), charging every DNS-querying term against one budget for the whole tree.
 */
export async function expandSpf(resolver: DnsResolver, domain: string): Promise<SpfNode> {
  const budget: Budget = { terms: 0, exhausted: null };
  const root = emptyNode(domain);
  let level: { node: SpfNode; path: string[] }[] = [{ node: root, path: [] }];
  while (level.length > 0) {
    await Promise.all(level.map(({ node }) => fetchRecord(resolver, node)));
    const next: { node: SpfNode; path: string[] }[] = [];
    const lookups: Promise<void>[] = [];
    for (const { node, path } of level) {
      if (!node.parsed) continue;
      const here = [...path, node.domain];
      for (const term of effectiveTerms(node.parsed)) {
        const child = planTerm(resolver, node, term, here, budget, lookups);
        if (child) next.push({ node: child, path: here });
      }
    }
    await Promise.all(lookups);
    level = next;
  }
  return root;
}

async function fetchRecord(resolver: DnsResolver, node: SpfNode): Promise<void> {
  if (node.problem) return;
  const outcome = await txtStrings(resolver, node.domain);
  if (outcome.kind === "failed") {
    node.problem = { kind: "failed", detail: `${node.domain}: ${describeFailure(outcome)}` };
    return;
  }
  node.records = outcome.kind === "answer" ? withVersion(outcome.records, SPF_VERSION) : [];
  if (node.records.length === 0) {
    node.problem = {
      kind: "missing",
      detail: `${node.domain} has no v=spf1 record`,
      void: outcome.kind === "none",
    };
    return;
  }
  if (node.records.length > 1) {
    node.problem = { kind: "multiple", detail: `${node.domain} has ${node.records.length} SPF records` };
  }
  node.parsed = parseSpf(node.records[0]);
}

/** Charge one term; returns the child node to fetch next for include/redirect, and queues a/mx lookups. */
function planTerm(
  resolver: DnsResolver,
  node: SpfNode,
  term: SpfTerm,
  path: string[],
  budget: Budget,
  lookups: Promise<void>[],
): SpfNode | null {
  const name = term.kind === "modifier" ? term.modifier : term.mechanism;
  if (!LOOKUP_TERMS.has(name)) return null;
  budget.terms++;
  if (name === "ptr" || name === "exists") return null;
  if (hasMacro(term.value)) {
    node.macroTerms.push(term.raw);
    return null;
  }
  const target = normalizeName(term.value ?? node.domain);
  if (budget.terms > SPF_EXPANSION_LIMITS.terms) {
    budget.exhausted ??= `${node.domain}: ${term.raw}`;
    const detail = `not expanded: more than ${SPF_EXPANSION_LIMITS.terms} DNS-querying terms before ${term.raw}`;
    if (name === "include" || name === "redirect") {
      node.children.set(term.raw, { ...emptyNode(target), problem: { kind: "budget", detail } });
    } else {
      node.addresses.set(term.raw, null);
      node.skippedTerms.push(term.raw);
    }
    return null;
  }
  if (name === "include" || name === "redirect") {
    if (path.includes(target)) {
      const loop = { kind: "loop" as const, detail: [...path, target].join(" → ") };
      node.children.set(term.raw, { ...emptyNode(target), problem: loop });
      return null;
    }
    const child = emptyNode(target);
    node.children.set(term.raw, child);
    return child;
  }
  lookups.push(
    (name === "a" ? hostAddresses(resolver, target) : mxAddresses(resolver, target)).then((addresses) => {
      node.addresses.set(term.raw, addresses);
    }),
  );
  return null;
}

function emptyNode(domain: string): SpfNode {
  return {
    domain,
    records: [],
    parsed: null,
    problem: null,
    children: new Map(),
    addresses: new Map(),
    macroTerms: [],
    skippedTerms: [],
  };
}

async function mxAddresses(resolver: DnsResolver, name: string): Promise<string[] | null> {
  const mx = await resolver.lookup(name, "MX");
  if (mx.kind === "failed") return null;
  if (mx.kind === "none") return [];
  const hosts = await Promise.all(
    mx.records
      .slice(0, SPF_EXPANSION_LIMITS.mxHosts)
      .map((record) => hostAddresses(resolver, record.exchange)),
  );
  return hosts.flatMap((addresses) => addresses ?? []);
}

/** Totals over the whole tree: the worst case a receiver evaluating a non-matching IP would hit. */
export function totalsOf(root: SpfNode): SpfTotals {
  const totals: SpfTotals = {
    lookups: 0,
    voids: 0,
    voidNames: [],
    loops: [],
    missingIncludes: [],
    failures: [],
    ptrTerms: [],
    syntaxErrors: [],
    truncated: null,
  };
  const visit = (node: SpfNode, isRoot: boolean) => {
    if (node.problem?.kind === "loop") totals.loops.push(node.problem.detail);
    if (node.problem?.kind === "failed") totals.failures.push(node.problem.detail);
    if (node.problem?.kind === "budget") totals.truncated ??= node.problem.detail;
    if (node.skippedTerms.length > 0)
      totals.truncated ??= `${node.domain}: ${node.skippedTerms[0]} not expanded`;
    if (node.problem?.kind === "missing" && !isRoot) {
      totals.missingIncludes.push(node.domain);
      if (node.problem.void) {
        totals.voids++;
        totals.voidNames.push(node.domain);
      }
    }
    for (const error of node.parsed?.errors ?? []) totals.syntaxErrors.push(`${node.domain}: ${error}`);
    for (const term of effectiveTerms(node.parsed)) {
      const name = term.kind === "modifier" ? term.modifier : term.mechanism;
      if (LOOKUP_TERMS.has(name)) totals.lookups++;
      if (name === "ptr") totals.ptrTerms.push(`${node.domain}: ${term.raw}`);
      const addresses = node.addresses.get(term.raw);
      if (addresses && addresses.length === 0) {
        totals.voids++;
        totals.voidNames.push(`${node.domain}: ${term.raw}`);
      }
    }
    for (const child of node.children.values()) visit(child, false);
  };
  visit(root, true);
  return totals;
}

/** The terms a receiver can evaluate: redirect= is ignored when the record has an all mechanism (RFC 7208 6.1). */
export function effectiveTerms(parsed: ParsedSpf | null): SpfTerm[] {
  const terms = parsed?.terms ?? [];
  const hasAll = terms.some((t) => t.kind === "mechanism" && t.mechanism === "all");
  return hasAll ? terms.filter((t) => !(t.kind === "modifier" && t.modifier === "redirect")) : terms;
}
