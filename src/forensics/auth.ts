import type { AuthenticateResult, DNSResolver } from "mailauth";
import { RSA_MIN_BITS } from "../audit/dkim.ts";
import type { MailauthResolver } from "../dns/mailauth-adapter.ts";
import { finding } from "./catalog.ts";
import type { Finding } from "./finding.ts";
import { tagList } from "./headers/authentication-results.ts";
import type { Hop } from "./headers/received.ts";
import { headerValues, type Message, orgDomain } from "./message.ts";

/** One DKIM-Signature header as written, plus mailauth's verdict when DNS was used. */
export interface DkimSignature {
  domain: string | null;
  selector: string | null;
  algorithm: string | null;
  signedHeaders: string[];
  /** d= has the same organizational domain as From (DMARC relaxed alignment). */
  aligned: boolean;
  coversListUnsubscribe: boolean;
  result: string | null;
  comment: string | null;
  keyBits: number | null;
  /** mailauth refused the key as shorter than 1024 bits (result "policy", dkim-rules=weak-key). */
  weakKey: boolean;
}

export interface AuthSection {
  /** false with --offline: only what the headers show was checked. */
  verified: boolean;
  envelope: {
    ip: string | null;
    mailFrom: string | null;
    helo: string | null;
    source: "options" | "received" | "none";
  };
  dkim: DkimSignature[];
  spf: { result: string; domain: string | null; comment: string | null; lookups: number | null } | null;
  dmarc: {
    result: string;
    policy: string | null;
    domain: string | null;
    spfAligned: boolean;
    dkimAligned: boolean;
    comment: string | null;
  } | null;
  arc: { result: string; instance: number | null; comment: string | null } | null;
  skipped: string[];
}

export interface EnvelopeOptions {
  ip?: string;
  mailFrom?: string;
  helo?: string;
}

export function readDkimSignatures(message: Message): DkimSignature[] {
  return headerValues(message.email, "dkim-signature").map((value) => {
    const tags = tagList(value);
    const signedHeaders = (tags.h ?? "").toLowerCase().split(":").filter(Boolean);
    const domain = tags.d?.toLowerCase() ?? null;
    return {
      domain,
      selector: tags.s ?? null,
      algorithm: tags.a ?? null,
      signedHeaders,
      aligned:
        domain !== null && message.fromOrgDomain !== null && orgDomain(domain) === message.fromOrgDomain,
      coversListUnsubscribe:
        signedHeaders.includes("list-unsubscribe") && signedHeaders.includes("list-unsubscribe-post"),
      result: null,
      comment: null,
      keyBits: null,
      weakKey: false,
    };
  });
}

/** The envelope: options first, else what the receiver recorded in its newest Received hop from a public IP. */
export function envelopeOf(message: Message, hops: Hop[], options: EnvelopeOptions): AuthSection["envelope"] {
  const mailFrom = options.mailFrom ?? defaultMailFrom(message);
  if (options.ip) return { ip: options.ip, mailFrom, helo: options.helo ?? null, source: "options" };
  const hop = hops.findLast((candidate) => candidate.external);
  return hop
    ? { ip: hop.ip, mailFrom, helo: options.helo ?? hop.from, source: "received" }
    : { ip: null, mailFrom, helo: options.helo ?? null, source: "none" };
}

export function offlineAuth(message: Message, envelope: AuthSection["envelope"]): AuthSection {
  return {
    verified: false,
    envelope,
    dkim: readDkimSignatures(message),
    spf: null,
    dmarc: null,
    arc: null,
    skipped: ["DKIM signature verification", "SPF", "DMARC", "ARC chain validation"],
  };
}

export async function verifyAuth(
  message: Message,
  envelope: AuthSection["envelope"],
  resolver: MailauthResolver,
): Promise<AuthSection> {
  const { authenticate } = await import("mailauth");
  const result = await authenticate(message.raw, {
    resolver: resolver as DNSResolver,
    ip: envelope.ip ?? undefined,
    sender: envelope.mailFrom ?? undefined,
    helo: envelope.helo ?? undefined,
    disableBimi: true,
    mta: "deliverlens",
  });
  const section = offlineAuth(message, envelope);
  section.verified = true;
  section.skipped = [];
  mergeDkim(section.dkim, result);
  if (envelope.ip && result.spf) {
    section.spf = {
      result: result.spf.status.result,
      domain: result.spf.domain ?? null,
      comment: result.spf.status.comment ?? null,
      lookups: result.spf.lookups?.count ?? null,
    };
  } else {
    section.skipped.push(
      "SPF (no client IP: pass --ip, or inspect a received copy with the receiver's Received header)",
      "DMARC via SPF alignment (judged on DKIM alone)",
    );
  }
  if (result.dmarc) {
    section.dmarc = {
      result: result.dmarc.status.result,
      policy: result.dmarc.policy ?? null,
      domain: result.dmarc.domain ?? null,
      spfAligned: Boolean(result.dmarc.alignment?.spf?.result),
      dkimAligned: Boolean(result.dmarc.alignment?.dkim?.result),
      comment: result.dmarc.status.comment ?? null,
    };
  }
  if (result.arc) {
    section.arc = {
      result: result.arc.status.result,
      instance: result.arc.i === false ? null : result.arc.i,
      comment: result.arc.status.comment ?? null,
    };
  }
  return section;
}

