import ipaddr from "ipaddr.js";
import received from "mailauth/lib/parse-received.js";
import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";

/** One Received header as a hop, in travel order (oldest first). */
export interface Hop {
  from: string | null;
  /** Client IP the receiving server recorded, when it wrote one. */
  ip: string | null;
  /** The client IP is one another organization's server could use (not loopback/private/link-local). */
  external: boolean;
  by: string | null;
  with: string | null;
  /** true when the hop says it used TLS (ESMTPS/ESMTPSA or a TLS/cipher comment); null when unknown. */
  tls: boolean | null;
  time: string | null;
  /** Seconds since the previous hop's time stamp (null when either is missing). */
  delaySeconds: number | null;
}

const SLOW_HOP_SECONDS = 3600;
/** RFC 3848 "with" keywords that say TLS was used. */
const TLS_WITH = /^(esmtps|esmtpsa|utf8smtps|utf8smtpsa)$/i;
/** Local or same-host hops (submission, fetchmail, LMTP) say nothing about server-to-server TLS. */
const LOCAL_WITH = /^(local|lmtp|http|pop3|imap|ssmtp|smtpa|esmtpa)$/i;

export function parseHops(receivedValues: string[]): Hop[] {
  const hops: Hop[] = [];
  let previousMs: number | null = null;
  for (let index = receivedValues.length - 1; index >= 0; index--) {
    const parsed = received.parseReceived(`Received: ${receivedValues[index]}`);
    if (!parsed) continue;
    const withValue = parsed.with?.value ?? null;
    const ms = parsed.timestamp ? Date.parse(parsed.timestamp.trim()) : Number.NaN;
    const timeMs = Number.isNaN(ms) ? null : ms;
    const ip = parsed.from ? received.getClientAddress(parsed.from) || null : null;
    hops.push({
      from: parsed.from?.value ?? null,
      ip,
      external: ip !== null && isPublicIp(ip),
      by: parsed.by?.value ?? null,
      with: withValue,
      tls: parsed.tls || TLS_WITH.test(withValue ?? "") ? true : withValue ? false : null,
      time: timeMs === null ? null : new Date(timeMs).toISOString(),
      delaySeconds: timeMs !== null && previousMs !== null ? Math.round((timeMs - previousMs) / 1000) : null,
    });
    if (timeMs !== null) previousMs = timeMs;
  }
  return hops;
}

export function hopFindings(hops: Hop[]): Finding[] {
  const findings: Finding[] = [];
  // Only hops a server wrote in full: fetchmail/POP/LMTP pick-ups measure when someone collected mail.
  const slow = hops.filter(
    (hop) =>
      hop.delaySeconds !== null &&
      hop.delaySeconds > SLOW_HOP_SECONDS &&
      hop.by !== null &&
      hop.with !== null &&
      !LOCAL_WITH.test(hop.with),
  );
  if (slow.length > 0) {
    const evidence = slow.map((hop) => `${hop.by ?? "?"} +${Math.round((hop.delaySeconds ?? 0) / 60)} min`);
    findings.push(finding("RECEIVED_SLOW_HOP", evidence.join("; ")));
  }
  const plain = hops.filter((hop) => hop.tls === false && hop.external && !LOCAL_WITH.test(hop.with ?? ""));
  if (plain.length > 0) {
    const evidence = plain.map((hop) => `${hop.from ?? "?"} → ${hop.by ?? "?"} with ${hop.with}`);
    findings.push(finding("RECEIVED_WITHOUT_TLS", evidence.join("; ")));
  }
  return findings;
}

/** Ranges that never identify a sending server on the internet. Documentation ranges stay (tests use them). */
const LOCAL_RANGES = new Set([
  "loopback",
  "private",
  "linkLocal",
  "unspecified",
  "uniqueLocal",
  "carrierGradeNat",
  "broadcast",
  "multicast",
]);

/** An address another organization's server could connect from (not loopback, private, link-local…). */
export function isPublicIp(ip: string): boolean {
  return ipaddr.isValid(ip) && !LOCAL_RANGES.has(ipaddr.process(ip).range());
}
