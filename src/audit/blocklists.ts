import { randomBytes } from "node:crypto";
import ipaddr from "ipaddr.js";
import { normalizeName, reversedIp } from "../dns/names.ts";
import type { DnsResolver } from "../dns/types.ts";
import type { Blocklist, BlocklistData, ListCode, RetiredList } from "./blocklist-data.ts";

/** What one list said about one IP or domain. `unknown` and `unavailable` are never listings. */
export type ListVerdict =
  | { status: "listed"; answers: string[]; meanings: ListCode[]; text?: string }
  /** A reputation scale answered without a listing (Mailspike neutral/good). */
  | { status: "reputation"; answers: string[]; meanings: ListCode[] }
  | { status: "clear" }
  /** The list refused the query or the lookup failed: error answer, timeout, SERVFAIL, rewritten answer. */
  | { status: "unknown"; why: string; fix: string; answers?: string[] }
  /** The list's test point did not answer as documented, so none of its answers can be trusted. */
  | { status: "unavailable"; why: string; fix: string }
  | { status: "retired"; why: string; source: string };

export interface ListResult {
  list: string;
  name: string;
  zone: string;
  target: string;
  kind: "ip" | "domain";
  scale: Blocklist["scale"];
  verdict: ListVerdict;
  delist?: string;
}

export interface ProbeResult {
  list: string;
  name: string;
  zone: string;
  testPoint: string;
  /** ok: the test point is listed (and the negative points are not). */
  ok: boolean;
  /** What the positive test point got: an answer proves the resolver answers names that exist. */
  positive: "answered" | "none" | "failed";
  detail: string;
}

export interface BlocklistReport {
  /** Test-point probes, reported apart from the audited targets. */
  probes: ProbeResult[];
  results: ListResult[];
}

export interface BlocklistTargets {
  ips?: string[];
  domains?: string[];
}

/**
 * Check IPs and domains against the configured lists: probe each list's test point first, then ask
 * every (target, list) pair in parallel (the resolver bounds concurrency, times out and retries).
 */
export async function checkBlocklists(
  resolver: DnsResolver,
  targets: BlocklistTargets,
  data: BlocklistData,
): Promise<BlocklistReport> {
  const active = data.lists.filter((list) => !retiredFor(list, data.retired));
  const probes = await Promise.all(active.map((list) => probe(resolver, list)));
  const probeById = new Map(probes.map((p) => [p.list, p]));
  const jobs: Promise<ListResult>[] = [];
  for (const list of data.lists) {
    const wanted = list.kind === "ip" ? (targets.ips ?? []) : (targets.domains ?? []);
    const retired = retiredFor(list, data.retired);
    const probeResult = probeById.get(list.id);
    for (const target of wanted) {
      jobs.push(
        (async (): Promise<ListResult> => {
          const base = {
            list: list.id,
            name: list.name,
            zone: list.zone,
            target,
            kind: list.kind,
            scale: list.scale,
            delist: list.delist,
          };
          if (retired)
            return {
              ...base,
              verdict: { status: "retired", why: retired.explanation, source: retired.source },
            };
          if (probeResult && !probeResult.ok) {
            return {
              ...base,
              verdict: {
                status: "unavailable",
                why: `test point failed: ${probeResult.detail}`,
                fix: list.refusedFix,
              },
            };
          }
          return { ...base, verdict: await query(resolver, list, target) };
        })(),
      );
    }
  }
  return { probes, results: await Promise.all(jobs) };
}

function retiredFor(list: Blocklist, retired: RetiredList[]): RetiredList | undefined {
  return retired.find((r) => list.zone === r.zone || list.zone.endsWith(`.${r.zone}`));
}

/** The DNSBL query name: reversed IP (RFC 5782 §2.1) or the domain (§2.2), under the zone. */
export function listQueryName(list: Blocklist, target: string): string | null {
  if (list.kind === "ip") {
    const reversed = reversedIp(target);
    return reversed === null ? null : `${reversed}.${list.zone}`;
  }
  if (ipaddr.isValid(target)) return null;
  return `${normalizeName(target)}.${list.zone}`;
}

async function query(resolver: DnsResolver, list: Blocklist, target: string): Promise<ListVerdict> {
  const name = listQueryName(list, target);
  if (name === null) {
    return {
      status: "unknown",
      why: `"${target}" is not a valid ${list.kind === "ip" ? "IP address" : "domain"}`,
      fix: "Check the input",
    };
  }
  const outcome = await resolver.lookup(name, "A");
  if (outcome.kind === "none") return { status: "clear" };
  if (outcome.kind === "failed") {
    return {
      status: "unknown",
      why: `lookup failed (${outcome.reason}: ${outcome.detail})`,
      fix: list.refusedFix,
    };
  }
  const verdict = decodeAnswers(list, outcome.records);
  if (verdict.status === "listed") {
    const txt = await resolver.lookup(name, "TXT");
    if (txt.kind === "answer") verdict.text = txt.records.map((chunks) => chunks.join("")).join(" | ");
  }
  return verdict;
}

