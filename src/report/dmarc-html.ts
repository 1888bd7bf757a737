import type { DmarcSummary, Verdict } from "../dmarc/summary.ts";
import { VERDICTS } from "../dmarc/summary.ts";
import { escapeHtml as e } from "./html-escape.ts";

/**
 * The HTML report's section on DMARC aggregate and TLS reports (self-contained, every string escaped:
 * reporter names, domains and MX names come from the reports). Empty when no report is stored.
 */
export function dmarcHtml(summary: DmarcSummary | null | undefined, maxSources = 20): string {
  if (!summary || (summary.reports.aggregate === 0 && summary.reports.tls === 0)) return "";
  const n = (value: number) => value.toLocaleString("en-US");
  const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
  const domains = summary.domains
    .map(
      (d) =>
        `<tr><td>${e(d.domain)}</td><td>p=${e(d.policy.p ?? "?")}${d.policy.pct !== null && d.policy.pct < 100 ? ` pct=${d.policy.pct}` : ""}</td><td>${n(d.messages)}</td><td>${pct(d.dmarcPassRate)}</td><td>${d.legitimatePassRate === null ? "—" : pct(d.legitimatePassRate)}</td><td>${d.nextStep ? `${d.ready ? "ready" : "not ready"} for ${e(d.nextStep)}` : "at p=reject"}</td><td>${n(d.unknownMessages)}</td><td>${n(d.forwardedMessages)}</td></tr>`,
    )
    .join("");
  const order: Verdict[] = ["unknown", "mixed", "forwarder", "yours"];
  const sources = order
    .flatMap((verdict) => summary.sources.filter((s) => s.verdict === verdict).slice(0, maxSources))
    .map(
      (s) =>
        `<tr><td>${e(s.sourceIp)}${s.ptr ? ` <span class="muted">${e(s.ptr)}</span>` : ""}</td><td>${e(s.verdict)}${s.knownForwarder ? ` <span class="muted">(${e(s.knownForwarder.name)})</span>` : ""}</td><td>${n(s.messages)}</td><td>${pct(s.dkimAlignedRate)}</td><td>${pct(s.spfAlignedRate)}</td><td>${pct(s.dmarcPassRate)}</td><td>${n(s.quarantined)} / ${n(s.rejected)}</td><td>${e(s.headerFrom.slice(0, 3).join(" "))}</td></tr>`,
    )
    .join("");
  const legend = order
    .map(
      (v) =>
        `<li><b>${e(v)}</b>: ${e(VERDICTS[v])} (${n(summary.verdicts[v].sources)} sources, ${n(summary.verdicts[v].messages)} messages)</li>`,
    )
    .join("");
  const reporters = summary.reporters
    .slice(0, maxSources)
    .map(
      (r) =>
        `<tr><td>${e(r.reporter)}</td><td>${n(r.reports)}</td><td>${n(r.messages)}</td><td>${pct(r.dmarcPassRate)}</td><td>${n(r.quarantined)} / ${n(r.rejected)}</td></tr>`,
    )
    .join("");
  const tls = summary.tls.failures
    .slice(0, maxSources)
    .map(
      (f) =>
        `<tr><td>${e(f.policy_domain)}</td><td>${e(f.receiving_mx ?? "—")}</td><td>${e(f.result_type)}</td><td>${n(f.sessions)}</td></tr>`,
    )
    .join("");
  return `<h2>DMARC aggregate and TLS reports</h2>
<p class="muted">${n(summary.reports.aggregate)} aggregate and ${n(summary.reports.tls)} TLS report(s)${summary.filter.from || summary.filter.to ? `, ${e(summary.filter.from ?? "…")} → ${e(summary.filter.to ?? "…")}` : ""}: who sends as your domain and whether receivers saw it pass (<code>deliverlens dmarc</code>).</p>
<div class="table-wrap"><table><tr><th>domain</th><th>policy</th><th>messages</th><th>DMARC pass</th><th>your sources pass aligned</th><th>next step</th><th>unknown senders</th><th>forwarded</th></tr>${domains}</table></div>
<ul>${legend}</ul>
<details class="data"><summary>Sending sources</summary><div class="table-wrap"><table><tr><th>source</th><th>verdict</th><th>messages</th><th>DKIM aligned</th><th>SPF aligned</th><th>DMARC pass</th><th>quarantined / rejected</th><th>From</th></tr>${sources}</table></div></details>
<details class="data"><summary>Per reporter</summary><div class="table-wrap"><table><tr><th>reporter</th><th>reports</th><th>messages</th><th>DMARC pass</th><th>quarantined / rejected</th></tr>${reporters}</table></div></details>
${tls ? `<h3>TLS failures per receiving MX</h3><div class="table-wrap"><table><tr><th>policy domain</th><th>MX</th><th>result</th><th>sessions</th></tr>${tls}</table></div>` : ""}`;
}
