import { type Episode, episodesOf } from "./analytics-bridge.ts";
import { PASS_THRESHOLD } from "./confidence.ts";
import { notApplicable, pct } from "./evidence.ts";
import { authentication } from "./hypotheses/authentication.ts";
import { blocklist } from "./hypotheses/blocklist.ts";
import { content } from "./hypotheses/content.ts";
import { insufficientEvidence, MIN_POLICY_BOUNCES } from "./hypotheses/insufficient-evidence.ts";
import { ipReputation } from "./hypotheses/ip-reputation.ts";
import { lowEngagement } from "./hypotheses/low-engagement.ts";
import { rateLimit } from "./hypotheses/rate-limit.ts";
import { volumeSpike } from "./hypotheses/volume-spike.ts";
import { dataLimits, type Unjudged } from "./limits.ts";
import type { Cause, DiagnoseContext, Hypothesis } from "./types.ts";

/** The hypotheses in tie-break order (on equal confidence the earlier one ranks first). */
export const HYPOTHESES: readonly Hypothesis[] = [
  blocklist,
  authentication,
  volumeSpike,
  content,
  ipReputation,
  rateLimit,
  lowEngagement,
];

export interface Diagnosis {
  provider: string;
  causes: Cause[];
  episodes: Episode[];
  summary: string;
  /** What the data cannot show, and the causes left unassessed for it (./limits.ts). */
  unjudged: Unjudged[];
}

/** Score every hypothesis, rank them best first, and put insufficient-evidence first when none passes. */
export function diagnoseContext(context: DiagnoseContext): Diagnosis {
  const unjudged = dataLimits(context);
  const reasons = new Map(
    unjudged.flatMap(({ causes, reason }) => causes.map((id) => [id, reason] as const)),
  );
  // A cause the data cannot show is reported as not judged, with the reason, never scored on nothing.
  const judge = (cause: Cause): Cause => {
    const reason = reasons.get(cause.id);
    return reason ? notApplicable(cause.id, cause.title, `Not judged: ${reason}`) : cause;
  };
  const campaigns = judge(content(context));
  const explainedCampaigns = new Set(campaigns.passed ? (campaigns.subjects ?? []) : []);
  // Likewise the IPs (or pools) a passing ip-reputation cause names: a cold IP's late bounces are not a decline.
  const senders = judge(ipReputation({ ...context, explainedCampaigns }));
  const explainedIps = new Set(senders.passed ? (senders.subjects ?? []) : []);
  const scored = HYPOTHESES.map((hypothesis) =>
    hypothesis === content
      ? campaigns
      : hypothesis === ipReputation
        ? senders
        : judge(hypothesis({ ...context, explainedCampaigns, explainedIps })),
  );
  const order = new Map(scored.map((cause, index) => [cause.id, index]));
  scored.sort((x, y) => y.confidence - x.confidence || order.get(x.id)! - order.get(y.id)!);
  const unclear = insufficientEvidence(context, scored);
  for (const cause of scored) {
    cause.passed = cause.passed && !(unclear.passed && unclear.confidence === 1);
    if (cause.passed) {
      cause.rulesOut = scored
        .filter((other) => !other.passed && other.against)
        .map((other) => `${other.id}: ${other.against}`);
    }
  }
  const causes = unclear.passed ? [unclear, ...scored] : [...scored, unclear];
  return {
    provider: context.facts.provider,
    causes,
    episodes: episodesOf(context.facts.provider, context.days),
    summary: summarize(context, causes, unjudged),
    unjudged,
  };
}

/** A title or reason inside a sentence: its first word lowercased, the acronyms (IP, SPF, MTA) kept. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

function summarize(
  context: DiagnoseContext,
  causes: readonly Cause[],
  unjudged: readonly Unjudged[],
): string {
  const limits = unjudged.length
    ? ` Not judged: ${unjudged.map((u) => `${u.causes.join(", ")} (${lowerFirst(u.reason.split(":")[0])})`).join("; ")}.`
    : "";
  return mainSummary(context, causes) + limits;
}

function mainSummary(context: DiagnoseContext, causes: readonly Cause[]): string {
  const top = causes[0];
  const rate = context.totalSent ? context.totalPolicy / context.totalSent : 0;
  const head = `${context.totalPolicy.toLocaleString("en-US")} policy bounces (${pct(rate)}) in ${context.totalSent.toLocaleString("en-US")} messages to ${context.facts.provider}.`;
  if (top.id === "insufficient-evidence") {
    return context.totalPolicy < MIN_POLICY_BOUNCES
      ? `${head} Too few policy bounces to attribute them to a cause (fewer than ${MIN_POLICY_BOUNCES}).`
      : `${head} ${top.evidence[1]?.text ?? `No cause reaches the confidence threshold ${PASS_THRESHOLD}`}.`;
  }
  const runnersUp = causes
    .filter((c) => c !== top && c.passed)
    .map((c) => `${c.id} (${c.confidence.toFixed(2)})`);
  return (
    `${head} Most likely cause: ${lowerFirst(top.title)} (confidence ${top.confidence.toFixed(2)}). ${top.evidence[0]?.text ?? ""}.` +
    (runnersUp.length ? ` Also supported: ${runnersUp.join(", ")}.` : "")
  );
}
