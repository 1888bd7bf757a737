import { MAX_P, MIN_EVENTS, round2 } from "./confidence.ts";
import { fmtP, MEASURE, pct } from "./evidence.ts";
import type { ReplyGroup } from "./facts.ts";
import { poissonGreater } from "./stats.ts";
import { signalOf, type TextSignal } from "./text-signals.ts";
import type { DiagnoseContext, Evidence } from "./types.ts";

/**
 * Rate at which replies of one signal (blocklist or authentication wording) appear in a healthy program;
 * a count far above it is evidence. Documented in docs/DIAGNOSE.md "Thresholds".
 */
export const BACKGROUND_SIGNAL_RATE = 1e-4;

export interface TextFinding {
  confidence: number;
  count: number;
  evidence: Evidence[];
  signals: TextSignal[];
  ips: string[];
  firstSeen: string | null;
  lastSeen: string | null;
}

/**
 * Confidence of a reply-text signal, on the same scale as the contrasts: gate (≥ MIN_EVENTS bounces,
 * Poisson p ≤ MAX_P against the background rate), then 0.4·coverage (share of the policy bounces)
 * + 0.35·effect (log10 of observed/expected, capped at 1) + 0.25·significance.
 */
export function textFinding(context: DiagnoseContext, signal: TextSignal["signal"]): TextFinding {
  const matches: { reply: ReplyGroup; signal: TextSignal }[] = [];
  for (const reply of context.facts.replies) {
    const found = reply.type === "bounced" ? signalOf(reply.reply, reply.category) : null;
    if (found?.signal === signal) matches.push({ reply, signal: found });
  }
  const count = matches.reduce((s, m) => s + m.reply.count, 0);
  const expected = Math.max(1, BACKGROUND_SIGNAL_RATE * context.totalSent);
  const p = poissonGreater(count, expected);
  const gate = count >= MIN_EVENTS && p <= MAX_P;
  const coverage = Math.min(1, count / Math.max(1, context.totalPolicy, count));
  const effect = clamp01(Math.log10(count / expected));
  const significance = clamp01((-Math.log10(Math.max(p, 1e-300)) - 3) / 5);
  const confidence = gate ? round2(0.4 * coverage + 0.35 * effect + 0.25 * significance) : 0;
  const firstSeen = matches.map((m) => m.reply.firstSeen).sort()[0] ?? null;
  const lastSeen =
    matches
      .map((m) => m.reply.lastSeen)
      .sort()
      .at(-1) ?? null;
  const ips = [...new Set(matches.flatMap((m) => m.reply.ips))].sort();
  const evidence: Evidence[] = [
    {
      text:
        `${count} bounces to ${context.facts.provider} cite ${signal === "blocklist" ? "a blocklist" : "authentication"} ` +
        `(${pct(count / Math.max(1, context.totalPolicy))} of policy bounces; ${expected.toFixed(1)} expected at the background rate, ${fmtP(p)})`,
      metric: `${signal}_bounces`,
      value: count,
      baseline: round2(expected),
      test: "Poisson test against the background rate",
      p,
      measures: [MEASURE.policyBounce, MEASURE.sent],
    },
  ];
  for (const { reply, signal: s } of matches.slice(0, 4)) {
    evidence.push({
      text: `${reply.count}× since ${reply.firstSeen}: "${reply.reply.slice(0, 200)}" — ${s.names}`,
      metric: `reply:${s.id}`,
      value: reply.count,
    });
  }
  return {
    confidence,
    count,
    evidence,
    signals: [...new Set(matches.map((m) => m.signal))],
    ips,
    firstSeen,
    lastSeen,
  };
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
