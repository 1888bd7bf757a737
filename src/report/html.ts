import { providerLabel } from "../bounce/vocabulary.ts";
import type { DiagnosisReport } from "../diagnose/report.ts";
import type { Cause, Evidence } from "../diagnose/types.ts";
import { campaignsChart, dailyChart, tiersChart } from "./charts.ts";
import { dmarcHtml } from "./dmarc-html.ts";
import { escapeHtml as e } from "./html-escape.ts";
import { seedsHtml } from "./seeds.ts";

/**
 * One self-contained HTML file: inline CSS and SVG, no script, no external asset (a CSP meta tag forbids
 * any), every string HTML-escaped (replies, campaign names and reply texts come from mail).
 */
export function renderHtml(report: DiagnosisReport): string {
  const { prescriptions: p } = report;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deliverlens diagnosis — ${e(report.provider)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:960px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd}
.cause{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:.8em 0}
.cause.passed{border-color:#c0392b}.cause.unclear{border-color:#f1c40f}
.conf{display:inline-block;width:120px;height:10px;background:#eee;border-radius:5px;vertical-align:middle;margin-right:.5em}
.conf span{display:block;height:10px;border-radius:5px;background:#c0392b}
.muted{color:#777}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}
pre{background:#f6f6f6;padding:1em;white-space:pre-wrap;word-break:break-word}
svg.chart{max-width:100%;height:auto;display:block;margin:.5em 0}
.chart-wrap,.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
details.stats{color:#555;font-size:.92em;margin:.15em 0 .3em}details.stats summary{cursor:pointer;color:#777}
details.data summary{cursor:pointer;color:#555;margin:.3em 0}
@media (max-width:640px){body{margin:1em auto;font-size:15px}svg.chart{min-width:600px}h1{font-size:1.3em}}
</style>
</head>
<body>
<h1>Why ${e(providerLabel(report.provider))} rejects your mail</h1>
${summaryHtml(report.summary)}
<p class="muted">Generated ${e(report.meta.generatedAt)} from ${e(report.meta.store)}${report.meta.offline ? " (offline: no DNS lookups)" : ""}${report.meta.redacted ? "; recipient addresses redacted" : ""}.</p>
<h2>Volume and policy bounces per day</h2>
<div class="chart-wrap">${dailyChart(report)}</div>
${dailyTable(report)}
<h2>Causes, best first</h2>
${report.causes.map(causeHtml).join("\n")}
<h2>Episodes</h2>
${report.episodes.length ? `<div class="table-wrap"><table><tr><th>start</th><th>end</th><th>policy bounces</th><th>sent</th><th>rate</th></tr>${report.episodes.map((x) => `<tr><td>${e(x.start)}</td><td>${e(x.end)}</td><td>${x.policyBounces}</td><td>${x.sent}</td><td>${(x.rate * 100).toFixed(2)} %</td></tr>`).join("")}</table></div>` : "<p>No policy-bounce episode.</p>"}
<h2>Engagement tiers</h2>
<div class="chart-wrap">${tiersChart(report)}</div>
<h2>Campaigns side by side</h2>
<div class="chart-wrap">${campaignsChart(report)}</div>
${campaignsTable(report)}
${report.seeds?.length ? seedsHtml(report.seeds) : ""}
${dmarcHtml(report.dmarc)}
<h2>What to do</h2>
<h3>Suppression / sunset segment</h3>
<p>${p.suppression.suppressTotal.toLocaleString("en-US")} ${e(report.provider)} recipients: ${e(p.suppression.suppress.map((s) => `${s.reason} ${s.recipients}`).join(", ") || "none")} (the same list as <code>${e(p.suppression.command ?? "deliverlens hygiene")}</code>, which without --provider counts every provider's)${p.suppression.export ? ` — exported to ${e(p.suppression.export)}` : ""}.</p>
<h3>Re-engagement</h3>${list(p.reengagement)}
<h3>Warm-up</h3>
<p>Back to ${p.warmup.target.toLocaleString("en-US")} messages/day in ${p.warmup.days} days (×${p.warmup.growth}/day; ${e(p.warmup.source)}): <code>${e(p.warmup.command)}</code></p>
${p.content.length ? `<h3>Content fixes</h3>${list(p.content)}` : ""}
${p.delisting.length ? `<h3>Delisting</h3>${list(p.delisting)}` : ""}
<h3>DNS and authentication</h3>${list(p.dns)}
<h3>Apple escalation note</h3>
<pre class="escalation">${e(p.escalation)}</pre>
</body>
</html>
`;
}

function causeHtml(cause: Cause, index: number): string {
  const kind = cause.id === "insufficient-evidence" ? " unclear" : cause.passed ? " passed" : "";
  return `<div class="cause${kind}" id="cause-${e(cause.id)}">
<h3>${index + 1}. ${e(cause.title)} <small class="muted">(${e(cause.id)})</small></h3>
<p><span class="conf"><span style="width:${Math.round(cause.confidence * 100)}%"></span></span>confidence ${cause.confidence.toFixed(2)}${cause.passed ? "" : " — not supported"}</p>
${evidenceList(cause.evidence)}
${cause.passed && cause.actions.length ? `<p><b>Actions</b></p>${list(cause.actions)}` : ""}
${cause.rulesOut.length ? `<p class="muted">Rules out: ${e(cause.rulesOut.join("; "))}</p>` : ""}
</div>`;
}

/**
 * Statistics in an evidence sentence — a parenthesis holding a rate ratio, a p-value, a σ, a named test
 * — and the evidence's test name: shown one click away, after the plain words.
 */
const STATISTICS =
  /\s*\((?=[^()]*(?:rate ratio|odds ratio|p [<=>≤]|σ|Bonferroni|Mantel|Poisson|Fisher|log-normal|CI\b))[^()]*\)/g;

export function splitStatistics(evidence: Evidence): { plain: string; statistics: string[] } {
  const statistics = [...evidence.text.matchAll(STATISTICS)].map((m) => m[0].trim().slice(1, -1));
  if (evidence.test) statistics.push(`test: ${evidence.test}`);
  return { plain: evidence.text.replace(STATISTICS, ""), statistics };
}

/** The summary in plain words first; its statistics one click away. */
function summaryHtml(summary: string): string {
  const { plain, statistics } = splitStatistics({ text: summary });
  const details = statistics.length
    ? `<details class="stats"><summary>statistics</summary>${e(statistics.join("; "))}</details>`
    : "";
  return `<p class="summary">${e(plain)}</p>${details}`;
}

function evidenceList(evidence: readonly Evidence[]): string {
  const items = evidence.map((item) => {
    const { plain, statistics } = splitStatistics(item);
    const details = statistics.length
      ? `<details class="stats"><summary>statistics</summary>${e(statistics.join("; "))}</details>`
      : "";
    return `<li>${e(plain)}${details}</li>`;
  });
  return items.length ? `<ul>${items.join("")}</ul>` : "";
}

/** The daily chart's numbers as a table (screen readers, copying), folded away. */
function dailyTable(report: DiagnosisReport): string {
  if (report.daily.length === 0) return "";
  const rows = report.daily
    .map(
      (d) =>
        `<tr><td>${e(d.day)}</td><td>${d.sent}</td><td>${d.policyBounces}</td><td>${d.spike ? `spike${d.baseline != null ? ` (baseline ${d.baseline})` : ""}` : ""}${d.episode ? `${d.spike ? ", " : ""}episode` : ""}</td></tr>`,
    )
    .join("");
  return `<details class="data"><summary>The numbers per day (table)</summary><div class="table-wrap"><table><tr><th>day</th><th>sent</th><th>policy bounces</th><th>note</th></tr>${rows}</table></div></details>`;
}

/** The campaigns chart's numbers with whole campaign ids, folded away. */
function campaignsTable(report: DiagnosisReport): string {
  if (report.campaigns.length === 0) return "";
  const rows = report.campaigns
    .map(
      (c) =>
        `<tr><td>${e(c.campaign)}</td><td>${c.sent}</td><td>${c.policy}</td><td>${c.sent ? ((c.policy / c.sent) * 100).toFixed(2) : "0.00"} %</td><td>${c.flagged ? "stands out" : ""}${c.spike ? `${c.flagged ? ", " : ""}spike day` : ""}</td></tr>`,
    )
    .join("");
  return `<details class="data"><summary>Every campaign (table)</summary><div class="table-wrap"><table><tr><th>campaign</th><th>sent</th><th>policy bounces</th><th>rate</th><th>note</th></tr>${rows}</table></div></details>`;
}

function list(items: readonly string[]): string {
  return items.length ? `<ul>${items.map((item) => `<li>${e(item)}</li>`).join("")}</ul>` : "";
}
