import ipaddr from "ipaddr.js";
import { normalizeName, reverseName } from "./names.ts";
import type { DnsOutcome, DnsResolver } from "./types.ts";

/** PTR names checked for a forward match; a hostile reverse zone can list many, each costing a query. */
const MAX_FORWARD_CHECKS = 5;

/**
 * An IP's reverse DNS: its PTR names and the first of them that resolves back to the IP
 * (forward-confirmed reverse DNS, FCrDNS), or why there are none.
 */
export type ReverseDns =
  | { kind: "invalid"; ip: string }
  | { kind: "failed"; ip: string; query: string; outcome: Extract<DnsOutcome, { kind: "failed" }> }
  | { kind: "none"; ip: string; query: string; reason: "nxdomain" | "nodata" }
  | { kind: "found"; ip: string; query: string; names: string[]; confirmedBy: string | null };

/** The PTR/FCrDNS check shared by `audit` (the domain's sending IPs) and `inspect` (the message's sending IP). */
export async function checkReverseDns(resolver: DnsResolver, ip: string): Promise<ReverseDns> {
  const query = reverseName(ip);
  if (query === null) return { kind: "invalid", ip };
  const ptr = await resolver.lookup(query, "PTR");
  if (ptr.kind === "failed") return { kind: "failed", ip, query, outcome: ptr };
  if (ptr.kind === "none") return { kind: "none", ip, query, reason: ptr.reason };
  const names = ptr.records.map(normalizeName);
  const address = ipaddr.process(ip);
  const type = address.kind() === "ipv4" ? "A" : "AAAA";
  const wanted = address.toNormalizedString();
  for (const host of names.slice(0, MAX_FORWARD_CHECKS)) {
    const forward = await resolver.lookup(host, type);
    if (forward.kind === "answer" && forward.records.some((record) => sameAddress(record, wanted)))
      return { kind: "found", ip, query, names, confirmedBy: host };
  }
  return { kind: "found", ip, query, names, confirmedBy: null };
}

function sameAddress(record: string, wanted: string): boolean {
  return ipaddr.isValid(record) && ipaddr.process(record).toNormalizedString() === wanted;
}
