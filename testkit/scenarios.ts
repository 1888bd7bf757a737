/**
 * Scenario generator for the diagnosis accuracy harness: a sending program to Apple (plus some Gmail
 * traffic) with exactly ONE injected cause of policy bounces, at a given strength and noise level, or a
 * clean program. Built beside the demo generator (src/demo/), sharing its seeded PRNG; events go straight
 * into the store (./scenarios-store.ts) to keep the harness fast.
 *
 * The program: recipients with a latent engagement (engaged / casual / dormant), a history click before
 * the window for engaged recipients, marketing campaigns on fixed weekdays (to the engaged segment or to
 * the whole list, chosen per scenario) on fixed weekdays, a daily transactional stream, 2–4 sending IPs, background
 * deferrals, Apple MPP machine opens, and a background CS01 rate with overdispersion (log-normal noise
 * per day with σ, per campaign with σ/2, per IP with σ/2). Injected causes change only what that cause would change.
 */

import { Random } from "../src/demo/random.ts";
import type { CauseId } from "../src/diagnose/types.ts";
import {
  engagementEvent,
  gaussian,
  population,
  type Recipient,
  type ReplyKey,
  range,
  reply,
  SEGMENT_CLICK,
  SEGMENT_OPEN,
} from "./scenarios-parts.ts";

export type ScenarioCause = Exclude<CauseId, "insufficient-evidence"> | "clean";

export const SCENARIO_CAUSES: readonly ScenarioCause[] = [
  "volume-spike",
  "low-engagement",
  "content",
  "blocklist",
  "authentication",
  "ip-reputation",
  "rate-limit",
  "clean",
];

export interface ScenarioSpec {
  cause: ScenarioCause;
  /** 0 weak, 1 medium, 2 strong. */
  strength: number;
  /** 0 low, 1 medium, 2 high overdispersion. */
  noise: number;
  seed: number;
  /** Apple recipients (default 4000). */
  recipients?: number;
  days?: number;
}

/** One row for the store's `events` table (columns the diagnosis reads). */
export interface ScenarioEvent {
  type: "delivered" | "deferred" | "bounced" | "open" | "click";
  time: number;
  recipient: string;
  provider: string;
  campaign: string;
  ip: string;
  messageId: string;
  reply: string | null;
  replyCode: number | null;
  status: string | null;
  providerCode: string | null;
  category: string | null;
  machineOpen: boolean | null;
}

/** Excess multiplier of the policy-bounce rate per strength. */
export const STRENGTH_MULTIPLIER = [8, 15, 30] as const;
/** σ of the log-normal overdispersion per noise level. */
export const NOISE_SIGMA = [0.1, 0.2, 0.3] as const;

const DAY = 86_400_000;
/** A Monday: day index % 7 is the weekday (0 = Monday). */
const START = Date.UTC(2026, 5, 1);
/** Marketing sends on fixed weekdays, as most programs do: weekly, twice or three times a week. */
const WEEKLY_SCHEDULES: readonly (readonly number[])[] = [[1], [1, 3], [0, 2, 4]];

export interface Scenario {
  spec: ScenarioSpec;
  events: ScenarioEvent[];
  /** The campaigns, IPs or days the injected cause targets (for test messages). */
  targets: string[];
  campaigns: string[];
}

