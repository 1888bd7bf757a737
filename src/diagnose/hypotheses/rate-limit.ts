import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, groupBy, notApplicable, ratesText } from "../evidence.ts";
import { mantelHaenszel } from "../stats.ts";
import type { Cause, DiagnoseContext, Evidence } from "../types.ts";

const TITLE = "Ignored deferrals escalating into rejections (rate limits)";

/** Deferrals that give no rate or volume reason are weaker evidence of ignored rate limits. */
const UNSPECIFIC_DEFERRAL_WEIGHT = 0.7;

/**
 * Messages deferred first and then policy-bounced: the policy-bounce rate of deferred messages against
 * messages never deferred, on the same day (Mantel-Haenszel over days). Deferrals whose reply cites a rate
 * or volume limit are used when there are any; otherwise every deferral, at UNSPECIFIC_DEFERRAL_WEIGHT.
 */
export function rateLimit(context: DiagnoseContext): Cause {
  const { facts, totalPolicy } = context;
  const deferredSends = facts.cells.reduce((s, c) => s + c.deferred, 0);
  if (deferredSends === 0) return notApplicable("rate-limit", TITLE, "No deferrals recorded");
  const rateLimited = facts.cells.reduce((s, c) => s + c.rateDeferred, 0) > 0;
  const strata = [...groupBy(facts.cells, (c) => c.day).values()].map((cells) => {
    const out = { a: 0, n1: 0, b: 0, n2: 0 };
    for (const c of cells) {
      const deferred = rateLimited ? c.rateDeferred : c.deferred;
      const policyDeferred = rateLimited ? c.policyRateDeferred : c.policyDeferred;
      out.a += policyDeferred;
      out.n1 += deferred;
      out.b += c.policy - policyDeferred;
      out.n2 += c.sent - deferred;
    }
    return out;
  });
  const ratio = mantelHaenszel(strata);
  const base = contrastConfidence({ ratio, excess: excessOf(ratio), totalPolicy });
  const confidence = rateLimited ? base : Math.round(base * UNSPECIFIC_DEFERRAL_WEIGHT * 100) / 100;
  const passed = confidence >= PASS_THRESHOLD;
  const rateReplies = facts.replies.filter((r) => r.type === "deferred" && r.category === "rate-limit");
  const evidence: Evidence[] = [
    contrastEvidence(
      "policy_bounce_rate_after_deferral",
      rateLimited ? "after a rate-limit deferral" : "after a deferral",
      "without one",
      ratio,
      "day",
    ),
    {
      text: `${deferredSends.toLocaleString("en-US")} messages were deferred at least once (${rateReplies.reduce((s, r) => s + r.count, 0)} deferrals cite volume or rate limits)`,
      metric: "deferred_messages",
      value: deferredSends,
    },
  ];
  for (const reply of rateReplies.slice(0, 2)) {
    evidence.push({
      text: `${reply.count}× "${reply.reply.slice(0, 160)}"`,
      metric: `reply:${reply.providerCode ?? "rate"}`,
      value: reply.count,
    });
  }
  return {
    id: "rate-limit",
    title: TITLE,
    confidence,
    passed,
    evidence,
    actions: [
      "Honour 4xx deferrals from Apple: back off exponentially instead of retrying at a fixed short interval",
      "Limit concurrency to Apple (KumoMTA's default: 10 connections, 5 messages per connection) and spread large sends over hours",
      "Pause the stream to Apple for 15 minutes to hours when deferrals cluster (KumoMTA community TSA rules)",
    ],
    rulesOut: [],
    against: passed
      ? undefined
      : `Deferred messages are not rejected more often (${ratesText(ratio)} without a deferral)`,
  };
}
