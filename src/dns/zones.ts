import { normalizeName } from "./names.ts";
import type { DnsOutcome, FailureReason, MxRecord, RecordType } from "./types.ts";

/** Faults a zone name can simulate (the loopback test server and the in-memory resolver both honour them). */
export const ZONE_FAULTS = {
  servfail: "Answer SERVFAIL",
  refused: "Answer REFUSED",
  timeout: "Never answer (the in-memory resolver reports a timeout at once)",
  truncate: "Over UDP, answer with TC=1 and no records so the client must retry over TCP",
} as const;
export type ZoneFault = keyof typeof ZONE_FAULTS;

/** The records of one name. A name that exists with none of the asked type answers NODATA. */
export interface ZoneNode {
  A?: string[];
  AAAA?: string[];
  CNAME?: string;
  MX?: MxRecord[];
  NS?: string[];
  PTR?: string[];
  /** Each TXT record as one string (split into 255-octet chunks on the wire) or as explicit chunks. */
  TXT?: (string | string[])[];
  fault?: ZoneFault;
}

/** Zones as data: owner name (any case, trailing dot optional) → records. */
export type ZoneData = Record<string, ZoneNode>;

const MAX_CNAME_CHAIN = 8;

/** The zone lookup shared by the in-memory resolver and the loopback server. */
export interface ZoneAnswer {
  outcome: DnsOutcome;
  /** CNAMEs followed on the way, for the wire answer section. */
  chain: { name: string; target: string }[];
  fault?: ZoneFault;
}

export function indexZones(zones: ZoneData): Map<string, ZoneNode> {
  const index = new Map<string, ZoneNode>();
  for (const [name, node] of Object.entries(zones)) index.set(normalizeName(name), node);
  return index;
}

export function answerFromZones(index: Map<string, ZoneNode>, name: string, type: RecordType): ZoneAnswer {
  const chain: { name: string; target: string }[] = [];
  let current = normalizeName(name);
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const node = index.get(current) ?? wildcardFor(index, current);
    if (node?.fault && node.fault !== "truncate") {
      return { outcome: faultOutcome(node.fault, current), chain, fault: node.fault };
    }
    if (!node) {
      const reason = hasDescendant(index, current) ? "nodata" : "nxdomain";
      return { outcome: { kind: "none", reason }, chain };
    }
    if (node.CNAME && type !== "CNAME") {
      const target = normalizeName(node.CNAME);
      chain.push({ name: current, target });
      current = target;
      continue;
    }
    const records = recordsOf(node, type);
    const outcome: DnsOutcome =
      records.length > 0 ? { kind: "answer", records } : { kind: "none", reason: "nodata" };
    return { outcome, chain, fault: node.fault };
  }
  return { outcome: { kind: "failed", reason: "servfail", detail: "CNAME chain too long" }, chain };
}

function recordsOf(node: ZoneNode, type: RecordType): unknown[] {
  switch (type) {
    case "TXT":
      return (node.TXT ?? []).map((record) => (typeof record === "string" ? chunk(record) : record));
    case "CNAME":
      return node.CNAME ? [normalizeName(node.CNAME)] : [];
    case "MX":
      return (node.MX ?? []).map((mx) => ({ exchange: normalizeName(mx.exchange), priority: mx.priority }));
    case "NS":
    case "PTR":
      return (node[type] ?? []).map(normalizeName);
    default:
      return node[type] ?? [];
  }
}

/** Split a TXT string into the 255-octet character-strings it takes on the wire. */
export function chunk(text: string): string[] {
  if (text.length === 0) return [""];
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 255) chunks.push(text.slice(i, i + 255));
  return chunks;
}

/**
 * The wildcard that synthesizes an answer for a name with no node of its own (RFC 4592, simplified:
 * the nearest `*.` owner above the name, unless the name has descendants and so exists).
 */
function wildcardFor(index: Map<string, ZoneNode>, name: string): ZoneNode | undefined {
  if (hasDescendant(index, name)) return undefined;
  for (let dot = name.indexOf("."); dot >= 0; dot = name.indexOf(".", dot + 1)) {
    const node = index.get(`*${name.slice(dot)}`);
    if (node) return node;
  }
  return undefined;
}

/** An empty non-terminal (a name with children but no records) exists: NODATA, not NXDOMAIN. */
function hasDescendant(index: Map<string, ZoneNode>, name: string): boolean {
  const suffix = `.${name}`;
  for (const owner of index.keys()) if (owner.endsWith(suffix)) return true;
  return false;
}

function faultOutcome(fault: Exclude<ZoneFault, "truncate">, name: string): DnsOutcome {
  const reason: FailureReason = fault;
  return { kind: "failed", reason, detail: `${name}: simulated ${fault}` };
}
