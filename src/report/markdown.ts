import { providerLabel } from "../bounce/vocabulary.ts";
import type { DiagnosisReport } from "../diagnose/report.ts";
import type { Cause } from "../diagnose/types.ts";
import { MARKDOWN_MARKER } from "../util/output.ts";
import { escapeTerminal } from "./terminal.ts";

/** Escape Markdown and inline HTML in text that may come from mail. */
export function escapeMarkdown(text: string): string {
  return escapeTerminal(text)
    .replace(/[\\`*_{}[\]()#+!|~>]/g, (ch) => `\\${ch}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/[\r\n]+/g, " ");
}

const m = escapeMarkdown;

export function renderMarkdown(report: DiagnosisReport): string {
  const p = report.prescriptions;
  const lines: string[] = [
    MARKDOWN_MARKER,
    `# Why ${m(providerLabel(report.provider))} rejects your mail`,
    "",
    m(report.summary),
    "",
    `_Generated ${m(report.meta.generatedAt)} from ${m(report.meta.store)}${report.meta.offline ? " (offline)" : ""}${report.meta.redacted ? "; recipient addresses redacted" : ""}._`,
    "",
    "## Causes, best first",
    "",
    ...report.causes.flatMap(causeMarkdown),
    "## Episodes",
    "",
    ...(report.episodes.length
      ? [
          "| start | end | policy bounces | sent | rate |",
          "|---|---|---|---|---|",
          ...report.episodes.map(
            (x) =>
              `| ${x.start} | ${x.end} | ${x.policyBounces} | ${x.sent} | ${(x.rate * 100).toFixed(2)} % |`,
          ),
        ]
      : ["No policy-bounce episode."]),
    "",
    "## Engagement tiers",
    "",
    "| tier (days since last click or human open) | recipients |",
    "|---|---|",
    ...report.tiers.map((t) => `| ${t.tier} | ${t.recipients} |`),
    "",
    "## What to do",
    "",
    `- **Suppression / sunset:** ${p.suppression.suppressTotal} ${m(report.provider)} recipients (${m(p.suppression.suppress.map((s) => `${s.reason} ${s.recipients}`).join(", ") || "none")}; the same list as ${m(p.suppression.command ?? "deliverlens hygiene")}, which without --provider counts every provider's)${p.suppression.export ? `, exported to ${m(p.suppression.export)}` : ""}`,
    ...p.reengagement.map((r) => `- **Re-engagement:** ${m(r)}`),
    `- **Warm-up:** back to ${p.warmup.target}/day in ${p.warmup.days} days (×${p.warmup.growth}/day): \`${p.warmup.command.replaceAll("`", "")}\``,
    ...p.content.map((c) => `- **Content:** ${m(c)}`),
    ...p.delisting.map((c) => `- **Delisting:** ${m(c)}`),
    ...p.dns.map((c) => `- **DNS:** ${m(c)}`),
    "",
    "## Apple escalation note",
    "",
    "```text",
    escapeTerminal(p.escalation.replaceAll("```", "'''")),
    "```",
    "",
  ];
  return lines.join("\n");
}

function causeMarkdown(cause: Cause, index: number): string[] {
  return [
    `### ${index + 1}. ${m(cause.title)} (\`${cause.id}\`) — confidence ${cause.confidence.toFixed(2)}${cause.passed ? "" : ", not supported"}`,
    "",
    ...cause.evidence.map((ev) => `- ${m(ev.text)}${ev.test ? ` _(${m(ev.test)})_` : ""}`),
    ...(cause.passed && cause.actions.length
      ? ["", "**Actions**", "", ...cause.actions.map((a) => `- ${m(a)}`)]
      : []),
    ...(cause.rulesOut.length ? ["", `Rules out: ${m(cause.rulesOut.join("; "))}`] : []),
    "",
  ];
}
