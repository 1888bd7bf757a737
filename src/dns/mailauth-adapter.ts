import type { DnsOutcome, DnsResolver, FailureReason, RecordType } from "./types.ts";
import { RECORD_TYPES } from "./types.ts";

/** The resolver signature mailauth 7 takes as its `resolver` option (that of `dns.promises.resolve`). */
export type MailauthResolver = (name: string, rrtype: string) => Promise<unknown>;

const FAILURE_CODES: Record<FailureReason, string> = {
  timeout: "ETIMEOUT",
  servfail: "ESERVFAIL",
  refused: "EREFUSED",
  network: "ECONNREFUSED",
  malformed: "EBADRESP",
  "bad-name": "EBADNAME",
  other: "ESERVFAIL",
};

/**
 * Adapt our resolver to mailauth: records as `dns.promises.resolve` returns them, and errors with
 * Node's codes so mailauth tells "no record" (ENOTFOUND/ENODATA: void lookup) from "could not ask"
 * (ETIMEOUT/ESERVFAIL/EREFUSED: temperror).
 */
export function toMailauthResolver(resolver: DnsResolver): MailauthResolver {
  return async (name, rrtype) => {
    const type = rrtype.toUpperCase();
    if (!(type in RECORD_TYPES)) throw dnsError("ENOTIMP", name, `record type ${rrtype} not supported`);
    const outcome: DnsOutcome = await resolver.lookup(name, type as RecordType);
    switch (outcome.kind) {
      case "answer":
        // copies: the records are shared through the per-run cache and mailauth may reorder them
        return outcome.records.map((record) =>
          Array.isArray(record)
            ? [...record]
            : typeof record === "object" && record !== null
              ? { ...record }
              : record,
        );
      case "none":
        return Promise.reject(
          dnsError(outcome.reason === "nxdomain" ? "ENOTFOUND" : "ENODATA", name, outcome.reason),
        );
      case "failed":
        return Promise.reject(dnsError(FAILURE_CODES[outcome.reason], name, outcome.detail));
    }
  };
}

function dnsError(code: string, name: string, detail: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`query ${name}: ${code} (${detail})`);
  error.code = code;
  return error;
}
