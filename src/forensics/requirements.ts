import requirements from "../../data/requirements.json" with { type: "json" };
import type { AuthSection } from "./auth.ts";
import { finding } from "./catalog.ts";
import type { ContentSection } from "./content/section.ts";
import type { Finding } from "./finding.ts";
import type { HeadersSection } from "./headers/section.ts";
import { headerValues, type Message, orgDomain } from "./message.ts";
import type { PtrCheck } from "./ptr.ts";

export type Verdict = "pass" | "fail" | "unknown";

export interface RequirementRow {
  id: string;
  provider: string;
  appliesTo: "all" | "bulk";
  requirement: string;
  /** The deliverlens check that decided the status (shared by rows of several providers). */
  check: string;
  status: Verdict;
  detail: string;
  source: string;
}

export interface RequirementFacts {
  message: Message;
  headers: HeadersSection;
  headerFindings: Finding[];
  auth: AuthSection;
  content: ContentSection;
  ptr: PtrCheck | null;
}

type Check = (facts: RequirementFacts) => [Verdict, string];

const UNVERIFIED = "needs DNS (not checked offline)";

const passed = (result: string | null | undefined): Verdict =>
  result == null ? "unknown" : result === "pass" ? "pass" : "fail";

const spfVerdict = (f: RequirementFacts): Verdict =>
  f.auth.verified && f.auth.spf ? passed(f.auth.spf.result) : "unknown";
const dkimVerdict = (f: RequirementFacts): Verdict => {
  if (f.auth.dkim.length === 0) return "fail";
  if (!f.auth.verified) return "unknown";
  return f.auth.dkim.some((s) => s.result === "pass") ? "pass" : "fail";
};
const both = (a: Verdict, b: Verdict): Verdict =>
  a === "fail" || b === "fail" ? "fail" : a === "pass" && b === "pass" ? "pass" : "unknown";
const either = (a: Verdict, b: Verdict): Verdict =>
  a === "pass" || b === "pass" ? "pass" : a === "fail" && b === "fail" ? "fail" : "unknown";
const describe = (f: RequirementFacts) =>
  `SPF ${f.auth.spf?.result ?? "not checked"}, DKIM ${f.auth.dkim.map((s) => s.result ?? "unverified").join("/") || "absent"}`;

function oneClick(f: RequirementFacts): [Verdict, string] {
  const unsubscribe = headerValues(f.message.email, "list-unsubscribe").join(", ");
  const post = headerValues(f.message.email, "list-unsubscribe-post").join(", ");
  if (!unsubscribe) return ["fail", "no List-Unsubscribe header"];
  if (!/<https:\/\/[^>]+>/i.test(unsubscribe)) return ["fail", "List-Unsubscribe has no https: URI"];
  if (!/^\s*List-Unsubscribe=One-Click\s*$/i.test(post))
    return ["fail", "no List-Unsubscribe-Post: List-Unsubscribe=One-Click"];
  return ["pass", "List-Unsubscribe https + List-Unsubscribe-Post present"];
}

