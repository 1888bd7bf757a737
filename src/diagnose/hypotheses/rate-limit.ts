import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, groupBy, MEASURE, notApplicable, pct, ratesText } from "../evidence.ts";
import { splitCells, withDaysAfter } from "../facts.ts";
import { mantelHaenszel, median, type StratifiedRatio } from "../stats.ts";
import type { Cause, DiagnoseContext, Evidence } from "../types.ts";

const TITLE = "Ignored deferrals escalating into rejections (rate limits)";

/** Deferrals that give no rate or volume reason are weaker evidence of ignored rate limits. */
const UNSPECIFIC_DEFERRAL_WEIGHT = 0.7;
/**
 * The hypothesis is an escalation: the receiver throttles, the sender keeps retrying at volume, and the
 * same messages end in rejections. When fewer than MIN_ESCALATION_SHARE of the policy bounces followed a
 * deferral of the same message, the deferrals are a side effect of whatever caused the rejections (a burst
 * of mail draws "excessive volume" deferrals as well as rejections) and the per-message contrast counts
 * only at UNESCALATED_WEIGHT — never enough to pass on its own.
 */
const MIN_ESCALATION_SHARE = 1 / 3;
const UNESCALATED_WEIGHT = 0.3;

/**
 * Messages deferred first and then policy-bounced: the policy-bounce rate of deferred messages against
 * messages never deferred, on the same day (Mantel-Haenszel over days). Deferrals whose reply cites a rate
 * or volume limit are used when there are any; otherwise every deferral, at UNSPECIFIC_DEFERRAL_WEIGHT.
 */
/**
 * The day-level reading, for sources whose deferrals and bounces cannot be tied to one message: policy
 * bounces on days under rate-limit pressure (rate-limited share ≥ PRESSURE_FACTOR × the median day's and
 * ≥ PRESSURE_MIN_SHARE) and the PRESSURE_AFTER_DAYS days after, vs the other days, at PRESSURE_WEIGHT.
 */
const PRESSURE_FACTOR = 3;
const PRESSURE_MIN_SHARE = 0.02;
const PRESSURE_AFTER_DAYS = 2;
const PRESSURE_WEIGHT = 0.8;

/**
 * The days under rate-limit pressure (spike days left out) and the PRESSURE_AFTER_DAYS after each (null
 * when there are none).
 */
export function rateLimitWindow(context: DiagnoseContext): { heavy: string[]; affected: Set<string> } | null {
  if (!context.facts.cells.some((c) => c.rateDeferred > 0)) return null;
  const byDay = groupBy(context.facts.cells, (c) => c.day);
  const share = new Map(
    [...byDay].map(([day, cells]) => {
      const sent = cells.reduce((s, c) => s + c.sent, 0);
      return [day, sent ? cells.reduce((s, c) => s + c.rateDeferred, 0) / sent : 0];
    }),
  );
  const floor = Math.max(PRESSURE_MIN_SHARE, PRESSURE_FACTOR * median([...share.values()]));
  // A volume spike draws "excessive volume" deferrals by itself: pressure on a spike day is the spike's.
  const heavy = [...share]
    .filter(([day, value]) => value >= floor && !context.spikeDays.has(day))
    .map(([day]) => day);
  if (heavy.length === 0) return null;
  const affected = withDaysAfter(heavy, PRESSURE_AFTER_DAYS);
  return { heavy, affected };
}

function pressureDays(context: DiagnoseContext): { ratio: StratifiedRatio; days: number } | null {
  const window = rateLimitWindow(context);
  if (!window) return null;
  const { heavy, affected } = window;
  const explained = context.explainedCampaigns ?? new Set<string>();
  const cells = context.facts.cells.filter(
    (c) => !explained.has(c.campaign) && !context.spikeDays.has(c.day),
  );
  const ratio = mantelHaenszel(
    [true, false].map((dormant) =>
      splitCells(
        cells.filter((c) => c.dormant === dormant),
        (c) => affected.has(c.day),
      ),
    ),
  );
  return { ratio, days: heavy.length };
}

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
  const policy = facts.cells.reduce((s, c) => s + c.policy, 0);
  const escalated = facts.cells.reduce(
    (s, c) => s + (rateLimited ? c.policyRateDeferred : c.policyDeferred),
    0,
  );
  const escalation = policy > 0 ? escalated / policy : 0;
  const contrast = contrastConfidence({ ratio, excess: excessOf(ratio), totalPolicy });
  const base =
    escalation >= MIN_ESCALATION_SHARE ? contrast : Math.round(contrast * UNESCALATED_WEIGHT * 100) / 100;
  const pressure = rateLimited ? pressureDays(context) : null;
  const confidence = Math.max(
    rateLimited ? base : Math.round(base * UNSPECIFIC_DEFERRAL_WEIGHT * 100) / 100,
    pressure
      ? Math.round(
          contrastConfidence({ ratio: pressure.ratio, excess: excessOf(pressure.ratio), totalPolicy }) *
            PRESSURE_WEIGHT *
            100,
        ) / 100
      : 0,
  );
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
    ...(pressure
      ? [
          contrastEvidence(
            "policy_bounce_rate_rate_limit_days",
            `on the ${pressure.days} days with heavy rate-limit deferrals and the ${PRESSURE_AFTER_DAYS} days after each`,
            "on other days",
            pressure.ratio,
            "engagement",
            [MEASURE.dormant],
          ),
        ]
      : []),
    {
      text: `${pct(escalation)} of the policy-bounced messages were ${rateLimited ? "rate-limit " : ""}deferred first (${escalated.toLocaleString("en-US")} of ${policy.toLocaleString("en-US")})${escalation >= MIN_ESCALATION_SHARE ? "" : ": the deferrals did not escalate into the rejections"}`,
      metric: "policy_bounces_after_deferral_share",
      value: Math.round(escalation * 10_000) / 10_000,
      baseline: Math.round(MIN_ESCALATION_SHARE * 10_000) / 10_000,
      measures: [MEASURE.policyBouncedMessage, MEASURE.deferredAttempts],
    },
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
      : escalation < MIN_ESCALATION_SHARE && contrast >= PASS_THRESHOLD
        ? `Only ${pct(escalation)} of the policy bounces followed a deferral of the same message: the deferrals did not escalate into the rejections`
        : `Deferred messages are not rejected more often (${ratesText(ratio)} without a deferral)`,
  };
}
