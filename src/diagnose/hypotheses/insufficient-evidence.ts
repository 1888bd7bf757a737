import { PASS_THRESHOLD, round2 } from "../confidence.ts";
import { MEASURE } from "../evidence.ts";
import type { Cause, DiagnoseContext } from "../types.ts";

/** Below this many policy bounces no cause is attributed: the counts are too small to compare. */
export const MIN_POLICY_BOUNCES = 20;

/** "No clear cause / not enough data": confident exactly when the best real cause is not. */
export function insufficientEvidence(context: DiagnoseContext, others: readonly Cause[]): Cause {
  const best = Math.max(0, ...others.map((c) => c.confidence));
  const tooFew = context.totalPolicy < MIN_POLICY_BOUNCES;
  const evidence = [
    {
      text: `${context.totalPolicy} policy bounces out of ${context.totalSent.toLocaleString("en-US")} messages to ${context.facts.provider} over ${context.days.length} days`,
      metric: "policy_bounces",
      measures: [MEASURE.policyBouncedMessage, MEASURE.sent],
      value: context.totalPolicy,
      baseline: MIN_POLICY_BOUNCES,
    },
    {
      text: tooFew
        ? `Fewer than ${MIN_POLICY_BOUNCES} policy bounces: too few to attribute to a cause`
        : best < PASS_THRESHOLD
          ? `No cause reaches the confidence threshold ${PASS_THRESHOLD} (best ${best.toFixed(2)})`
          : `A cause reaches the confidence threshold ${PASS_THRESHOLD} (best ${best.toFixed(2)}): the evidence is sufficient`,
    },
  ];
  return {
    id: "insufficient-evidence",
    title: "No clear cause / not enough data",
    confidence: tooFew ? 1 : round2(Math.max(0, 1 - best / PASS_THRESHOLD / 2)),
    passed: tooFew || best < PASS_THRESHOLD,
    evidence,
    actions: [
      "Ingest every event type (sends, deliveries, deferrals, opens, clicks), not only bounces, with campaign and sending IP",
      "Give the campaign messages (--messages DIR) and the domain and IPs (--domain, --ip) so content and authentication can be checked",
      "Keep following Apple's postmaster requirements while the data accumulates",
    ],
    rulesOut: [],
  };
}
