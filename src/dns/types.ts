/** Record types the toolkit asks for, and the shape of each type's records. */
export const RECORD_TYPES = {
  A: "IPv4 address",
  AAAA: "IPv6 address",
  CNAME: "Alias to another name",
  MX: "Mail exchanger (priority, exchange)",
  NS: "Name server",
  PTR: "Reverse-DNS name",
  TXT: "Text record, as its character-string chunks",
} as const;
export type RecordType = keyof typeof RECORD_TYPES;

export interface MxRecord {
  exchange: string;
  priority: number;
}

/** TXT records keep their chunks (join them for SPF/DMARC/DKIM); MX are objects; the rest are names/addresses. */
export type RecordOf<T extends RecordType> = T extends "TXT" ? string[] : T extends "MX" ? MxRecord : string;

/** Why a question got no answer at all: the resolver could not ask, which is never "no record". */
export const FAILURE_REASONS = {
  timeout: "No reply within the timeout, after every retry",
  servfail: "The server answered SERVFAIL (it could not resolve the name)",
  refused: "The server refused the query",
  network: "The server could not be reached (connection refused, unreachable)",
  malformed: "The reply could not be decoded or did not match the question",
  "bad-name": "The name cannot exist in the DNS (empty or over-long label)",
  other: "Another DNS error",
} as const;
export type FailureReason = keyof typeof FAILURE_REASONS;

/**
 * The answer to one question. `none` (NXDOMAIN or NODATA) means the record does not exist;
 * `failed` means we do not know. Callers must never treat `failed` as absence.
 */
export type DnsOutcome<R = unknown> =
  | { kind: "answer"; records: R[] }
  | { kind: "none"; reason: "nxdomain" | "nodata" }
  | { kind: "failed"; reason: FailureReason; detail: string };

/** One question as the transport saw it (cache hits are logged too, marked). */
export interface QueryLogEntry {
  name: string;
  type: RecordType;
  outcome: DnsOutcome["kind"];
  reason?: string;
  /** Wall time in ms including retries (0 for cache hits). */
  ms: number;
  attempts: number;
  fromCache: boolean;
}

export interface DnsResolver {
  lookup<T extends RecordType>(name: string, type: T): Promise<DnsOutcome<RecordOf<T>>>;
  /** Every question asked during this run, in order. */
  readonly log: readonly QueryLogEntry[];
  /** For reports: "system", "udp://127.0.0.1:5353", "zones". */
  readonly description: string;
}

/** A transport answers one attempt; the resolver adds retries, caching, logging and a concurrency bound. */
export type Transport = (name: string, type: RecordType, timeoutMs: number) => Promise<DnsOutcome>;

export function isNoRecord(outcome: DnsOutcome): outcome is Extract<DnsOutcome, { kind: "none" }> {
  return outcome.kind === "none";
}
