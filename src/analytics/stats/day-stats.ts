import type { DayStats } from "./daily.ts";

/** A provider's day with the given counts and zero for every other unit (for day series built outside the store). */
export function dayStats(
  provider: string,
  day: string,
  counts: Partial<Omit<DayStats, "provider" | "day">>,
): DayStats {
  return {
    provider,
    day,
    sent: 0,
    delivered: 0,
    deferredAttempts: 0,
    deferredRecipients: 0,
    bounced: 0,
    bouncedByCategory: {},
    policyBounces: 0,
    policyByProviderCode: {},
    dropped: 0,
    humanOpens: 0,
    machineOpens: 0,
    clicks: 0,
    unsubscribes: 0,
    complaints: 0,
    ...counts,
  };
}
