import type { ReportFileSummary } from "../dmarc/ingest.ts";
import {
  type DmarcSummary,
  type SourceVerdict,
  THRESHOLDS,
  VERDICTS,
  type Verdict,
} from "../dmarc/summary.ts";
import { escapeLine, paint } from "./terminal.ts";

/**
 * Terminal text for DMARC aggregate and TLS reports: what `ingest` stored of them, and `deliverlens
 * dmarc`'s reading. Everything a report carries (reporter names, domains, ids, file parts) is escaped.
 */

const n = (value: number) => value.toLocaleString("en-US");
const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

/** One line per report file ingested (stdout). */
export function renderReportIngest(files: readonly ReportFileSummary[]): string {
  if (files.length === 0) return "";
  const lines = files.map((f) => {
    const kinds = [f.aggregate > 0 ? `${n(f.aggregate)} DMARC` : "", f.tls > 0 ? `${n(f.tls)} TLS` : ""]
      .filter(Boolean)
      .join(" + ");
    const head = `${escapeLine(f.path)} (reports): ${n(f.reports)} report(s)${kinds ? ` (${kinds})` : ""} = stored ${n(f.stored)} + duplicates ${n(f.duplicates)}`;
    const extra = f.records > 0 ? `; ${n(f.records)} records, ${n(f.messages)} messages` : "";
    const refused = f.problems.length > 0 ? `; refused ${n(f.problems.length)}` : "";
    const notes = f.notes.map((note) => `\n  note: ${escapeLine(note)}`).join("");
    return `${head}${extra}${refused}${notes}`;
  });
  const stored = files.reduce((sum, f) => sum + f.stored, 0);
  const duplicates = files.reduce((sum, f) => sum + f.duplicates, 0);
  const refused = files.reduce((sum, f) => sum + f.problems.length, 0);
  lines.push(
    `${paint("reports", "bold")}: ${n(files.length)} file(s), stored ${n(stored)}, duplicates ${n(duplicates)}, refused ${n(refused)} (see \`deliverlens dmarc\`)`,
  );
  return `${lines.join("\n")}\n`;
}

/** One stderr line per refused report or file: the file, the part, the problem. */
export function reportIngestFailures(files: readonly ReportFileSummary[]): string[] {
  return files.flatMap((f) =>
    f.problems.map(
      (p) =>
        `${paint("could not ingest", "red", process.stderr)} ${escapeLine(f.path)}${p.part ? ` [${escapeLine(p.part)}]` : ""}: ${escapeLine(p.message)}\n`,
    ),
  );
}

const VERDICT_ORDER: Verdict[] = ["unknown", "mixed", "forwarder", "yours"];

function sourceLine(s: SourceVerdict): string {
  const who = s.ptr ? `${escapeLine(s.sourceIp)} (${escapeLine(s.ptr)})` : escapeLine(s.sourceIp);
  const from = s.headerFrom.slice(0, 3).map(escapeLine).join(" ");
  const disposition =
    s.quarantined + s.rejected > 0
      ? `, receivers quarantined ${n(s.quarantined)} rejected ${n(s.rejected)}`
      : "";
  return `  ${who.padEnd(40)} ${n(s.messages).padStart(10)}  DKIM ${pct(s.dkimAlignedRate).padStart(7)}  SPF ${pct(s.spfAlignedRate).padStart(7)}  DMARC ${pct(s.dmarcPassRate).padStart(7)}  from ${from}${disposition}`;
}

