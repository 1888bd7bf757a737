import type { StatsReport } from "../analytics/stats/report.ts";
import { escapeLine, paint } from "./terminal.ts";

const n = (value: number) => value.toLocaleString("en-US");
const pct = (value: number | null, digits = 2) =>
  value === null ? "—" : `${(value * 100).toFixed(digits)} %`;

/** The human-readable `stats` summary (the JSON has every day). */
export function renderStats(report: StatsReport): string {
  const lines: string[] = [];
  const q = report.query;
  lines.push(
    paint("deliverlens stats", "bold") +
      ` as of ${q.asOf ?? "—"}${q.provider ? `, provider ${escapeLine(q.provider)}` : ""}${q.from ? `, from ${q.from}` : ""}${q.to ? ` to ${q.to}` : ""}`,
  );
  lines.push("", paint("Per provider", "bold"));
  lines.push(
    row([
      "provider",
      "sent",
      "delivered",
      "deferred (att/rcpt)",
      "bounced",
      "policy",
      "human opens",
      "machine opens",
      "clicks",
      "unsub",
      "complaints",
    ]),
  );
  for (const t of report.totals) {
    lines.push(
      row([
        escapeLine(t.provider),
        n(t.sent),
        n(t.delivered),
        `${n(t.deferredAttempts)}/${n(t.deferredRecipients)}`,
        n(t.bounced),
        `${n(t.policyBounces)} (${pct(t.sent ? t.policyBounces / t.sent : null)})`,
        n(t.humanOpens),
        n(t.machineOpens),
        n(t.clicks),
        n(t.unsubscribes),
        n(t.complaints),
      ]),
    );
  }
  lines.push(
    paint(
      "  units: sent = messages to recipients (one per message and recipient, however many attempts); delivered, bounced, policy, opens, clicks, unsub and complaints = events; deferred = attempts/recipients (docs/MEASURES.md)",
      "dim",
    ),
  );
  const share = report.applePolicyShare;
  lines.push(
    "",
    `Apple's share of all policy bounces: ${pct(share.share, 1)} (${n(share.apple)} of ${n(share.all)})`,
  );
  lines.push("", paint("Policy-bounce episodes", "bold"));
  if (report.episodes.length === 0) lines.push("  none");
  for (const e of report.episodes) {
    const codes = Object.entries(e.providerCodes)
      .map(([code, count]) => `${escapeLine(code)} ${n(count)}`)
      .join(", ");
    lines.push(
      `  ${paint(escapeLine(e.provider), "cyan")} ${e.start} → ${e.end} (${e.days} d): ${n(e.policyBounces)} of ${n(e.sent)} = ${pct(e.rate)}  [${codes}]`,
    );
  }
  for (const s of report.episodeSummary.filter((x) => x.episodes > 0)) {
    lines.push(
      `  ${escapeLine(s.provider)}: ${s.episodes} episode(s), ${s.perMonth.toFixed(2)}/month, gaps ${s.gapsDays.join(", ") || "—"} days`,
    );
  }
  lines.push("", paint("Volume spikes", "bold"));
  if (report.spikes.length === 0) lines.push("  none");
  for (const s of report.spikes) {
    lines.push(
      `  ${paint(escapeLine(s.provider), "cyan")} ${s.day}: ${n(s.sent)} sent vs median ${n(s.baseline)} (×${s.ratio.toFixed(1)}); no engagement in 90 d: ${pct(s.unengagedShare, 0)} vs ${pct(s.baselineUnengagedShare, 0)} normally (dormant ${pct(s.dormantShare, 0)} vs ${pct(s.baselineDormantShare, 0)}, unknown history ${pct(s.unknownShare, 0)} vs ${pct(s.baselineUnknownShare, 0)})`,
    );
  }
  lines.push("", paint("Engagement tiers (days since last click or human open)", "bold"));
  lines.push(row(["provider", "recipients", "0-30", "31-90", "91-180", "181-365", "365+", "never"]));
  for (const e of report.engagement) {
    const t = e.tiers;
    lines.push(
      row([
        escapeLine(e.provider),
        n(e.recipients),
        ...[t["0-30"], t["31-90"], t["91-180"], t["181-365"], t["365+"], t.never].map(n),
      ]),
    );
  }
  return `${lines.join("\n")}\n`;
}

function row(cells: string[]): string {
  return `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(10) : cell.padStart(12))).join(" ")}`;
}
