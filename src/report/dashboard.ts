import type { ProviderTotals } from "../analytics/stats/daily.ts";
import { type Alert, causeText } from "../serve/alerts.ts";
import { emptyHour, type HourRow, type RecentBounce } from "../serve/detect.ts";
import type { LiveEpisode, MonitorState } from "../serve/monitor.ts";
import { HOUR_MS } from "../util/dates.ts";
import { escapeHtml } from "./html-escape.ts";

/**
 * The live dashboard of `deliverlens serve`: a static shell (`renderDashboardShell`) whose script
 * fetches the body (`renderDashboard`, rendered here, every value escaped) every few seconds. The shell
 * holds no data, so it needs no token; the body comes from the API (bearer token when one is set, read
 * from the page's `#token=` fragment, which browsers never send to the server). A strict CSP allows no
 * inline script: even a value that escaped escaping could not run.
 */
export interface DashboardData {
  generatedAt: string;
  /** The store's totals as `stats --json` gives them (measure `sent`, …), per provider. */
  totals: ProviderTotals[];
  monitor: MonitorState;
  openAlerts: Alert[];
  recentAlerts: Alert[];
  recentBounces: RecentBounce[];
  intake: { received: number; stored: number; duplicates: number; quarantined: number; backlog: number };
}

export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function renderDashboardShell(pollMs: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>deliverlens serve</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body data-poll-ms="${Math.max(1000, Math.round(pollMs))}">
<header><h1>deliverlens — live</h1><span id="status">loading…</span></header>
<main id="dashboard"></main>
<script src="/dashboard.js"></script>
</body></html>
`;
}

/** The shell's script: poll the body, keep the last good one on errors. */
export const DASHBOARD_SCRIPT = `"use strict";
(function () {
  var match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  var headers = match ? { Authorization: "Bearer " + decodeURIComponent(match[1]) } : {};
  var poll = Number(document.body.getAttribute("data-poll-ms")) || 5000;
  var status = document.getElementById("status");
  var main = document.getElementById("dashboard");
  function load() {
    fetch("/api/dashboard.html", { headers: headers, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        main.innerHTML = html;
        status.textContent = "updated " + new Date().toLocaleTimeString();
        status.className = "ok";
      })
      .catch(function (error) {
        status.textContent = "not updated: " + error.message;
        status.className = "error";
      })
      .then(function () { setTimeout(load, poll); });
  }
  load();
})();
`;

const n = (value: number | null | undefined): string =>
  value === null || value === undefined ? "–" : Math.round(value).toLocaleString("en-US");
const pct = (value: number | null): string => (value === null ? "–" : `${(value * 100).toFixed(2)} %`);

export function renderDashboard(data: DashboardData): string {
  const { monitor } = data;
  const providers = [
    ...new Set([...data.totals.map((t) => t.provider), ...monitor.views.map((v) => v.provider)]),
  ];
  const parts = [
    `<section id="summary"><p>Data as of <b>${escapeHtml(monitor.now ?? "no events yet")}</b>; last check ${escapeHtml(monitor.checkedAt ?? "not yet")}.
 Received <span id="received">${n(data.intake.received)}</span>, stored ${n(data.intake.stored)}, duplicates ${n(data.intake.duplicates)}, quarantined ${n(data.intake.quarantined)}, spooled ${n(data.intake.backlog)}.</p></section>`,
    alertsSection(data.openAlerts),
    ...providers.map((provider) =>
      providerSection(
        provider,
        data.totals.find((t) => t.provider === provider) ?? null,
        monitor.views.find((v) => v.provider === provider)?.hours ?? [],
        monitor.views.find((v) => v.provider === provider)?.complaintRate ?? null,
        monitor.episodes.filter((e) => e.provider === provider),
        monitor.diagnoses.find((d) => d.provider === provider) ?? null,
      ),
    ),
    bouncesSection(data.recentBounces),
    blocklistSection(monitor),
  ];
  return parts.join("\n");
}

function alertsSection(alerts: Alert[]): string {
  if (alerts.length === 0)
    return `<section id="alerts"><h2>Open alerts</h2><p class="quiet">none</p></section>`;
  const rows = alerts
    .map(
      (a) =>
        `<li class="sev-${escapeHtml(a.severity)}"><b>${escapeHtml(a.severity)}</b> ${escapeHtml(a.title)}` +
        (a.topCause ? ` — ${escapeHtml(causeText(a.topCause))}` : "") +
        ` <small>${escapeHtml(a.raisedAt)} · ${escapeHtml(a.id)}</small></li>`,
    )
    .join("");
  return `<section id="alerts"><h2>Open alerts</h2><ul>${rows}</ul></section>`;
}

function providerSection(
  provider: string,
  totals: ProviderTotals | null,
  hours: HourRow[],
  complaintRate: number | "not observable" | null,
  episodes: LiveEpisode[],
  diagnosis: MonitorState["diagnoses"][number] | null,
): string {
  const id = `provider-${provider.replace(/[^a-z0-9-]/gi, "_")}`;
  const last24 = hours.slice(-24);
  const sum = (key: keyof HourRow) => last24.reduce((acc, row) => acc + Number(row[key] ?? 0), 0);
  const delivered = sum("delivered");
  const engagement = delivered > 0 ? (sum("humanOpens") + sum("clicks")) / delivered : null;
  const complaint =
    complaintRate === "not observable"
      ? "not observable (no complaint feed)"
      : complaintRate === null
        ? "too few deliveries"
        : pct(complaintRate);
  const [top, ...others] = diagnosis?.causes ?? [];
  const diagnosisHtml =
    diagnosis && top
      ? `<p>Latest diagnosis (${escapeHtml(diagnosis.at)}${diagnosis.from || diagnosis.to ? `, data ${escapeHtml(diagnosis.from ?? "…")} to ${escapeHtml(diagnosis.to ?? "…")}` : ""}): ${escapeHtml(causeText(top))}${others
          .filter((c) => c.id !== "insufficient-evidence" && c.confidence >= 0.05)
          .map((c) => `; then ${escapeHtml(c.title)} (${Math.round(c.confidence * 100)} %)`)
          .join("")}</p>`
      : "";
  return `<section id="${escapeHtml(id)}" class="provider"><h2>${escapeHtml(provider)}</h2>
<table><tr><th>sent</th><th>delivered</th><th>policy bounces</th><th>complaints (24 h)</th><th>human opens + clicks per delivery (24 h)</th></tr>
<tr><td class="sent" data-provider="${escapeHtml(provider)}">${n(totals?.sent)}</td><td>${n(totals?.delivered)}</td><td>${n(totals?.policyBounces)}</td><td>${escapeHtml(complaint)}</td><td>${pct(engagement)}</td></tr></table>
${hourlyChart(provider, lastHours(hours, 48), episodes)}
${episodes.length ? `<p>Episodes: ${episodes.map((e) => `${escapeHtml(e.openedHour)} → ${escapeHtml(e.closedHour ?? "open")} (peak ${pct(e.peakRate)})`).join("; ")}</p>` : ""}
${diagnosisHtml}</section>`;
}

/** The `count` hours up to the latest one with data, hours without events as zeros (bars stay in time). */
function lastHours(hours: HourRow[], count: number): HourRow[] {
  const last = hours.at(-1);
  if (!last) return [];
  const byHour = new Map(hours.map((h) => [h.hour, h]));
  const end = Date.parse(last.hour);
  const first = Math.max(Date.parse(hours[0].hour), end - (count - 1) * HOUR_MS);
  const out: HourRow[] = [];
  for (let t = first; t <= end; t += HOUR_MS) {
    const hour = new Date(t).toISOString().replace(".000Z", "Z");
    out.push(byHour.get(hour) ?? emptyHour(last.provider, hour));
  }
  return out;
}

/** Hourly volume (bars) and policy bounces (red), open/closed episodes shaded. */
function hourlyChart(provider: string, hours: HourRow[], episodes: LiveEpisode[]): string {
  if (hours.length === 0) return `<p class="quiet">no events in the last 48 hours of data</p>`;
  const width = 720;
  const height = 120;
  const step = width / Math.max(hours.length, 1);
  const max = Math.max(1, ...hours.map((h) => h.sent));
  const bars = hours
    .map((h, i) => {
      const inEpisode = episodes.some(
        (e) => h.hour >= e.openedHour && (e.closedHour === null || h.hour <= e.closedHour),
      );
      const x = (i * step).toFixed(1);
      const sentH = ((h.sent / max) * (height - 10)).toFixed(1);
      const policyH = ((h.policy / max) * (height - 10)).toFixed(1);
      return (
        (inEpisode
          ? `<rect class="episode" x="${x}" y="0" width="${step.toFixed(1)}" height="${height}"/>`
          : "") +
        `<rect class="sent" x="${x}" y="${(height - Number(sentH)).toFixed(1)}" width="${Math.max(1, step - 1).toFixed(1)}" height="${sentH}"><title>${escapeHtml(h.hour)}: ${h.sent} sent, ${h.policy} policy bounces</title></rect>` +
        `<rect class="policy" x="${x}" y="${(height - Number(policyH)).toFixed(1)}" width="${Math.max(1, step - 1).toFixed(1)}" height="${policyH}"/>`
      );
    })
    .join("");
  const legend = `<p class="legend">Hourly, ${escapeHtml(hours[0].hour)} → ${escapeHtml(hours[hours.length - 1].hour)}: sent <span class="key sent"></span> policy bounces <span class="key policy"></span> episode <span class="key episode"></span> (bars to the largest hour, ${hours.reduce((m, h) => Math.max(m, h.sent), 0).toLocaleString("en-US")} sent)</p>`;
  return `${legend}<svg class="hourly" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`${provider}: hourly volume and policy bounces`)}">${bars}</svg>`;
}