function mergeDkim(signatures: DkimSignature[], result: AuthenticateResult): void {
  for (const verdict of result.dkim.results) {
    if (!verdict.signingDomain) continue;
    const match = signatures.find(
      (signature) =>
        signature.result === null &&
        signature.domain === verdict.signingDomain?.toLowerCase() &&
        signature.selector === verdict.selector,
    );
    if (!match) continue;
    match.result = verdict.status.result;
    match.comment = verdict.status.comment ?? null;
    match.keyBits = verdict.modulusLength ?? null;
    match.weakKey = verdict.status.policy?.["dkim-rules"] === "weak-key";
    if (match.weakKey && !match.comment) match.comment = "key shorter than 1024 bits (weak-key policy)";
  }
}

export function authFindings(section: AuthSection, message: Message): Finding[] {
  const findings: Finding[] = [];
  const signatures = section.dkim;
  if (signatures.length === 0) findings.push(finding("DKIM_MISSING", "no DKIM-Signature header"));
  else {
    if (section.verified && !signatures.some((s) => s.result === "pass")) {
      findings.push(
        finding(
          "DKIM_FAIL",
          signatures
            .map((s) => `d=${s.domain} s=${s.selector}: ${s.result ?? "?"} ${s.comment ?? ""}`.trim())
            .join("; "),
        ),
      );
    }
    if (!signatures.some((s) => s.aligned)) {
      findings.push(
        finding(
          "DKIM_NOT_ALIGNED",
          `From ${message.fromDomain ?? "?"}; d=${signatures.map((s) => s.domain).join(", ")}`,
        ),
      );
    }
    const weak = signatures.filter((s) => s.weakKey || (s.keyBits !== null && s.keyBits < RSA_MIN_BITS));
    if (weak.length > 0) {
      const evidence = weak.map(
        (s) =>
          `d=${s.domain} s=${s.selector}: ${s.keyBits ? `${s.keyBits} bits` : (s.comment ?? "weak key")}`,
      );
      findings.push(finding("DKIM_WEAK_KEY", evidence.join("; ")));
    }
  }
  if (headerValues(message.email, "list-unsubscribe").length > 0 && signatures.length > 0) {
    const covering = signatures.filter(
      (s) => s.coversListUnsubscribe && (!section.verified || s.result === "pass"),
    );
    if (covering.length === 0) {
      findings.push(
        finding(
          "UNSUBSCRIBE_NOT_SIGNED",
          signatures.map((s) => `d=${s.domain} h=${s.signedHeaders.join(":")}`).join("; "),
        ),
      );
    }
  }
  const spf = section.spf;
  if (spf) {
    const evidence = `${spf.domain ?? "?"} for ${section.envelope.ip}: ${spf.result}${spf.comment ? ` (${spf.comment})` : ""}`;
    if (spf.result === "fail") findings.push(finding("SPF_FAIL", evidence));
    else if (spf.result === "softfail") findings.push(finding("SPF_SOFTFAIL", evidence));
    else if (spf.result === "none") findings.push(finding("SPF_NONE", evidence));
    else if (/^(temperror|permerror|temperr)$/.test(spf.result))
      findings.push(finding("SPF_ERROR", evidence));
  }
  const dmarc = section.dmarc;
  if (dmarc) {
    const evidence = `${dmarc.domain ?? "?"}: dmarc=${dmarc.result}${dmarc.comment ? ` (${dmarc.comment})` : ""}`;
    if (dmarc.result === "none") findings.push(finding("DMARC_MISSING", evidence));
    else if (dmarc.result === "fail") findings.push(finding("DMARC_FAIL", evidence));
    else if (/^(temperror|permerror|temperr)$/.test(dmarc.result))
      findings.push(finding("DMARC_ERROR", evidence));
  }
  if (section.arc?.result === "fail")
    findings.push(
      finding("ARC_FAIL", `arc=fail i=${section.arc.instance ?? "?"} ${section.arc.comment ?? ""}`.trim()),
    );
  return findings;
}

/** MAIL FROM when not given: Return-Path (a received copy), else the From address (a sent copy's best guess). */
function defaultMailFrom(message: Message): string | null {
  return returnPath(message) ?? message.fromAddress;
}

function returnPath(message: Message): string | null {
  const value = headerValues(message.email, "return-path")[0];
  const address = value?.replace(/[<>\s]/g, "");
  return address ? address : null;
}
