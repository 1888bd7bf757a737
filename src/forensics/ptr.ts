import ipaddr from "ipaddr.js";
import { reverseName } from "../dns/names.ts";
import type { DnsResolver } from "../dns/types.ts";

/** Forward-confirmed reverse DNS of the sending IP (Gmail, Yahoo and Apple require a valid PTR). */
export interface PtrCheck {
  ip: string;
  status: "confirmed" | "unconfirmed" | "missing" | "unknown";
  names: string[];
  detail: string;
}

export async function checkPtr(resolver: DnsResolver, ip: string): Promise<PtrCheck> {
  const name = reverseName(ip);
  if (name === null) return { ip, status: "unknown", names: [], detail: "not an IP address" };
  const ptr = await resolver.lookup(name, "PTR");
  if (ptr.kind === "none") return { ip, status: "missing", names: [], detail: `no PTR at ${name}` };
  if (ptr.kind === "failed")
    return { ip, status: "unknown", names: [], detail: `PTR lookup failed (${ptr.reason})` };
  const names = ptr.records.map((record) => record.replace(/\.$/, "").toLowerCase());
  const type = ipaddr.process(ip).kind() === "ipv4" ? "A" : "AAAA";
  const wanted = ipaddr.process(ip).toNormalizedString();
  for (const host of names.slice(0, 5)) {
    const forward = await resolver.lookup(host, type);
    if (forward.kind !== "answer") continue;
    if (
      forward.records.some(
        (address) => ipaddr.isValid(address) && ipaddr.process(address).toNormalizedString() === wanted,
      )
    ) {
      return { ip, status: "confirmed", names, detail: `${host} resolves back to ${ip}` };
    }
  }
  return { ip, status: "unconfirmed", names, detail: `${names.join(", ")} do not resolve back to ${ip}` };
}