function bouncesSection(bounces: RecentBounce[]): string {
  if (bounces.length === 0) return "";
  const rows = bounces
    .map(
      (b) =>
        `<tr><td>${escapeHtml(b.time)}</td><td>${escapeHtml(b.provider)}</td><td class="campaign">${escapeHtml(b.campaign ?? "")}</td><td>${escapeHtml(b.providerCode ?? "")}</td><td class="reply">${escapeHtml(b.reply ?? "")}</td></tr>`,
    )
    .join("");
  return `<section id="bounces"><h2>Latest policy bounces</h2><table><tr><th>time</th><th>provider</th><th>campaign</th><th>code</th><th>reply</th></tr>${rows}</table></section>`;
}

function blocklistSection(monitor: MonitorState): string {
  const check = monitor.blocklist;
  if (!check) return "";
  const listed = check.listed.length
    ? `<ul>${check.listed.map((r) => `<li>${escapeHtml(r.target)} on ${escapeHtml(r.name)}</li>`).join("")}</ul>`
    : "<p>not listed anywhere checked</p>";
  return `<section id="blocklists"><h2>Blocklists</h2><p>checked ${escapeHtml(check.checkedAt)}${check.unknown ? `; ${check.unknown} answers unknown (could not ask — never a listing)` : ""}</p>${listed}</section>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5em;color:#222}
header{display:flex;gap:1em;align-items:baseline}h1{font-size:1.3em}
#status.ok{color:#2e7d32}#status.error{color:#c0392b}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:right}
td.campaign,td.reply{text-align:left;max-width:40em;overflow-wrap:anywhere}
.quiet{color:#777}.sev-critical{color:#c0392b}.sev-high{color:#d35400}
.legend{color:#555;font-size:12px;margin:.3em 0}.key{display:inline-block;width:.9em;height:.9em;vertical-align:middle}
.key.sent{background:#8fb3d9}.key.policy{background:#c0392b}.key.episode{background:#fbe3e1;border:1px solid #e8b4b0}
svg.hourly rect.sent{fill:#8fb3d9}svg.hourly rect.policy{fill:#c0392b}svg.hourly rect.episode{fill:#fbe3e1}`;
