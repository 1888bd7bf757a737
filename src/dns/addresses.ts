import type { DnsResolver } from "./types.ts";

/** A and AAAA addresses of a host, asked together: null when both lookups failed, [] when it has none. */
export async function hostAddresses(resolver: DnsResolver, name: string): Promise<string[] | null> {
  const [v4, v6] = await Promise.all([resolver.lookup(name, "A"), resolver.lookup(name, "AAAA")]);
  if (v4.kind === "failed" && v6.kind === "failed") return null;
  return [...(v4.kind === "answer" ? v4.records : []), ...(v6.kind === "answer" ? v6.records : [])];
}