/** Decode A answers: error answers first (never listings), then the list's codes. */
export function decodeAnswers(list: Blocklist, answers: string[]): ListVerdict {
  const errors = answers.flatMap((answer) => errorMeanings(list, answer));
  if (errors.length > 0) return { status: "unknown", why: errors.join("; "), fix: list.refusedFix, answers };
  const outside = answers.filter((answer) => !answer.startsWith("127."));
  if (outside.length > 0) {
    return {
      status: "unknown",
      why: `answer ${outside.join(", ")} is outside 127.0.0.0/8: the resolver rewrites NXDOMAIN or the zone is hijacked`,
      fix: list.refusedFix,
      answers,
    };
  }
  const meanings = answers.flatMap((answer) => codeMeanings(list, answer));
  const listing = meanings.some((m) => m.listing !== false) || meanings.length === 0;
  if (!listing) return { status: "reputation", answers, meanings };
  if (meanings.length === 0) {
    const unknownCode: ListCode = {
      meaning: `return code ${answers.join(", ")} is not documented in the data file`,
      severity: "medium",
    };
    return { status: "listed", answers, meanings: [unknownCode] };
  }
  return { status: "listed", answers, meanings: meanings.filter((m) => m.listing !== false) };
}

function errorMeanings(list: Blocklist, answer: string): string[] {
  const exact = (list.errorAnswers ?? [])
    .filter((e) => e.answer === answer)
    .map((e) => `${answer}: ${e.meaning}`);
  if (exact.length > 0) return exact;
  if (list.scale === "bitmask") {
    const last = lastOctet(answer);
    return (list.errorBits ?? []).filter((e) => (last & e.bit) !== 0).map((e) => `${answer}: ${e.meaning}`);
  }
  return [];
}

function codeMeanings(list: Blocklist, answer: string): ListCode[] {
  if (list.scale === "bitmask") {
    const last = lastOctet(answer);
    return list.codes.filter((code) => code.bit !== undefined && (last & code.bit) !== 0);
  }
  return list.codes.filter((code) => code.answer === answer);
}

function lastOctet(answer: string): number {
  return Number(answer.split(".").at(-1)) || 0;
}

/**
 * RFC 5782 §5 negative test points: an IPv4 list must not list 127.0.0.1, a domain list must not list
 * INVALID. A random label catches zones (or resolvers) that answer every name.
 */
export function negativeProbeNames(list: Blocklist, randomLabel: string): string[] {
  const standard = list.kind === "ip" ? "127.0.0.1" : "invalid";
  const named = [list.testPoint.unlisted, standard].filter((t): t is string => Boolean(t));
  const names = [...new Set(named)].map((target) => listQueryName(list, target)).filter((n) => n !== null);
  return [...names, `${randomLabel}.${list.zone}`];
}

async function probe(resolver: DnsResolver, list: Blocklist): Promise<ProbeResult> {
  const base = { list: list.id, name: list.name, zone: list.zone, testPoint: list.testPoint.listed };
  const positive = await query(resolver, list, list.testPoint.listed);
  if (positive.status !== "listed" && positive.status !== "reputation") {
    const why =
      positive.status === "unknown" ? positive.why : `test point ${list.testPoint.listed} is not listed`;
    const answered = positive.status === "unknown" && positive.answers ? "answered" : "failed";
    return { ...base, ok: false, positive: positive.status === "clear" ? "none" : answered, detail: why };
  }
  const label = `deliverlens-probe-${randomBytes(6).toString("hex")}`;
  for (const name of negativeProbeNames(list, label)) {
    const outcome = await resolver.lookup(name, "A");
    if (outcome.kind !== "answer") continue;
    const verdict = decodeAnswers(list, outcome.records);
    if (verdict.status === "listed" || verdict.status === "unknown") {
      return {
        ...base,
        ok: false,
        positive: "answered",
        detail: `${name} must not be listed but answers ${outcome.records.join(", ")}: the zone (or the resolver) answers every name`,
      };
    }
  }
  return {
    ...base,
    ok: true,
    positive: "answered",
    detail: `test point ${list.testPoint.listed} answers as documented`,
  };
}
