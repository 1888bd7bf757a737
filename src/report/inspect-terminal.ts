import { AREAS, type Area } from "../forensics/finding.ts";
import type { InspectReport } from "../forensics/inspect.ts";
import { severityLabel } from "./severity-terminal.ts";
import { type Color, escapeLine, paint } from "./terminal.ts";

const STATUS_COLOR: Record<string, Color> = { pass: "green", fail: "red", unknown: "gray" };

/** Human-readable report. Every string that came from the message goes through escapeLine (one line each). */
export function renderReport(file: string, report: InspectReport): string {
  const e = escapeLine;
  const out: string[] = [];
  const m = report.message;
  out.push(paint(`${e(file)}`, "bold"));
  out.push(
    `  Subject: ${e(m.subject ?? "(none)")}   From: ${e(m.from ?? "(none)")}   (${m.copy} copy, ${m.bytes.toLocaleString("en-US")} bytes)`,
  );
  out.push(`  ${e(report.summary)}`);
  const scores = (Object.keys(AREAS) as Area[]).map((area) => {
    const score = report.scores[area].score;
    return `${area} ${paint(String(score), score >= 80 ? "green" : score >= 50 ? "yellow" : "red")}`;
  });
  out.push(`  Scores: ${scores.join("  ")}`);

  out.push(section("Findings"));
  if (report.findings.length === 0) out.push("  none");
  for (const f of report.findings) {
    out.push(`  ${severityLabel(f.severity)} ${f.id}  ${f.title}`);
    out.push(`           evidence: ${e(f.evidence)}`);
    out.push(`           fix: ${f.fix}`);
  }

  out.push(section("Headers"));
  const h = report.headers;
  out.push(`  Received: ${h.received.length} hop(s)`);
  for (const [index, hop] of h.received.entries()) {
    const tls = hop.tls === null ? "" : hop.tls ? " TLS" : " no-TLS";
    const delay = hop.delaySeconds === null ? "" : ` +${hop.delaySeconds}s`;
    out.push(
      `    ${index + 1}. ${e(hop.from ?? "?")}${hop.ip ? ` [${e(hop.ip)}]` : ""} → ${e(hop.by ?? "?")} with ${e(hop.with ?? "?")}${tls} ${hop.time ?? ""}${delay}`,
    );
  }
  for (const ar of h.authenticationResults) {
    out.push(
      `  Authentication-Results ${e(ar.authservId)}: ${ar.results.map((r) => `${e(r.method)}=${e(r.result)}`).join(" ")}`,
    );
  }
  for (const set of h.arc) {
    out.push(`  ARC i=${set.instance}: cv=${e(set.cv ?? "?")} sealed by ${e(set.sealDomain ?? "?")}`);
  }
  if (h.proofpoint) {
    const fields = Object.entries(h.proofpoint.fields).map(
      ([k, v]) =>
        `    ${e(k)}=${e(v.value)}${v.meaning ? ` — ${e(v.meaning)}` : " (undocumented, kept raw)"}`,
    );
    out.push("  Proofpoint X-Proofpoint-Spam-Details:", ...fields);
    if (h.proofpoint.encodedDetailsPresent)
      out.push("    X-Proofpoint-Spam-Details-Enc present: opaque, not decodable");
  }
  if (h.apple) {
    out.push(
      `  Apple: verdict ${h.apple.verdict}; X-ICL-SCORE ${e(h.apple.iclScore ?? "-")} (raw; Apple documents no threshold)`,
    );
    for (const [key, value] of Object.entries(h.apple.other)) out.push(`    ${key}: ${e(value)}`);
  }
  if (h.microsoft) {
    out.push(
      `  Microsoft: SCL ${h.microsoft.scl ?? "-"} BCL ${h.microsoft.bcl ?? "-"} SFV ${e(h.microsoft.sfv ?? "-")} org-SCL ${h.microsoft.organizationScl ?? "-"}`,
    );
  }
  if (h.spamassassin) {
    const sa = h.spamassassin;
    out.push(
      `  SpamAssassin: ${sa.flagged === null ? "?" : sa.flagged ? "spam" : "ham"} score ${sa.score ?? "?"}/${sa.required ?? "?"} ${e(sa.tests.join(","))}`,
    );
  }

  out.push(section("Authentication"));
  const a = report.auth;
  const env = a.envelope;
  out.push(
    `  Envelope (${env.source}): ip ${e(env.ip ?? "-")}  mail-from ${e(env.mailFrom ?? "-")}  helo ${e(env.helo ?? "-")}`,
  );
  if (a.dkim.length === 0) out.push("  DKIM: no signature");
  for (const s of a.dkim) {
    const verdict = s.result ?? (a.verified ? "?" : "not verified");
    out.push(
      `  DKIM d=${e(s.domain ?? "?")} s=${e(s.selector ?? "?")}: ${e(verdict)}; aligned ${s.aligned}; h= covers List-Unsubscribe(+Post) ${s.coversListUnsubscribe}`,
    );
  }
  if (a.spf)
    out.push(
      `  SPF ${e(a.spf.domain ?? "?")}: ${e(a.spf.result)}${a.spf.comment ? ` (${e(a.spf.comment)})` : ""}`,
    );
  if (a.dmarc)
    out.push(`  DMARC ${e(a.dmarc.domain ?? "?")}: ${e(a.dmarc.result)} policy ${e(a.dmarc.policy ?? "-")}`);
  if (a.arc) out.push(`  ARC: ${e(a.arc.result)}`);

  out.push(section("Bulk-sender requirements"));
  for (const row of report.requirements.rows) {
    out.push(
      `  ${paint(row.status.toUpperCase().padEnd(7), STATUS_COLOR[row.status])} ${row.provider.padEnd(9)} ${row.requirement} — ${e(row.detail)}`,
    );
  }

  out.push(section("Content"));
  const c = report.content;
  out.push(
    `  ${c.words} words, ${c.links} links (${c.linksPer100Words}/100 words), ${c.images} images, HTML ${Math.round(c.htmlBytes / 1024)} KB, text/plain ${c.hasTextPart ? "yes" : "no"}`,
  );
  out.push(`  Link domains: ${e(c.linkDomains.join(", ") || "none")}`);
  if (c.attachments.length > 0)
    out.push(`  Attachments: ${c.attachments.map((x) => e(x.filename || x.mimeType)).join(", ")}`);

  out.push(section("Link reputation"));
  if (!report.links.checked) out.push("  not checked (offline)");
  for (const d of report.links.domains) {
    if (!report.links.checked) continue;
    const verdicts = d.verdicts.map((v) => `${v.list}: ${v.status}`).join("; ");
    out.push(`  ${e(d.domain)}: ${e(verdicts || "no list answered")}`);
  }
  if (report.links.notChecked)
    out.push(`  not looked up (over the limit): ${e(report.links.notChecked.join(", "))}`);
  if (report.skipped.length > 0) out.push(section("Skipped"), ...report.skipped.map((s) => `  ${s}`));
  return out.join("\n");
}

function section(title: string): string {
  return `\n${paint(title, "bold")}`;
}
