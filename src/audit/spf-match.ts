import ipaddr from "ipaddr.js";
import type { SpfQualifier } from "./spf-record.ts";
import type { SpfNode } from "./spf-tree.ts";

export type SpfVerdict = "pass" | "fail" | "softfail" | "neutral" | "none" | "permerror" | "temperror";

const QUALIFIER_RESULT: Record<SpfQualifier, SpfVerdict> = {
  "+": "pass",
  "-": "fail",
  "~": "softfail",
  "?": "neutral",
};

/** Which mechanism decides for an IP, e.g. "include:_spf.esp.test → ip4:192.0.2.0/24". */
export interface SpfMatch {
  result: SpfVerdict;
  /** The chain of terms that matched; empty when nothing matched (default neutral). */
  path: string[];
  /** Terms skipped because only a receiver can evaluate them (macros, ptr, exists). */
  unevaluated: string[];
}

/** Evaluate the expanded tree for one IP, in record order, first match wins (RFC 7208 4.6.2). */
export function matchIp(node: SpfNode, ip: string): SpfMatch {
  const unevaluated: string[] = [...node.macroTerms];
  if (node.problem?.kind === "failed") return { result: "temperror", path: [], unevaluated };
  if (node.problem || !node.parsed || node.parsed.errors.length > 0) {
    return { result: node.problem?.kind === "missing" ? "none" : "permerror", path: [], unevaluated };
  }
  let redirect: string | null = null;
  for (const term of node.parsed.terms) {
    if (term.kind === "modifier") {
      if (term.modifier === "redirect") redirect = term.raw;
      continue;
    }
    const hit = termMatches(
      node,
      term.raw,
      term.mechanism,
      term.value,
      term.cidr4,
      term.cidr6,
      ip,
      unevaluated,
    );
    if (hit === "error") return { result: "temperror", path: [term.raw], unevaluated };
    if (hit) return { result: QUALIFIER_RESULT[term.qualifier], path: [term.raw, ...hit], unevaluated };
  }
  const target = redirect ? node.children.get(redirect) : undefined;
  if (target) {
    const sub = matchIp(target, ip);
    return { ...sub, path: [redirect!, ...sub.path], unevaluated: [...unevaluated, ...sub.unevaluated] };
  }
  return { result: "neutral", path: [], unevaluated };
}

/** string[] = matched (with the sub-path for includes); false = no match; "error" = could not evaluate. */
function termMatches(
  node: SpfNode,
  raw: string,
  mechanism: string,
  value: string | undefined,
  cidr4: number | undefined,
  cidr6: number | undefined,
  ip: string,
  unevaluated: string[],
): string[] | false | "error" {
  switch (mechanism) {
    case "all":
      return [];
    case "ip4":
    case "ip6":
      return inRange(ip, value!, cidr4) ? [] : false;
    case "a":
    case "mx": {
      if (!node.addresses.has(raw)) return false; // macro term
      const addresses = node.addresses.get(raw);
      if (addresses === null) return "error";
      const prefix = ipaddr.parse(ip).kind() === "ipv4" ? cidr4 : cidr6;
      return addresses?.some((address) => inRange(ip, address, prefix)) ? [] : false;
    }
    case "include": {
      const child = node.children.get(raw);
      if (!child) return false; // macro term
      const sub = matchIp(child, ip);
      unevaluated.push(...sub.unevaluated);
      if (sub.result === "temperror" || sub.result === "permerror" || sub.result === "none") return "error";
      return sub.result === "pass" ? sub.path : false;
    }
    default:
      unevaluated.push(`${node.domain}: ${raw}`);
      return false;
  }
}

function inRange(ip: string, network: string, prefix: number | undefined): boolean {
  if (!ipaddr.isValid(ip) || !ipaddr.isValid(network)) return false;
  const address = ipaddr.process(ip);
  const base = ipaddr.process(network);
  if (address.kind() !== base.kind()) return false;
  const bits = prefix ?? (base.kind() === "ipv4" ? 32 : 128);
  return address.match(base, bits);
}
