import type { DiagnosisReport } from "../diagnose/report.ts";
import { escapeHtml } from "./html-escape.ts";

/**
 * Inline SVG charts for the HTML report: no script, no external asset. Every label that may come from
 * mail (campaign names, IPs) is HTML-escaped.
 */
const W = 900;
const PAD = { left: 56, right: 56, top: 24, bottom: 36 };
const COLORS = {
  sent: "#8fb3d9",
  spike: "#f29b38",
  policy: "#c0392b",
  episode: "#fbe3e1",
  grid: "#ddd",
  text: "#333",
  flagged: "#c0392b",
  normal: "#7f8c8d",
};

const fmt = (n: number): string =>
  n >= 1_000_000
    ? `${(n / 1e6).toFixed(1)}M`
    : n >= 1000
      ? `${(n / 1000).toFixed(1)}k`
      : String(Math.round(n));
const pctText = (x: number): string => `${(x * 100).toFixed(x >= 0.1 ? 0 : 1)}%`;

function svg(id: string, height: number, label: string, body: string): string {
  return (
    `<svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" aria-label="${escapeHtml(label)}">` +
    `<title>${escapeHtml(label)}</title>${body}</svg>`
  );
}

const text = (x: number, y: number, content: string, anchor = "start", extra = ""): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="11" fill="${COLORS.text}" text-anchor="${anchor}" ${extra}>${escapeHtml(content)}</text>`;

/** About this many date labels under the daily chart, at even steps (weekly for a few months of data). */
const DATE_TICKS = 8;

/**
 * Volume per day (bars; spike days orange, with the baseline the spike was judged against when the
 * diagnosis gives one), policy bounces per day (red line, right axis), episodes shaded; both axes
 * titled, dates at even steps.
 */
export function dailyChart(report: DiagnosisReport): string {
  const days = report.daily;
  const height = 300;
  const plotW = W - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom - 16;
  if (days.length === 0)
    return svg("chart-daily", height, "No sends", text(W / 2, height / 2, "No sends in the store", "middle"));
  const maxSent = Math.max(1, ...days.map((d) => Math.max(d.sent, d.baseline ?? 0)));
  const maxPolicy = Math.max(1, ...days.map((d) => d.policyBounces));
  const step = plotW / days.length;
  const x = (i: number) => PAD.left + i * step;
  const bottom = PAD.top + plotH;
  const ySent = (v: number) => bottom - (v / maxSent) * plotH;
  const yPolicy = (v: number) => bottom - (v / maxPolicy) * plotH;
  const parts: string[] = [];
  days.forEach((d, i) => {
    if (d.episode)
      parts.push(
        `<rect class="episode" x="${x(i).toFixed(1)}" y="${PAD.top}" width="${step.toFixed(1)}" height="${plotH}" fill="${COLORS.episode}"/>`,
      );
  });
  for (const fraction of [0.5, 1]) {
    const y = bottom - fraction * plotH;
    parts.push(
      `<line class="grid" x1="${PAD.left}" y1="${y.toFixed(1)}" x2="${W - PAD.right}" y2="${y.toFixed(1)}" stroke="${COLORS.grid}" stroke-dasharray="2,3"/>`,
      text(PAD.left - 6, y + 4, fmt(maxSent * fraction), "end"),
      text(W - PAD.right + 6, y + 4, fmt(maxPolicy * fraction), "start", `fill="${COLORS.policy}"`),
    );
  }
  parts.push(
    `<line x1="${PAD.left}" y1="${bottom}" x2="${W - PAD.right}" y2="${bottom}" stroke="${COLORS.grid}"/>`,
    text(PAD.left - 6, bottom, "0", "end"),
    text(W - PAD.right + 6, bottom, "0", "start", `fill="${COLORS.policy}"`),
  );
  days.forEach((d, i) => {
    const top = ySent(d.sent);
    const fill = d.spike ? COLORS.spike : COLORS.sent;
    const baseline = d.spike && d.baseline != null ? `, baseline ${d.baseline}` : "";
    parts.push(
      `<rect class="${d.spike ? "bar spike" : "bar"}" x="${(x(i) + step * 0.1).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, step * 0.8).toFixed(1)}" height="${(bottom - top).toFixed(1)}" fill="${fill}"><title>${escapeHtml(`${d.day}: ${d.sent} sent, ${d.policyBounces} policy bounces${d.spike ? ` (spike${baseline})` : ""}`)}</title></rect>`,
    );
    if (d.spike)
      parts.push(
        `<path class="spike-marker" d="M${(x(i) + step / 2).toFixed(1)},${(top - 4).toFixed(1)} l-4,-7 h8 z" fill="${COLORS.spike}"/>`,
      );
    if (d.spike && d.baseline != null) {
      const y = ySent(d.baseline).toFixed(1);
      parts.push(
        `<line class="spike-baseline" x1="${(x(i) - step).toFixed(1)}" y1="${y}" x2="${(x(i) + 2 * step).toFixed(1)}" y2="${y}" stroke="${COLORS.text}" stroke-width="1.5" stroke-dasharray="3,2"><title>${escapeHtml(`${d.day}: the spike is judged against a baseline of ${d.baseline} messages`)}</title></line>`,
      );
    }
  });
  const points = days.map((d, i) => `${(x(i) + step / 2).toFixed(1)},${yPolicy(d.policyBounces).toFixed(1)}`);
  parts.push(
    `<polyline class="policy-bounces" points="${points.join(" ")}" fill="none" stroke="${COLORS.policy}" stroke-width="1.5"/>`,
  );
  const every = Math.max(1, Math.ceil(days.length / DATE_TICKS));
  days.forEach((d, i) => {
    if (i % every !== 0) return;
    const at = x(i) + step / 2;
    parts.push(
      `<line x1="${at.toFixed(1)}" y1="${bottom}" x2="${at.toFixed(1)}" y2="${bottom + 4}" stroke="${COLORS.text}"/>`,
      `<text class="date-tick" x="${at.toFixed(1)}" y="${bottom + 16}" font-size="11" fill="${COLORS.text}" text-anchor="middle">${escapeHtml(i === 0 ? d.day : d.day.slice(5))}</text>`,
    );
  });
  parts.push(
    axisTitle(14, PAD.top + plotH / 2, "messages per day", COLORS.text),
    axisTitle(W - 10, PAD.top + plotH / 2, "policy bounces per day", COLORS.policy),
  );
  const items: [string, string][] = [
    ["messages sent", COLORS.sent],
    ["spike day", COLORS.spike],
    ["policy bounces (right axis)", COLORS.policy],
    ["episode", COLORS.episode],
  ];
  if (days.some((d) => d.spike && d.baseline != null)) items.push(["spike baseline (dashed)", COLORS.text]);
  parts.push(legend(PAD.left, height - 8, items));
  return svg(
    "chart-daily",
    height,
    `Messages and policy bounces per day to ${report.provider}`,
    parts.join(""),
  );
}

/** A vertical axis title, centred on the axis. */
function axisTitle(x: number, y: number, label: string, color: string): string {
  return text(
    x,
    y,
    label,
    "middle",
    `class="axis-title" fill="${color}" transform="rotate(-90 ${x} ${y.toFixed(1)})"`,
  );
}

/** Recipients per engagement tier (horizontal bars). */
export function tiersChart(report: DiagnosisReport): string {
  const rowH = 26;
  const height = PAD.top + report.tiers.length * rowH + 16;
  const max = Math.max(1, ...report.tiers.map((t) => t.recipients));
  const plotW = W - 200 - PAD.right;
  const parts = report.tiers.map((tier, i) => {
    const y = PAD.top + i * rowH;
    const width = Math.max(1, (tier.recipients / max) * plotW);
    const color = ["0-30", "31-90"].includes(tier.tier)
      ? "#27ae60"
      : tier.tier === "91-180"
        ? "#f1c40f"
        : "#c0392b";
    return (
      text(150, y + 15, tier.tier === "never" ? "never engaged" : `${tier.tier} days`, "end") +
      `<rect class="bar tier" x="160" y="${y + 3}" width="${width.toFixed(1)}" height="${rowH - 8}" fill="${color}"/>` +
      text(166 + width, y + 15, fmt(tier.recipients))
    );
  });
  return svg("chart-tiers", height, "Recipients by days since the last click or human open", parts.join(""));
}

/** Policy-bounce rate per campaign, side by side in send order; flagged campaigns red, spike-day ones orange. */
export function campaignsChart(report: DiagnosisReport): string {
  const campaigns = report.campaigns.filter((c) => c.sent >= 50).slice(-60);
  // Room under the bars for the longest label, written at 45°.
  const longest = Math.max(...campaigns.map((c) => campaignLabel(c.campaign).length));
  const labelRoom = Math.ceil(longest * 6.2 * Math.SQRT1_2) + 8;
  const plotH = 180;
  const height = PAD.top + plotH + labelRoom + 12;
  const plotW = W - PAD.left - PAD.right;
  if (campaigns.length === 0)
    return svg(
      "chart-campaigns",
      60,
      "No campaigns",
      text(W / 2, 30, "No campaign with 50+ sends", "middle"),
    );
  const max = Math.max(0.001, ...campaigns.map((c) => c.policy / c.sent));
  const step = plotW / campaigns.length;
  const parts = campaigns.map((c, i) => {
    const rate = c.policy / c.sent;
    const h = (rate / max) * plotH;
    const x = PAD.left + i * step;
    const label =
      campaigns.length <= 30 || c.flagged
        ? text(
            x + step / 2,
            PAD.top + plotH + 12,
            campaignLabel(c.campaign),
            "end",
            `transform="rotate(-45 ${(x + step / 2).toFixed(1)} ${(PAD.top + plotH + 12).toFixed(1)})"`,
          )
        : "";
    return (
      `<rect class="bar${c.flagged ? " flagged" : ""}" x="${(x + step * 0.1).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${Math.max(1, step * 0.8).toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}" fill="${c.flagged ? COLORS.flagged : c.spike ? COLORS.spike : COLORS.normal}"><title>${escapeHtml(`${c.campaign}: ${c.policy} of ${c.sent} (${pctText(rate)})`)}</title></rect>` +
      label
    );
  });
  parts.push(
    text(PAD.left - 6, PAD.top + 4, pctText(max), "end"),
    text(PAD.left - 6, PAD.top + plotH, "0", "end"),
    axisTitle(14, PAD.top + plotH / 2, "policy-bounce rate", COLORS.text),
  );
  return svg("chart-campaigns", height, "Policy-bounce rate per campaign", parts.join(""));
}

/** Campaign ids up to 28 characters whole (the tooltip and the data table always have the whole id). */
const LABEL_CHARS = 28;
function campaignLabel(campaign: string): string {
  return campaign.length <= LABEL_CHARS ? campaign : `${campaign.slice(0, LABEL_CHARS - 1)}…`;
}

function legend(x: number, y: number, items: [string, string][]): string {
  let offset = x;
  return items
    .map(([label, color]) => {
      const out = `<rect x="${offset}" y="${y - 9}" width="10" height="10" fill="${color}"/>${text(offset + 14, y, label)}`;
      offset += 24 + label.length * 6.2;
      return out;
    })
    .join("");
}
