import { spikesOf } from "./analytics-bridge.ts";
import { dayTotals, type Facts } from "./facts.ts";
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
  const spikeDays = new Set(spikesOf(facts.provider, days).map((spike) => spike.day));
  return {
    facts,
    days,
    spikeDays,
    spikeAudience: spikeAudience(days, spikeDays),
    totalSent,
    totalPolicy,
    messages,
    audit,
  };
}
