import { DAY_MS } from "../util/dates.ts";
import type { TierCount } from "./facts.ts";

/**
 * Warm-up schedule for returning to full volume at one provider (docs/DIAGNOSE.md "Warm-up plan").
 * Growth: SendGrid's automated IP warm-up schedule grows about ×1.4 per day (https://www.twilio.com/docs/sendgrid/ui/sending-email/warming-up-an-ip-address);
 * most engaged tiers go first (Infobip's and Braze's warm-up guidance); dormant tiers (181+ days,
 * never engaged) are not scheduled: they go to re-engagement or sunset.
 */
export interface ProviderWarmup {
  provider: string;
  /** Day-one volume as a share of the target, with a floor of `minStart` messages. */
  startShare: number;
  minStart: number;
  /** Daily growth factor (never above 1.5: practitioners warn at +50 % over the previous send). */
  growth: number;
  source: string;
}

const SENDGRID =
  "SendGrid automated IP warmup schedule ≈×1.4/day (https://www.twilio.com/docs/sendgrid/ui/sending-email/warming-up-an-ip-address)";

/** Ordered; the first entry matching the provider wins, the last is the default. */
export const PROVIDER_WARMUP: readonly ProviderWarmup[] = [
  { provider: "apple", startShare: 0.02, minStart: 200, growth: 1.4, source: SENDGRID },
  { provider: "google", startShare: 0.02, minStart: 200, growth: 1.4, source: SENDGRID },
  { provider: "yahoo", startShare: 0.02, minStart: 200, growth: 1.4, source: SENDGRID },
  { provider: "microsoft", startShare: 0.02, minStart: 200, growth: 1.4, source: SENDGRID },
  { provider: "*", startShare: 0.02, minStart: 100, growth: 1.4, source: SENDGRID },
];

/** Tiers scheduled in this order; the rest are left to re-engagement or suppression. */
export const WARMUP_TIERS = ["0-30", "31-90", "91-180"] as const;

export interface PlanRow {
  date: string;
  provider: string;
  tier: string;
  max_messages: number;
}

export interface WarmupPlan {
  rows: PlanRow[];
  days: number;
  growth: number;
  /** Recipients in the scheduled tiers: the plan cannot exceed this per day. */
  eligible: number;
  source: string;
}

export function warmupFor(provider: string): ProviderWarmup {
  return PROVIDER_WARMUP.find((p) => p.provider === provider) ?? PROVIDER_WARMUP[PROVIDER_WARMUP.length - 1];
}

/** A daily schedule from `startDate` until the daily volume reaches `target` (or every eligible recipient). */
export function warmupPlan(
  provider: string,
  target: number,
  tiers: readonly TierCount[],
  startDate: string,
): WarmupPlan {
  const settings = warmupFor(provider);
  const sizes = WARMUP_TIERS.map((tier) => ({
    tier,
    size: tiers.find((t) => t.tier === tier)?.recipients ?? 0,
  }));
  const eligible = sizes.reduce((sum, t) => sum + t.size, 0);
  const ceiling = Math.min(target, eligible);
  const rows: PlanRow[] = [];
  let volume = Math.min(ceiling, Math.max(settings.minStart, Math.round(target * settings.startShare)));
  let day = 0;
  const start = Date.parse(`${startDate}T00:00:00Z`);
  while (ceiling > 0 && day < 365) {
    const date = new Date(start + day * DAY_MS).toISOString().slice(0, 10);
    let left = volume;
    for (const { tier, size } of sizes) {
      const take = Math.min(left, size);
      if (take > 0) rows.push({ date, provider, tier, max_messages: take });
      left -= take;
    }
    day++;
    if (volume >= ceiling) break;
    volume = Math.min(ceiling, Math.round(volume * settings.growth));
  }
  return { rows, days: day, growth: settings.growth, eligible, source: settings.source };
}

/** The plan CSV's header line (also how an earlier plan is recognised before it is overwritten). */
export const PLAN_HEADER = "date,provider,tier,max_messages";

export function planCsv(plan: WarmupPlan): string {
  const lines = [PLAN_HEADER];
  for (const row of plan.rows) lines.push(`${row.date},${row.provider},${row.tier},${row.max_messages}`);
  return `${lines.join("\n")}\n`;
}
