import { spikesOf } from "./analytics-bridge.ts";
import { dayTotals, type Facts } from "./facts.ts";
import { findSendSpikes } from "./send-spikes.ts";
import { spikeAudience } from "./spike-audience.ts";
import type { AuditSummary, CampaignMessage, DiagnoseContext } from "./types.ts";

export function buildContext(
  facts: Facts,
  messages: Map<string, CampaignMessage> | null = null,
  audit: AuditSummary | null = null,
): DiagnoseContext {
  const days = dayTotals(facts.cells, facts.policyByDay, facts.window);
  // Measures `sent` and `policy_bounce` (= stats' totals for the provider): the days sum both.
  let totalSent = 0;
  let totalPolicy = 0;
  for (const day of days) {
    totalSent += day.sent;
    totalPolicy += day.policyBounces;
  }
  const spikes = spikesOf(facts.provider, days);
  const daySpikes = new Set(spikes.map((spike) => spike.day));
  // A program that sends several campaigns a day has its spikes in one send, not in the day's total.
  const sendSpikes = findSendSpikes(facts.cells);
  const spikeDays = new Set([...daySpikes, ...sendSpikes.map((spike) => spike.day)]);
  // The chart shows what each spike had to exceed: the largest of its references.
  const spikeBaselines = new Map(
    spikes.map((spike) => [
      spike.day,
      Math.round(Math.max(spike.baseline, spike.weekdayBaseline, spike.sendSize)),
    ]),
  );
  return {
    facts,
    days,
    spikeDays,
    daySpikes,
    sendSpikes,
    spikeBaselines,
    spikeAudience: spikeAudience(days, spikeDays),
    totalSent,
    totalPolicy,
    messages,
    audit,
  };
}
