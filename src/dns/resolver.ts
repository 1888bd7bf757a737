import { createLimit } from "./limit.ts";
import { isValidDnsName, normalizeName } from "./names.ts";
import { systemTransport } from "./system-client.ts";
import type { DnsOutcome, DnsResolver, QueryLogEntry, RecordType, Transport } from "./types.ts";
import { udpTransport } from "./udp-client.ts";
import { answerFromZones, indexZones, type ZoneData } from "./zones.ts";

/** Where questions go: the machine's resolvers, one given server, or an in-memory zone map (unit tests). */
export type ResolverSpec =
  | { mode: "system"; servers?: string[] }
  | { mode: "udp"; host: string; port: number }
  | { mode: "zones"; zones: ZoneData };

export interface ResolverOptions {
  /** Per attempt. */
  timeoutMs?: number;
  /** Extra attempts after a timeout or network error (never after an answer). */
  retries?: number;
  /** Questions in flight at once. */
  maxInFlight?: number;
}

export const RESOLVER_DEFAULTS = { timeoutMs: 2000, retries: 1, maxInFlight: 32 } as const;

/**
 * The one resolver everything uses: retries, a per-run cache (one question is asked once; concurrent
 * askers share the answer), a query log and a bound on parallel questions.
 */
export function createResolver(spec: ResolverSpec, options: ResolverOptions = {}): DnsResolver {
  const { timeoutMs, retries, maxInFlight } = { ...RESOLVER_DEFAULTS, ...options };
  const transport = transportFor(spec);
  const limit = createLimit(maxInFlight);
  const cache = new Map<string, Promise<DnsOutcome>>();
  const log: QueryLogEntry[] = [];

  const ask = async (name: string, type: RecordType): Promise<DnsOutcome> => {
    const started = performance.now();
    let attempts = 0;
    let outcome: DnsOutcome;
    do {
      attempts++;
      outcome = await limit(() => transport(name, type, timeoutMs));
    } while (outcome.kind === "failed" && isRetryable(outcome.reason) && attempts <= retries);
    log.push(entry(name, type, outcome, performance.now() - started, attempts, false));
    return outcome;
  };

  return {
    log,
    description: describeSpec(spec),
    lookup(rawName, type) {
      const name = normalizeName(rawName);
      if (!isValidDnsName(name)) {
        return Promise.resolve({ kind: "failed", reason: "bad-name", detail: `not a DNS name: ${name}` });
      }
      const key = `${type} ${name}`;
      const cached = cache.get(key);
      if (cached) {
        return cached.then((outcome) => {
          log.push(entry(name, type, outcome, 0, 0, true));
          return outcome as never;
        });
      }
      const pending = ask(name, type);
      cache.set(key, pending);
      return pending as never;
    },
  };
}

function isRetryable(reason: string): boolean {
  return reason === "timeout" || reason === "network";
}

function entry(
  name: string,
  type: RecordType,
  outcome: DnsOutcome,
  ms: number,
  attempts: number,
  fromCache: boolean,
): QueryLogEntry {
  const reason = outcome.kind === "answer" ? undefined : outcome.reason;
  return { name, type, outcome: outcome.kind, reason, ms: Math.round(ms * 10) / 10, attempts, fromCache };
}

function transportFor(spec: ResolverSpec): Transport {
  switch (spec.mode) {
    case "system":
      return systemTransport(spec.servers);
    case "udp":
      return udpTransport(spec.host, spec.port);
    case "zones":
      return zoneTransport(spec.zones);
  }
}

/** Answers from a zone map in memory; simulated timeouts report at once so unit tests stay fast. */
function zoneTransport(zones: ZoneData): Transport {
  const index = indexZones(zones);
  return async (name, type) => answerFromZones(index, name, type).outcome;
}

export function describeSpec(spec: ResolverSpec): string {
  switch (spec.mode) {
    case "system":
      return spec.servers ? `system (${spec.servers.join(", ")})` : "system";
    case "udp":
      return `udp://${spec.host.includes(":") ? `[${spec.host}]` : spec.host}:${spec.port}`;
    case "zones":
      return "zones";
  }
}
