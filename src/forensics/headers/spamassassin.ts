import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";

/** X-Spam-Status: "Yes, score=7.2 required=5.0 tests=A,B autolearn=no" (older: hits=); X-Spam-Score: a number. */
export interface SpamAssassinReport {
  flagged: boolean | null;
  score: number | null;
  required: number | null;
  tests: string[];
}

export function spamAssassinReport(
  status: string | null,
  scoreHeader: string | null,
): SpamAssassinReport | null {
  if (status === null && scoreHeader === null) return null;
  const text = status ?? "";
  const flag = /^\s*(yes|no)\b/i.exec(text);
  const score = /\b(?:score|hits)=(-?[\d.]+)/i.exec(text)?.[1] ?? scoreHeader?.trim() ?? null;
  const required = /\brequired=(-?[\d.]+)/i.exec(text)?.[1] ?? null;
  const tests = /\btests=([^=]*?)(?:\s+[a-z_]+=|$)/i.exec(text)?.[1] ?? "";
  return {
    flagged: flag ? flag[1].toLowerCase() === "yes" : null,
    score: score !== null && Number.isFinite(Number(score)) ? Number(score) : null,
    required: required !== null && Number.isFinite(Number(required)) ? Number(required) : null,
    tests: tests
      .split(",")
      .map((test) => test.trim())
      .filter((test) => test && test.toLowerCase() !== "none"),
  };
}

export function spamAssassinFindings(report: SpamAssassinReport | null): Finding[] {
  if (!report) return [];
  const overThreshold = report.score !== null && report.required !== null && report.score >= report.required;
  if (!report.flagged && !overThreshold) return [];
  const tests = report.tests.length > 0 ? ` tests=${report.tests.slice(0, 12).join(",")}` : "";
  return [
    finding("SPAMASSASSIN_SPAM", `score=${report.score ?? "?"} required=${report.required ?? "?"}${tests}`),
  ];
}
