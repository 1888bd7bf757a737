import type { DiagnosisReport } from "../diagnose/report.ts";
import { escapeLine, paint } from "./terminal.ts";

/** The concise terminal report: summary, ranked causes with their first evidence, then what to do. */
export function renderTerminal(
  report: DiagnosisReport,
  options: { md?: string; html?: string; export?: string },
): string {
  const out: string[] = [];
  const safe = (text: string) => escapeLine(text);
  out.push(paint(`deliverlens diagnose — ${report.provider}`, "bold"));
  out.push(safe(report.summary), "");
  out.push(paint("Causes (best first)", "bold"));
  for (const [index, cause] of report.causes.entries()) {
    const color = cause.passed ? (cause.id === "insufficient-evidence" ? "yellow" : "red") : "gray";
    const bar = "█".repeat(Math.round(cause.confidence * 10)).padEnd(10, "·");
    out.push(
      `${index + 1}. ${paint(bar, color)} ${cause.confidence.toFixed(2)}  ${paint(cause.id, color)} — ${safe(cause.title)}`,
    );
    if (index < 3 || cause.passed) {
      for (const evidence of cause.evidence.slice(0, cause.passed ? 3 : 1))
        out.push(`     ${paint("·", "gray")} ${safe(evidence.text)}`);
    }
  }
  const top = report.causes[0];
  out.push("", paint("What to do", "bold"));
  for (const action of top.actions.slice(0, 4)) out.push(`  - ${safe(action)}`);
  const { suppression, warmup } = report.prescriptions;
  out.push(
    `  - Suppress ${suppression.suppressTotal.toLocaleString("en-US")} ${safe(report.provider)} recipients (${suppression.suppress.map((s) => `${s.reason} ${s.recipients}`).join(", ") || "none"}; the same list as \`${safe(suppression.command ?? "deliverlens hygiene")}\`, which without --provider counts every provider's)` +
      (options.export ? ` — written to ${safe(options.export)}` : " — export with --export FILE"),
  );
  if (warmup.target > 0)
    out.push(`  - Warm-up back to ${warmup.target.toLocaleString("en-US")}/day: ${safe(warmup.command)}`);
  if (report.episodes.length) {
    out.push(
      "",
      `${paint("Episodes", "bold")}: ${report.episodes.map((e) => `${e.start}…${e.end} (${e.policyBounces})`).join(", ")}`,
    );
  }
  const files = [options.md && `Markdown: ${options.md}`, options.html && `HTML: ${options.html}`].filter(
    Boolean,
  );
  if (files.length) out.push("", `Reports written — ${safe(files.join("; "))}`);
  out.push(
    paint(
      "The Apple escalation note is in the Markdown/HTML/JSON reports (prescriptions.escalation).",
      "gray",
    ),
  );
  return `${out.join("\n")}\n`;
}