/** `deliverlens dmarc` as text. */
export function renderDmarc(summary: DmarcSummary, maxSources = 15): string {
  const out: string[] = [];
  const window =
    summary.filter.from || summary.filter.to
      ? `${summary.filter.from ?? "…"} → ${summary.filter.to ?? "…"}`
      : "every stored report";
  out.push(
    `${paint("deliverlens dmarc", "bold")}: ${window}${summary.filter.domain ? `, domain ${escapeLine(summary.filter.domain)}` : ""} — ${n(summary.reports.aggregate)} aggregate report(s), ${n(summary.reports.tls)} TLS report(s)`,
  );
  if (summary.reports.aggregate === 0 && summary.reports.tls === 0) {
    out.push(
      "no DMARC aggregate or TLS reports stored: ingest them with `deliverlens ingest FILE…` or `deliverlens dmarc fetch`",
    );
    return `${out.join("\n")}\n`;
  }
  for (const d of summary.domains) {
    const policy = `p=${d.policy.p ?? "?"}${d.policy.pct !== null && d.policy.pct < 100 ? ` pct=${d.policy.pct}` : ""}`;
    out.push("");
    out.push(
      `${paint(escapeLine(d.domain), "bold")} (${policy}; ${d.firstDay} → ${d.lastDay}, ${n(d.reports)} report(s)): ${n(d.messages)} messages, DMARC pass ${pct(d.dmarcPassRate)}`,
    );
    if (d.legitimatePassRate !== null) {
      const step = d.nextStep
        ? d.ready
          ? paint(`ready for ${d.nextStep}`, "green")
          : paint(`not ready for ${d.nextStep}`, "yellow")
        : "already at p=reject";
      out.push(
        `  readiness: ${pct(d.legitimatePassRate)} of your own sources' ${n(d.legitimateMessages)} messages pass aligned (threshold ${pct(THRESHOLDS.ready)}): ${step}`,
      );
    }
    if (d.unknownMessages > 0)
      out.push(
        `  ${paint(`${n(d.unknownMessages)} messages from unknown senders`, "red")} (spoofing or a forgotten service)`,
      );
    if (d.forwardedMessages > 0) out.push(`  ${n(d.forwardedMessages)} messages forwarded (not blamed)`);
  }
  out.push("");
  out.push(paint("Sending sources", "bold"));
  for (const verdict of VERDICT_ORDER) {
    const sources = summary.sources.filter((s) => s.verdict === verdict);
    if (sources.length === 0) continue;
    const total = summary.verdicts[verdict];
    out.push(
      `${verdict} — ${VERDICTS[verdict]}: ${n(total.sources)} source(s), ${n(total.messages)} messages`,
    );
    for (const s of sources.slice(0, maxSources)) {
      out.push(sourceLine(s));
      if (s.knownForwarder)
        out.push(
          `      known ${s.knownForwarder.kind}: ${escapeLine(s.knownForwarder.name)} (${s.knownForwarder.source})`,
        );
      if (verdict === "yours" && s.failing > 0)
        out.push(`      failing: ${n(s.failing)} (${pct(s.failing / s.messages)})`);
    }
    if (sources.length > maxSources)
      out.push(`  … ${n(sources.length - maxSources)} more (--json lists all)`);
  }
  if (summary.resolved && summary.operators.length > 0) {
    out.push("");
    out.push(paint("Per operator (PTR domain)", "bold"));
    for (const o of summary.operators.slice(0, maxSources))
      out.push(
        `  ${escapeLine(o.operator).padEnd(32)} ${n(o.sources).padStart(6)} source(s) ${n(o.messages).padStart(10)} messages  DMARC pass ${pct(o.dmarcPassRate).padStart(7)}  ${Object.entries(
          o.verdicts,
        )
          .map(([v, m]) => `${v} ${n(m ?? 0)}`)
          .join(", ")}`,
      );
  }
  if (summary.overrides.length > 0) {
    out.push("");
    out.push(
      `${paint("Receivers' override reasons", "bold")}: ${summary.overrides.map((o) => `${escapeLine(o.reason)} ${n(o.messages)}`).join(", ")}`,
    );
  }
  out.push("");
  out.push(paint("Per reporter", "bold"));
  for (const r of summary.reporters.slice(0, maxSources)) {
    out.push(
      `  ${escapeLine(r.reporter).padEnd(32)} ${n(r.reports).padStart(6)} report(s) ${n(r.messages).padStart(10)} messages  DMARC pass ${pct(r.dmarcPassRate).padStart(7)}  quarantined ${n(r.quarantined)} rejected ${n(r.rejected)}`,
    );
  }
  if (summary.tls.policies.length > 0) {
    out.push("");
    out.push(paint("TLS reports (RFC 8460)", "bold"));
    for (const p of summary.tls.policies)
      out.push(
        `  ${escapeLine(p.policy_domain)} (${escapeLine(p.policy_type)}): ${n(p.successful)} sessions succeeded, ${n(p.failed)} failed, ${n(p.reports)} report(s)`,
      );
    for (const f of summary.tls.failures.slice(0, maxSources))
      out.push(
        `    ${escapeLine(f.receiving_mx ?? "(no MX named)")}: ${escapeLine(f.result_type)} ${n(f.sessions)} session(s) (${n(f.reporters)} reporter(s))`,
      );
  }
  return `${out.join("\n")}\n`;
}
