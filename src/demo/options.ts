import type { Provider } from "../bounce/vocabulary.ts";
import { DEFAULT_PROVIDER_MIX } from "./population.ts";

/** Something injected into a generated program: the causes a diagnosis should find. */
export type Injection =
  | {
      /** A blast to the dormant segment on `day`, followed by policy bounces at `provider`. */
      kind: "volume-spike";
      day: number;
      /** Share of the dormant segment added to the blast (default 0.9). */
      dormantShare?: number;
      provider?: string;
      /** Policy-bounce chance per message at `provider` during the episode (default 0.04). */
      policyRate?: number;
      /** Days the raised policy-bounce rate lasts, spike day included (default 3). */
      days?: number;
    }
  | {
      /** One weekly campaign (by week number) whose message carries shortener links. */
      kind: "content";
      week: number;
      provider?: string;
      policyRate?: number;
      links?: string[];
    }
  | {
      /** Generic: policy bounces at `provider` from `fromDay` to `toDay` (inclusive). */
      kind: "policy-bounces";
      provider: string;
      fromDay: number;
      toDay: number;
      rate: number;
    }
  | {
      /** Generic: rate-limit deferrals at `provider` from `fromDay` to `toDay`. */
      kind: "deferrals";
      provider: string;
      fromDay: number;
      toDay: number;
      rate: number;
    };

export interface ProgramOptions {
  days: number;
  recipients: number;
  seed: number;
  /** Day 0 (UTC), a Monday by default. */
  start: string;
  providerMix: Partial<Record<Provider, number>>;
  /** Share of the non-dormant list each weekly newsletter reaches. */
  audienceShare: number;
  /** Share of the non-dormant list getting a triggered (transactional-style) message each day. */
  dailyShare: number;
  /** Policy-bounce chance per message when nothing is injected. */
  baselinePolicyRate: number;
  /** Deferral chance per message when nothing is injected. */
  baselineDeferralRate: number;
  /** Human engagement halves every this many days (the list's slow decay). */
  engagementHalfLifeDays: number;
  injections: Injection[];
}

/** The demo's story: a dormant-segment blast in week 8 and a shortener-laden campaign in week 12. */
export function defaultInjections(days: number): Injection[] {
  const spikeDay = Math.min(days - 5, 58);
  const contentWeek = Math.min(Math.floor((days - 3) / 7), 12);
  return [
    { kind: "volume-spike", day: spikeDay },
    { kind: "content", week: contentWeek },
  ];
}

export function programOptions(partial: Partial<ProgramOptions> = {}): ProgramOptions {
  const days = partial.days ?? 120;
  return {
    days,
    recipients: partial.recipients ?? 50_000,
    seed: partial.seed ?? 1,
    start: partial.start ?? "2026-03-02",
    providerMix: partial.providerMix ?? DEFAULT_PROVIDER_MIX,
    audienceShare: partial.audienceShare ?? 1,
    dailyShare: partial.dailyShare ?? 0.01,
    baselinePolicyRate: partial.baselinePolicyRate ?? 0.0004,
    baselineDeferralRate: partial.baselineDeferralRate ?? 0.01,
    engagementHalfLifeDays: partial.engagementHalfLifeDays ?? 240,
    injections: partial.injections ?? defaultInjections(days),
  };
}