/** The check behind each `check` name in data/requirements.json. */
const CHECKS: Record<string, Check> = {
  "spf-or-dkim": (f) => [either(spfVerdict(f), dkimVerdict(f)), describe(f)],
  "spf-and-dkim": (f) => [both(spfVerdict(f), dkimVerdict(f)), describe(f)],
  spf: (f) => [
    spfVerdict(f),
    f.auth.spf ? `SPF ${f.auth.spf.result}` : f.auth.verified ? "SPF not checked (no client IP)" : UNVERIFIED,
  ],
  dkim: (f) => [dkimVerdict(f), describe(f)],
  "dmarc-published": (f) =>
    f.auth.dmarc
      ? [f.auth.dmarc.result === "none" ? "fail" : "pass", `dmarc=${f.auth.dmarc.result}`]
      : ["unknown", UNVERIFIED],
  "dmarc-pass": (f) =>
    f.auth.dmarc ? [passed(f.auth.dmarc.result), `dmarc=${f.auth.dmarc.result}`] : ["unknown", UNVERIFIED],
  aligned: (f) => {
    if (f.auth.dmarc) {
      const aligned = f.auth.dmarc.spfAligned || f.auth.dmarc.dkimAligned;
      return [
        aligned ? "pass" : "fail",
        `SPF aligned ${f.auth.dmarc.spfAligned}, DKIM aligned ${f.auth.dmarc.dkimAligned}`,
      ];
    }
    return ["unknown", UNVERIFIED];
  },
  "one-click": oneClick,
  "unsubscribe-header": (f) => {
    const value = headerValues(f.message.email, "list-unsubscribe").join(", ");
    return /<(?:https:|mailto:)[^>]+>/i.test(value)
      ? ["pass", value]
      : ["fail", value ? "no https: or mailto: URI" : "no List-Unsubscribe header"];
  },
  "unsubscribe-signed": (f) => {
    if (headerValues(f.message.email, "list-unsubscribe").length === 0)
      return ["fail", "no List-Unsubscribe header"];
    const covering = f.auth.dkim.filter((s) => s.coversListUnsubscribe);
    if (covering.length === 0) return ["fail", "no DKIM signature has both headers in h="];
    if (!f.auth.verified)
      return ["pass", `h= of d=${covering[0].domain} covers both (signature not verified offline)`];
    return covering.some((s) => s.result === "pass")
      ? ["pass", "a passing DKIM signature covers both"]
      : ["fail", "the covering signature does not verify"];
  },
  "visible-unsubscribe": (f) => {
    const body = `${f.message.email.text ?? ""} ${f.message.email.html ?? ""}`;
    return /unsubscribe|opt[- ]?out|désinscri|abmelden|darse de baja/i.test(body)
      ? ["pass", "the body mentions unsubscribing"]
      : ["fail", "no unsubscribe link or wording in the body"];
  },
  rfc5322: (f) => {
    const broken = f.headerFindings.filter((x) =>
      [
        "FROM_MISSING",
        "FROM_MULTIPLE",
        "MESSAGE_ID_MISSING",
        "MESSAGE_ID_MALFORMED",
        "DATE_MISSING",
        "DATE_INVALID",
        "HEADER_DUPLICATED",
      ].includes(x.id),
    );
    return broken.length > 0
      ? ["fail", broken.map((x) => x.id).join(", ")]
      : ["pass", "From, Message-ID, Date well-formed; no duplicated singletons"];
  },
  tls: (f) => {
    if (f.headers.copy === "sent") return ["unknown", "a copy as sent carries no transport record"];
    const last = f.headers.received.findLast((hop) => hop.external);
    if (!last || last.tls === null) return ["unknown", "the receiver's Received header does not say"];
    return [last.tls ? "pass" : "fail", `${last.from ?? "?"} → ${last.by ?? "?"} with ${last.with ?? "?"}`];
  },
  ptr: (f) => {
    if (!f.ptr) return ["unknown", f.auth.envelope.ip ? UNVERIFIED : "no sending IP known (pass --ip)"];
    const verdict: Verdict =
      f.ptr.status === "confirmed" ? "pass" : f.ptr.status === "unknown" ? "unknown" : "fail";
    return [verdict, f.ptr.detail];
  },
  "ptr-domain": (f) => {
    const [verdict, detail] = CHECKS.ptr(f);
    if (verdict !== "pass" || !f.ptr) return [verdict, detail];
    const domains = [f.message.fromOrgDomain, f.auth.envelope.mailFrom?.split("@")[1]]
      .filter((d): d is string => Boolean(d))
      .map((d) => orgDomain(d));
    const own = f.ptr.names.some((name) => domains.includes(orgDomain(name)));
    return [
      own ? "pass" : "fail",
      own ? detail : `${f.ptr.names.join(", ")} is not in ${domains.join(" or ") || "your domain"}`,
    ];
  },
  "arc-on-forwarded": (f) => {
    if (f.headers.arc.length === 0) return ["unknown", "only applies to forwarded mail; none seen"];
    if (f.auth.arc?.result === "fail")
      return ["fail", `ARC chain does not validate: ${f.auth.arc.comment ?? ""}`];
    return ["pass", `${f.headers.arc.length} ARC set(s)${f.auth.arc ? `, arc=${f.auth.arc.result}` : ""}`];
  },
  "no-gmail-spoof": (f) => {
    if (f.message.fromOrgDomain !== "gmail.com")
      return ["pass", `From domain ${f.message.fromDomain ?? "?"}`];
    return ["fail", "From claims gmail.com from a bulk sender"];
  },
  "spam-rate": () => ["unknown", "needs Postmaster Tools / complaint data (see `deliverlens stats`)"],
};

export function evaluateRequirements(facts: RequirementFacts): RequirementRow[] {
  // Several providers' rows share a check: each check runs once per message.
  const verdicts = new Map<string, [Verdict, string]>();
  const verdictOf = (name: string): [Verdict, string] => {
    const check = CHECKS[name];
    return check ? check(facts) : ["unknown", `no check named ${name}`];
  };
  return requirements.entries.map((entry) => {
    const verdict = verdicts.get(entry.check) ?? verdictOf(entry.check);
    verdicts.set(entry.check, verdict);
    const [status, detail] = verdict;
    return {
      id: entry.id,
      provider: entry.provider,
      appliesTo: entry.appliesTo as "all" | "bulk",
      requirement: entry.requirement,
      check: entry.check,
      status,
      detail,
      source: entry.source,
    };
  });
}

/** One finding per failed check (rows of several providers sharing a check are merged; providers listed). */
export function requirementFindings(rows: RequirementRow[]): Finding[] {
  const failed = new Map<string, RequirementRow[]>();
  for (const row of rows.filter((r) => r.status === "fail")) {
    failed.set(row.check, [...(failed.get(row.check) ?? []), row]);
  }
  return [...failed.values()].map((group) => {
    const providers = group.map((row) => `${row.provider} (${row.appliesTo})`).join(", ");
    const severity = group.some((row) => row.appliesTo === "all") ? "high" : "medium";
    return finding(
      "REQUIREMENT_FAILED",
      `${group[0].requirement} — ${providers}: ${group[0].detail}`,
      severity,
    );
  });
}
