import ipaddr from "ipaddr.js";

export type SpfQualifier = "+" | "-" | "~" | "?";
export const SPF_MECHANISMS = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"] as const;
export type SpfMechanism = (typeof SPF_MECHANISMS)[number];

/** Mechanisms and modifiers that cost one of the 10 DNS lookups (RFC 7208 4.6.4). */
export const LOOKUP_TERMS = new Set(["include", "a", "mx", "ptr", "exists", "redirect"]);

export type SpfTerm =
  | {
      kind: "mechanism";
      raw: string;
      qualifier: SpfQualifier;
      mechanism: SpfMechanism;
      value?: string;
      cidr4?: number;
      cidr6?: number;
    }
  | { kind: "modifier"; raw: string; modifier: string; value: string };

export interface ParsedSpf {
  terms: SpfTerm[];
  /** One message per invalid term (each is a permerror at receivers). */
  errors: string[];
}

const MECHANISM = /^([+\-~?]?)([a-z0-9]+)(?::([^/]*))?(?:\/(\d+))?(?:\/\/(\d+))?$/i;
const MODIFIER = /^([a-z][a-z0-9_.-]*)=(.*)$/i;
const DOMAIN_SPEC = /^(?:[^\s%]|%(?:\{[slodiphcrtv]\d*r?[-.+,/_=]*\}|%|_|-))+$/i;

export const SPF_VERSION = /^v=spf1(?:\s|$)/i;

/** Parse an SPF record into terms (RFC 7208 section 12), collecting syntax errors instead of throwing. */
export function parseSpf(record: string): ParsedSpf {
  const terms: SpfTerm[] = [];
  const errors: string[] = [];
  for (const raw of record.trim().split(/\s+/).slice(1)) {
    const modifier = MODIFIER.exec(raw);
    if (modifier) {
      const name = modifier[1].toLowerCase();
      if ((name === "redirect" || name === "exp") && !DOMAIN_SPEC.test(modifier[2]))
        errors.push(`${raw}: invalid domain`);
      terms.push({ kind: "modifier", raw, modifier: name, value: modifier[2] });
      continue;
    }
    const match = MECHANISM.exec(raw);
    const mechanism = match?.[2].toLowerCase() as SpfMechanism | undefined;
    if (!match || !mechanism || !SPF_MECHANISMS.includes(mechanism)) {
      errors.push(`${raw}: unknown mechanism`);
      continue;
    }
    const term = {
      kind: "mechanism" as const,
      raw,
      qualifier: (match[1] || "+") as SpfQualifier,
      mechanism,
      value: match[3],
      cidr4: match[4] === undefined ? undefined : Number(match[4]),
      cidr6: match[5] === undefined ? undefined : Number(match[5]),
    };
    const problem = termProblem(term);
    if (problem) errors.push(`${raw}: ${problem}`);
    else terms.push(term);
  }
  if (terms.filter((t) => t.kind === "modifier" && t.modifier === "redirect").length > 1)
    errors.push("redirect given twice");
  return { terms, errors };
}

function termProblem(term: {
  mechanism: SpfMechanism;
  value?: string;
  cidr4?: number;
  cidr6?: number;
}): string | null {
  const { mechanism, value, cidr4, cidr6 } = term;
  if (mechanism === "all") return value !== undefined || cidr4 !== undefined ? "all takes no argument" : null;
  if (mechanism === "ip4" || mechanism === "ip6") {
    const family = mechanism === "ip4" ? "ipv4" : "ipv6";
    if (!value || !ipaddr.isValid(value) || ipaddr.parse(value).kind() !== family)
      return `invalid ${mechanism} address`;
    if (cidr4 !== undefined && cidr4 > (mechanism === "ip4" ? 32 : 128)) return "prefix length out of range";
    return null;
  }
  if ((mechanism === "include" || mechanism === "exists") && !value) return `${mechanism} needs a domain`;
  if (value !== undefined && !DOMAIN_SPEC.test(value)) return "invalid domain";
  if ((cidr4 !== undefined && cidr4 > 32) || (cidr6 !== undefined && cidr6 > 128))
    return "prefix length out of range";
  if (mechanism === "ptr" || mechanism === "include" || mechanism === "exists") {
    if (cidr4 !== undefined || cidr6 !== undefined) return `${mechanism} takes no prefix length`;
  }
  return null;
}

export function hasMacro(value: string | undefined): boolean {
  return value?.includes("%") ?? false;
}
