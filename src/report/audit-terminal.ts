import type { AuditReport } from "../audit/audit.ts";
import type { ListResult } from "../audit/blocklists.ts";
import { type AuditFinding, SECTIONS, type Section } from "../audit/findings.ts";
import { SEVERITY_ORDER } from "../util/severity.ts";
import { paintSeverity, severityLabel } from "./severity-terminal.ts";
import { paint, escapeLine as safe } from "./terminal.ts";

const TITLES: Record<Section, string> = {
  dns: "DNS resolver",
  spf: "SPF",
  dmarc: "DMARC",
  dkim: "DKIM",
  mx: "MX",
  ptr: "Reverse DNS (PTR)",
  mtaSts: "MTA-STS",
  tlsRpt: "TLS-RPT",
  bimi: "BIMI",
  blocklists: "Blocklists",
};

/** Human report: a summary line, then each section's facts and its findings (DNS text escaped). */
export function renderAudit(report: AuditReport): string {
  const lines: string[] = [];
  const ips = report.ips.length > 0 ? ` (IPs ${report.ips.join(", ")})` : "";
  lines.push(paint(`deliverlens audit — ${safe(report.domain)}${ips} via ${report.resolver}`, "bold"));
  const counts = SEVERITY_ORDER.map(
    (s) => [s, report.findings.filter((f) => f.severity === s).length] as const,
  ).filter(([, n]) => n > 0);
  lines.push(
    `Findings: ${counts.map(([s, n]) => paintSeverity(`${n} ${s}`, s)).join(", ") || paint("none", "green")}`,
  );
  for (const section of Object.keys(SECTIONS) as Section[]) {
    if (section === "dns" && !report.findings.some((f) => f.section === "dns")) continue;
    lines.push("", paint(TITLES[section], "bold"));
    for (const fact of facts(report, section)) lines.push(`  ${safe(fact)}`);
    for (const finding of report.findings.filter((f) => f.section === section))
      lines.push(...renderFinding(finding));
  }
  const dns = report.dns;
  lines.push(
    "",
    paint(
      `DNS: ${dns.questions} questions, ${dns.cached} answered from cache, ${dns.failed} failed, ${dns.ms} ms`,
      "dim",
    ),
  );
  return `${lines.join("\n")}\n`;
}

function renderFinding(finding: AuditFinding): string[] {
  const label = severityLabel(finding.severity);
  return [
    `  ${label} ${finding.id}: ${finding.title}`,
    `           ${paint("seen:", "dim")} ${safe(finding.evidence)}`,
    `           ${paint("fix:", "dim")}  ${safe(finding.fix)}`,
  ];
}

function facts(report: AuditReport, section: Section): string[] {
  switch (section) {
    case "dns":
      return [];
    case "spf": {
      const spf = report.spf;
      if (spf.records.length === 0) return [];
      return [
        ...spf.records.map((r) => `record: ${r}`),
        `DNS lookups ${spf.lookups}/${spf.lookupLimit}, void lookups ${spf.voidLookups}/${spf.voidLimit}`,
        ...spf.ips.map(
          (ip) => `${ip.ip}: ${ip.result}${ip.matched.length ? ` via ${ip.matched.join(" → ")}` : ""}`,
        ),
        ...(spf.envelope?.results ?? []).map(
          (r) => `MAIL FROM ${spf.envelope!.mailFrom} from ${r.ip}: ${r.result}`,
        ),
      ];
    }
    case "dmarc": {
      const d = report.dmarc;
      if (!d.record) return [];
      return [
        `record at _dmarc.${d.recordDomain}: ${d.record}`,
        `organizational domain: ${d.orgDomain} (RFC 9989 tree walk), ${d.pslOrgDomain ?? "none"} (RFC 7489 PSL)`,
      ];
    }
    case "dkim":
      return report.dkim.keys
        .filter((k) => k.status === "found")
        .map(
          (k) =>
            `${k.name}: ${k.revoked ? "revoked" : `${k.keyType}${k.bits ? ` ${k.bits} bits` : ""}`}${k.testing ? ", t=y" : ""}`,
        );
    case "mx":
      if (report.mx.nullMx) return ["null MX"];
      return report.mx.hosts.map(
        (h) => `${h.priority} ${h.exchange} ${h.addresses ? h.addresses.join(", ") : "(lookup failed)"}`,
      );
    case "ptr":
      return report.ptr.map(
        (p) =>
          `${p.ip} → ${p.names.join(", ") || "(none)"}${p.names.length ? (p.forwardConfirmed ? " (forward-confirmed)" : " (not forward-confirmed)") : ""}`,
      );
    case "mtaSts": {
      const m = report.mtaSts;
      if (!m.record) return [];
      const policy =
        m.policy.status === "skipped"
          ? "policy not fetched (use --online)"
          : `policy ${m.policy.status}${m.policy.mode ? `: mode ${m.policy.mode}` : ""}`;
      return [`record: ${m.record}`, policy];
    }
    case "tlsRpt":
      return report.tlsRpt.record ? [`record: ${report.tlsRpt.record}`] : [];
    case "bimi":
      return report.bimi.record ? [`record: ${report.bimi.record}`] : [];
    case "blocklists":
      return blocklistFacts(report);
  }
}

function blocklistFacts(report: AuditReport): string[] {
  const { probes, results } = report.blocklists;
  const failed = probes.filter((p) => !p.ok);
  const lines = [
    `test points: ${probes.length - failed.length}/${probes.length} lists answered as documented`,
  ];
  const targets = [...new Set(results.map((r) => r.target))];
  for (const target of targets) {
    const mine = results.filter((r) => r.target === target);
    const by = (status: ListResult["verdict"]["status"]) =>
      mine.filter((r) => r.verdict.status === status).map((r) => r.name);
    const parts = [
      `clear on ${by("clear").length}`,
      by("listed").length ? `LISTED on ${by("listed").join(", ")}` : "",
      by("reputation").length
        ? `reputation: ${mine
            .flatMap((r) => (r.verdict.status === "reputation" ? [r.verdict.meanings[0]?.meaning] : []))
            .join(", ")}`
        : "",
      by("unknown").length ? `unknown on ${by("unknown").join(", ")}` : "",
      by("unavailable").length ? `unavailable: ${by("unavailable").join(", ")}` : "",
    ].filter(Boolean);
    lines.push(`${target}: ${parts.join("; ")}`);
  }
  return lines;
}
