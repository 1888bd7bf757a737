import { checkReverseDns } from "../dns/ptr.ts";
import type { DnsResolver } from "../dns/types.ts";

/** Forward-confirmed reverse DNS of the sending IP (Gmail, Yahoo and Apple require a valid PTR). */
export interface PtrCheck {
  ip: string;
  status: "confirmed" | "unconfirmed" | "missing" | "unknown";
  names: string[];
  detail: string;
}

export async function checkPtr(resolver: DnsResolver, ip: string): Promise<PtrCheck> {
  const reverse = await checkReverseDns(resolver, ip);
  switch (reverse.kind) {
    case "invalid":
      return { ip, status: "unknown", names: [], detail: "not an IP address" };
    case "none":
      return { ip, status: "missing", names: [], detail: `no PTR at ${reverse.query}` };
    case "failed":
      return { ip, status: "unknown", names: [], detail: `PTR lookup failed (${reverse.outcome.reason})` };
    case "found": {
      const { names, confirmedBy } = reverse;
      return confirmedBy === null
        ? { ip, status: "unconfirmed", names, detail: `${names.join(", ")} do not resolve back to ${ip}` }
        : { ip, status: "confirmed", names, detail: `${confirmedBy} resolves back to ${ip}` };
    }
  }
}
