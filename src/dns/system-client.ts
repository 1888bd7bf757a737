import { promises as dns } from "node:dns";
import type { DnsOutcome, FailureReason, RecordType, Transport } from "./types.ts";

const ERROR_CODES: Record<string, DnsOutcome> = {
  ENOTFOUND: { kind: "none", reason: "nxdomain" },
  ENODATA: { kind: "none", reason: "nodata" },
};
const FAILURE_CODES: Record<string, FailureReason> = {
  ETIMEOUT: "timeout",
  ESERVFAIL: "servfail",
  EREFUSED: "refused",
  ECONNREFUSED: "network",
  EBADNAME: "bad-name",
  EBADRESP: "malformed",
  EFORMERR: "malformed",
};

/**
 * The machine's configured resolvers (or given servers) through c-ares. c-ares retries itself, so the
 * resolver wrapper asks it once per attempt with tries: 1.
 */
export function systemTransport(servers?: string[]): Transport {
  const clients = new Map<number, dns.Resolver>();
  const clientFor = (timeoutMs: number) => {
    let client = clients.get(timeoutMs);
    if (!client) {
      client = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
      if (servers) client.setServers(servers);
      clients.set(timeoutMs, client);
    }
    return client;
  };
  return async (name: string, type: RecordType, timeoutMs: number): Promise<DnsOutcome> => {
    try {
      const records = await resolveAs(clientFor(timeoutMs), name, type);
      return records.length > 0 ? { kind: "answer", records } : { kind: "none", reason: "nodata" };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      const detail = error instanceof Error ? error.message : String(error);
      return ERROR_CODES[code] ?? { kind: "failed", reason: FAILURE_CODES[code] ?? "other", detail };
    }
  };
}

async function resolveAs(client: dns.Resolver, name: string, type: RecordType): Promise<unknown[]> {
  switch (type) {
    case "TXT":
      return client.resolveTxt(name);
    case "MX":
      return (await client.resolveMx(name)).map((mx) => ({
        exchange: mx.exchange.toLowerCase(),
        priority: mx.priority,
      }));
    case "CNAME":
      return client.resolveCname(name);
    case "NS":
      return client.resolveNs(name);
    case "PTR":
      return client.resolvePtr(name);
    case "A":
      return client.resolve4(name);
    case "AAAA":
      return client.resolve6(name);
  }
}
