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
  problem: { kind: "missing" | "multiple" | "loop" | "failed"; detail: string; void?: boolean } | null;
  /** include/redirect targets by term. */
  children: Map<string, SpfNode>;
  /** Addresses of a/mx terms by term; null when the lookup failed; [] when void. */
  addresses: Map<string, string[] | null>;
  /** Terms with macros: only a receiver with the real MAIL FROM can evaluate them. */
  macroTerms: string[];
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
}

const MAX_DEPTH = 12;

/** Fetch an SPF record and, in parallel, every record and address it refers to. */
export async function expandSpf(
  resolver: DnsResolver,
  domain: string,
  chain: string[] = [],
): Promise<SpfNode> {
  const node = emptyNode(domain);
  const outcome = await txtStrings(resolver, domain);
  if (outcome.kind === "failed") {
    node.problem = { kind: "failed", detail: `${domain}: ${describeFailure(outcome)}` };
    return node;
  }
  node.records = outcome.kind === "answer" ? withVersion(outcome.records, SPF_VERSION) : [];
  if (node.records.length === 0) {
    node.problem = {
      kind: "missing",
      detail: `${domain} has no v=spf1 record`,
      void: outcome.kind === "none",
    };
    return node;
  }
  if (node.records.length > 1) {
    node.problem = { kind: "multiple", detail: `${domain} has ${node.records.length} SPF records` };
  }
  node.parsed = parseSpf(node.records[0]);
  const path = [...chain, domain];
  await Promise.all(effectiveTerms(node.parsed).map((term) => expandTerm(resolver, node, term, path)));
  return node;
}

async function expandTerm(
  resolver: DnsResolver,
  node: SpfNode,
  term: SpfTerm,
  path: string[],
): Promise<void> {
  const name = term.kind === "modifier" ? term.modifier : term.mechanism;
  if (!LOOKUP_TERMS.has(name) || name === "ptr" || name === "exists") return;
  if (hasMacro(term.value)) {
    node.macroTerms.push(term.raw);
    return;
  }
  const target = normalizeName(term.value ?? node.domain);
  if (name === "include" || name === "redirect") {
    if (path.includes(target) || path.length > MAX_DEPTH) {
      const loop = { kind: "loop" as const, detail: [...path, target].join(" → ") };
      node.children.set(term.raw, { ...emptyNode(target), problem: loop });
      return;
    }
    node.children.set(term.raw, await expandSpf(resolver, target, path));
    return;
  }
  node.addresses.set(
    term.raw,
    name === "a" ? await hostAddresses(resolver, target) : await mxAddresses(resolver, target),
  );
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
  };
}

async function mxAddresses(resolver: DnsResolver, name: string): Promise<string[] | null> {
  const mx = await resolver.lookup(name, "MX");
  if (mx.kind === "failed") return null;
  if (mx.kind === "none") return [];
  const hosts = await Promise.all(
    mx.records.slice(0, 10).map((record) => hostAddresses(resolver, record.exchange)),
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
  };
  const visit = (node: SpfNode, isRoot: boolean) => {
    if (node.problem?.kind === "loop") totals.loops.push(node.problem.detail);
    if (node.problem?.kind === "failed") totals.failures.push(node.problem.detail);
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
