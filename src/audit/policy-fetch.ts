import { get } from "node:https";
import type { LookupFunction } from "node:net";
import type { DnsResolver } from "../dns/types.ts";
import type { PolicyFetcher } from "./context.ts";

const MAX_POLICY_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 5000;

export interface FetcherOptions {
  /** 443 in production (RFC 8461 3.3); tests serve on another port. */
  port?: number;
  /** Extra trusted CA (tests use a self-signed certificate). */
  ca?: string | Buffer;
  timeoutMs?: number;
}

/**
 * Fetch https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 3.3): the host is resolved with the
 * shared resolver, the certificate must be valid for the name, no redirects, bounded size and time.
 */
export function createMtaStsFetcher(resolver: DnsResolver, options: FetcherOptions = {}): PolicyFetcher {
  const { port = 443, ca, timeoutMs = FETCH_TIMEOUT_MS } = options;
  return (domain) =>
    new Promise((resolve) => {
      const url = `https://mta-sts.${domain}${port === 443 ? "" : `:${port}`}/.well-known/mta-sts.txt`;
      const request = get(url, { timeout: timeoutMs, ca, lookup: resolverLookup(resolver) }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          resolve({ ok: false, error: `${url}: HTTP ${response.statusCode}` });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_POLICY_BYTES) {
            request.destroy();
            resolve({ ok: false, error: `${url}: larger than ${MAX_POLICY_BYTES} bytes` });
          } else chunks.push(chunk);
        });
        response.on("end", () => resolve({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
      });
      request.on("timeout", () => request.destroy(new Error("timeout")));
      request.on("error", (error) => resolve({ ok: false, error: `${url}: ${error.message}` }));
    });
}

/** A `lookup` for node:https that asks the shared resolver (A, then AAAA). */
function resolverLookup(resolver: DnsResolver): LookupFunction {
  return (hostname, options, callback) => {
    void (async () => {
      for (const [type, family] of [
        ["A", 4],
        ["AAAA", 6],
      ] as const) {
        const outcome = await resolver.lookup(hostname, type);
        if (outcome.kind !== "answer") continue;
        const addresses = outcome.records.map((address) => ({ address, family }));
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0].address, family);
        return;
      }
      const error: NodeJS.ErrnoException = new Error(`${hostname}: no address`);
      error.code = "ENOTFOUND";
      callback(error, "", 4);
    })();
  };
}