/** Build one scenario. Deterministic for a given spec. */
export function generateScenario(spec: ScenarioSpec): Scenario {
  const rng = new Random(
    spec.seed * 7919 + SCENARIO_CAUSES.indexOf(spec.cause) * 104_729 + spec.strength * 31 + spec.noise,
  );
  const sigma = NOISE_SIGMA[spec.noise];
  const multiplier = STRENGTH_MULTIPLIER[spec.strength];
  const days = spec.days ?? 90;
  const people = population(rng, spec.recipients ?? 4000);
  const ips = Array.from({ length: 2 + rng.int(3) }, (_, i) => `192.0.2.${10 + i}`);
  const base = 0.001 + rng.next() * 0.003;
  const schedule = rng.pick(WEEKLY_SCHEDULES);
  const wholeList = spec.cause === "low-engagement" || (spec.cause !== "volume-spike" && rng.chance(0.4));
  const events: ScenarioEvent[] = [];
  const noise = () => Math.exp(sigma * gaussian(rng));
  const ipNoise = new Map(ips.map((ip) => [ip, Math.exp(0.5 * sigma * gaussian(rng))]));
  const campaignDays = range(days).filter((d) => schedule.includes(d % 7));
  const campaigns = campaignDays.map((d) => `c-${String(d).padStart(3, "0")}`);
  const targets = pickTargets(rng, spec.cause, campaignDays, ips, days);
  const injected = (when: { day: number; campaign: string; ip: string; person: Recipient }): Injection =>
    inject(spec.cause, targets, multiplier, when, days);

  for (const person of people) {
    if (person.segment === 0)
      events.push(
        engagementEvent(person, "click", START - (5 + rng.int(55)) * DAY, "history", ips[0], false),
      );
  }
  for (let day = 0; day < days; day++) {
    const dayNoise = noise();
    const campaignIndex = campaignDays.indexOf(day);
    const send = (person: Recipient, campaign: string, factor: number) => {
      const ip = rng.pick(ips);
      const effect = injected({ day, campaign, ip, person });
      const rate = Math.min(0.9, base * factor * dayNoise * ipNoise.get(ip)! * effect.multiplier);
      const time = START + day * DAY + (13 * 3_600_000 + rng.int(4 * 3_600_000));
      const messageId = `${campaign}.${person.address}`;
      const row = {
        time,
        recipient: person.address,
        provider: person.provider,
        campaign,
        ip,
        messageId,
        machineOpen: null,
      };
      const deferred = rng.chance(effect.deferral);
      if (deferred) events.push(reply(row, "deferred", effect.deferralReply, time - 600_000));
      const policy =
        person.provider === "apple" &&
        rng.chance(deferred ? Math.min(0.95, rate * effect.afterDeferral) : rate);
      if (policy) {
        events.push(reply(row, "bounced", effect.policyReply ?? "cs01", time));
        return;
      }
      if (person.provider === "apple" && effect.extraRate > 0 && rng.chance(effect.extraRate)) {
        events.push(reply(row, "bounced", effect.extraReply, time));
        return;
      }
      if (person.provider === "apple" && spec.cause === "clean" && spec.noise > 0 && rng.chance(0.00003)) {
        events.push(reply(row, "bounced", rng.pick(["dbl", "hme1"] as const), time));
        return;
      }
      events.push({
        ...row,
        type: "delivered",
        reply: null,
        replyCode: null,
        status: null,
        providerCode: null,
        category: null,
      });
      if (person.mpp) events.push(engagementEvent(person, "open", time + 60_000, campaign, ip, true));
      if (rng.chance(SEGMENT_OPEN[person.segment])) {
        events.push(engagementEvent(person, "open", time + rng.int(DAY), campaign, ip, false));
        if (rng.chance(SEGMENT_CLICK[person.segment] * 3))
          events.push(engagementEvent(person, "click", time + rng.int(DAY), campaign, ip, null));
      }
    };
    if (campaignIndex >= 0) {
      const campaign = campaigns[campaignIndex];
      const campaignNoise = Math.sqrt(noise());
      const spike = spec.cause === "volume-spike" && targets.includes(campaign);
      for (const person of people) {
        const inSegment = spike || wholeList || person.segment < 2 || rng.chance(0.08);
        if (inSegment && rng.chance(0.92)) send(person, campaign, campaignNoise);
      }
    }
    for (let i = 0; i < people.length * 0.01; i++) send(rng.pick(people), "txn", 1);
  }
  events.sort((x, y) => x.time - y.time);
  return { spec, events, targets, campaigns };
}

interface Injection {
  multiplier: number;
  deferral: number;
  deferralReply: ReplyKey;
  afterDeferral: number;
  policyReply: ReplyKey | null;
  extraRate: number;
  extraReply: ReplyKey;
}

function pickTargets(
  rng: Random,
  cause: ScenarioCause,
  campaignDays: number[],
  ips: string[],
  days: number,
): string[] {
  const late = campaignDays.filter((d) => d > days / 3);
  const name = (d: number) => `c-${String(d).padStart(3, "0")}`;
  switch (cause) {
    case "volume-spike":
    case "content": {
      const count = 1 + rng.int(2);
      const chosen = new Set<number>();
      while (chosen.size < count) chosen.add(rng.pick(late));
      return [...chosen].map(name);
    }
    case "ip-reputation":
      return [rng.pick(ips)];
    case "blocklist":
    case "authentication":
    case "rate-limit":
      return [String(Math.floor(days / 3 + rng.int(Math.floor(days / 3))))];
    default:
      return [];
  }
}

function inject(
  cause: ScenarioCause,
  targets: string[],
  multiplier: number,
  { day, campaign, ip, person }: { day: number; campaign: string; ip: string; person: Recipient },
  days: number,
): Injection {
  const none: Injection = {
    multiplier: 1,
    deferral: 0.02,
    deferralReply: "later",
    afterDeferral: 1,
    policyReply: null,
    extraRate: 0,
    extraReply: "cs01",
  };
  const since = Number(targets[0] ?? days);
  switch (cause) {
    case "volume-spike":
      if (!targets.includes(campaign)) return none;
      return { ...none, multiplier: person.segment === 2 ? multiplier : 1 + (multiplier - 1) * 0.25 };
    case "low-engagement":
      return person.segment === 2 ? { ...none, multiplier } : none;
    case "content":
      return targets.includes(campaign) ? { ...none, multiplier } : none;
    case "ip-reputation":
      return ip === targets[0] ? { ...none, multiplier, policyReply: day % 5 === 0 ? "hcm2" : "cs01" } : none;
    case "blocklist":
      return day >= since
        ? { ...none, extraRate: 0.001 * multiplier, extraReply: day % 2 ? "dbl" : "proofpoint" }
        : none;
    case "authentication":
      return day >= since
        ? { ...none, extraRate: 0.001 * multiplier, extraReply: day % 2 ? "hme1" : "dmarc" }
        : none;
    case "rate-limit":
      return day >= since && campaign !== "txn"
        ? { ...none, deferral: 0.15, deferralReply: "volume", afterDeferral: multiplier }
        : none;
    default:
      return none;
  }
}

/** The standard grid: every cause × strength × noise, `seeds` times. */
export function scenarioGrid(
  seeds: number,
  causes: readonly ScenarioCause[] = SCENARIO_CAUSES,
): ScenarioSpec[] {
  const specs: ScenarioSpec[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const cause of causes) {
      for (let strength = 0; strength < 3; strength++) {
        for (let noise = 0; noise < 3; noise++) specs.push({ cause, strength, noise, seed });
      }
    }
  }
  return specs;
}
