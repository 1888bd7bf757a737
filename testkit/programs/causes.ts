/**
 * The injected causes, each with several real-world mechanisms (variants). A cause adjusts the
 * program before it is simulated (a reactivation send, a new IP, a co-registration source, shortener
 * links in a campaign) and says which Apple messages its rejections fall on and with which wording.
 */
import { QUALITY } from "./list.ts";
import { DAY_MS, dayString, type Message, type ProgramSpec } from "./model.ts";
import { APPLE, type Reply, type ReplyContext, replyFrom, type Template } from "./replies.ts";
import type { Rng } from "./rng.ts";
import type { CampaignPlan, CausePlan, Setup, SimView } from "./setup.ts";

export const VARIANTS: Record<string, readonly string[]> = {
  "volume-spike": ["reactivation", "full-list"],
  "low-engagement": ["decline", "poor-cohort"],
  content: ["shortener", "shortener-mixed", "off-schedule", "big-send", "inside-window"],
  blocklist: ["proofpoint", "spamhaus-sbl", "spamhaus-dbl"],
  authentication: ["dkim-broken", "new-ip-unauthorized"],
  "ip-reputation": ["bad-ip", "new-ip", "bad-pool"],
  "rate-limit": ["window", "escalation", "big-send-in-window"],
  clean: ["noise", "busy"],
};

function ctxReply(m: Message, view: SimView): ReplyContext {
  return { rcpt: view.recipients[m.recipient].address, ip: m.ip, domain: view.setup.brand.domain };
}

function pickTemplate(rng: Rng, options: readonly (readonly [Template, number])[]): Template {
  return rng.weighted(options);
}

const REPUTATION: readonly (readonly [Template, number])[] = [
  [APPLE.cs01, 5],
  [APPLE.cs01at554, 3],
  [APPLE.hm08, 2],
];

function campaignOf(m: Message, view: SimView) {
  return view.campaigns[m.campaign];
}

function isMarketing(m: Message, view: SimView): boolean {
  return campaignOf(m, view).stream === "marketing";
}

function regular(setup: Setup): CampaignPlan[] {
  return setup.campaigns.filter((c) => !c.offSchedule && c.audience !== "reactivation");
}

/** A weekday (Mon–Fri) on which the program sends nothing, near `day`. */
function freeWeekday(setup: Setup, day: number): number {
  const used = new Set(setup.campaigns.map((c) => c.day));
  for (let d = day; d < setup.days - 3; d++) {
    const dow = new Date(setup.start + d * DAY_MS).getUTCDay();
    if (dow !== 0 && dow !== 6 && !used.has(d)) return d;
  }
  return day;
}

function newCampaign(
  setup: Setup,
  day: number,
  slug: string,
  subject: string,
  audience: CampaignPlan["audience"],
) {
  const plan: CampaignPlan = {
    id: `${dayString(setup.start, day).replaceAll("-", "")}-${slug}`,
    subject,
    day,
    audience,
    offSchedule: true,
    spreadMinutes: setup.campaigns[0]?.spreadMinutes ?? 60,
    links: [
      `https://www.${setup.brand.domain}/${slug}?utm_source=newsletter&utm_medium=email&utm_campaign=${slug}`,
      `https://www.${setup.brand.domain}/account/preferences`,
    ],
  };
  setup.campaigns.push(plan);
  setup.campaigns.sort((a, b) => a.day - b.day);
  return plan;
}

const SHORTENERS: Record<string, readonly string[]> = {
  shortener: ["https://bit.ly/3xK9Lm2", "https://tinyurl.com/5n8h2kdp"],
  "shortener-mixed": ["https://is.gd/Xk2pQa", "https://cutt.ly/wR4tZpQ", "https://rb.gy/9xk2lm"],
  "off-schedule": ["https://bit.ly/4bQz7Yt", "https://tinyurl.com/spring-deal-24"],
  "big-send": ["https://tinyurl.com/2p9xk7vd", "https://ow.ly/Ab3C50RkLmN"],
  "inside-window": ["https://bit.ly/3Vq8mZa", "https://t.ly/Qw7rX"],
};

/** The spec's mechanism: its own, else one chosen by the seed (so seeds cycle through them). */
export function variantOf(spec: ProgramSpec): string {
  const variants = VARIANTS[spec.cause];
  const variant = spec.variant ?? variants[spec.seed % variants.length];
  if (!variants.includes(variant)) throw new Error(`unknown variant ${variant} for ${spec.cause}`);
  return variant;
}

export function planCause(spec: ProgramSpec, setup: Setup, rng: Rng): CausePlan | null {
  const variant = variantOf(spec);
  const T = setup.days;
  const reputation = (m: Message, view: SimView, r: Rng): Reply =>
    replyFrom(pickTemplate(r, REPUTATION), ctxReply(m, view), "policy");

  switch (spec.cause) {
    case "clean": {
      if (variant === "noise") {
        if (rng.chance(0.7))
          setup.strays.push({ day: rng.int(10, T - 5), kind: "blocklist", count: rng.int(1, 3) });
        if (rng.chance(0.5))
          setup.strays.push({ day: rng.int(10, T - 5), kind: "auth", count: rng.int(1, 2) });
      } else {
        // A busier program: a seasonal send to everyone off schedule, a giveaway cohort, top-of-hour throttling.
        const day = freeWeekday(setup, rng.int(Math.floor(T * 0.4), Math.floor(T * 0.8)));
        newCampaign(setup, day, "seasonal-favourites", "Our seasonal favourites", "all");
        const from = rng.int(5, T - 30);
        setup.signups.push({
          cohort: "giveaway",
          quality: QUALITY.poor,
          fromDay: from,
          toDay: from + 14,
          perDay: 6,
        });
        setup.appleDeferrals.push({
          when: () => true,
          p: 0.004,
          reply: (ctx) => replyFrom(APPLE.volume, ctx, "rate"),
        });
      }
      return null;
    }

    case "volume-spike": {
      const day = rng.chance(0.5)
        ? freeWeekday(setup, rng.int(Math.floor(T * 0.55), Math.floor(T * 0.8)))
        : (regular(setup).filter((c) => c.day >= T * 0.55 && c.day <= T * 0.85)[0]?.day ??
          Math.floor(T * 0.7));
      setup.campaigns = setup.campaigns.filter((c) => c.day !== day);
      if (variant === "full-list") {
        setup.engagedOnly = true;
        for (const c of setup.campaigns) c.audience = "engaged";
      }
      const spike = newCampaign(
        setup,
        day,
        "we-miss-you",
        "We miss you — 30% off everything",
        "reactivation",
      );
      const size = Math.round(
        setup.initial * (variant === "full-list" ? rng.uniform(0.5, 0.9) : rng.uniform(0.9, 1.5)),
      );
      setup.reactivationCohort = { size, quality: QUALITY.stale, campaign: spike.id };
      const onSpike = (m: Message, view: SimView) => campaignOf(m, view).id === spike.id;
      setup.appleDeferrals.push({
        when: onSpike,
        p: 0.06,
        reply: (ctx) => replyFrom(APPLE.volume, ctx, "rate"),
      });
      setup.others.push(
        { provider: "yahoo", rate: 0.08, kind: "rate", when: onSpike },
        { provider: "google", rate: 0.02, kind: "rate", when: onSpike },
        {
          provider: "google",
          rate: 0.004,
          kind: "policy",
          when: (m, v) => onSpike(m, v) && v.engagement(m) < 0.03,
        },
      );
      return {
        variant,
        description: `${variant === "full-list" ? "a program that mails its engaged segment sends" : "a reactivation send"} to ${size} long-inactive addresses plus the whole list on day ${day} (${spike.id})`,
        weight: (m, view) => {
          if (onSpike(m, view)) return view.engagement(m) < 0.03 ? 1 : 0.12;
          const d = view.day(m);
          return d > day && d <= day + 2 && isMarketing(m, view) ? 0.04 : 0;
        },
        reply: reputation,
        before: (m, view, r) => (r.chance(0.15) ? [replyFrom(APPLE.volume, ctxReply(m, view), "rate")] : []),
        truth: { campaigns: [spike.id], window: [day, day] },
      };
    }

    case "low-engagement": {
      if (variant === "decline") {
        setup.quality = {
          subscribers: { ...QUALITY.good, fading: 0.5 },
          imported: { ...QUALITY.old, fading: 0.7 },
        };
        const perDay = setup.signups.reduce((s, x) => s + x.perDay, 0);
        setup.signups.push({
          cohort: "partner-coreg",
          quality: QUALITY.poor,
          fromDay: 0,
          toDay: T,
          perDay: perDay * 0.6,
        });
        return {
          variant,
          description:
            "engagement fades across the list while a co-registration partner keeps adding poor signups; rejections of the disengaged grow over the whole period",
          weight: (m, view) => {
            const e = view.engagement(m);
            const ramp = 0.1 + 0.9 * (view.day(m) / T) ** 1.5;
            return ramp * (e < 0.03 ? 1 : e < 0.12 ? 0.3 : 0.03) * (isMarketing(m, view) ? 1 : 0.3);
          },
          reply: reputation,
          truth: { window: [0, T - 1] },
        };
      }
      const from = rng.int(Math.floor(T * 0.15), Math.floor(T * 0.35));
      const length = rng.int(21, 35);
      // The partner brings a quarter to a third of the list; the program started that much smaller.
      const size = Math.round(setup.initial * rng.uniform(0.25, 0.35));
      setup.initial -= size;
      setup.signups.push({
        cohort: "partner-coreg",
        quality: QUALITY.stale,
        fromDay: from,
        toDay: from + length,
        perDay: size / length,
      });
      return {
        variant,
        description: `a co-registration partner adds a large, mostly disengaged cohort from day ${from}; Apple rejects mail to the disengaged more and more`,
        weight: (m, view) => {
          const r = view.recipients[m.recipient];
          const d = view.day(m);
          const e = view.engagement(m);
          if (d < from) return e < 0.03 ? 0.03 : 0;
          const ramp = Math.min(1, 0.2 + (d - from) / 10);
          return (
            ramp *
            (r.cohort === "partner-coreg" ? 1 : e < 0.03 ? 0.2 : 0.01) *
            (isMarketing(m, view) ? 1 : 0.3)
          );
        },
        reply: reputation,
        truth: { window: [from, T - 1] },
      };
    }

    case "content": {
      const shorteners = SHORTENERS[variant];
      let flagged: CampaignPlan[];
      const late = regular(setup).filter((c) => c.day >= 14 && c.day < T - 3);
      if (variant === "off-schedule") {
        const usual =
          regular(setup).filter((c) => c.audience === "all").length >= regular(setup).length / 2
            ? "all"
            : "engaged";
        const day = freeWeekday(setup, rng.int(Math.floor(T * 0.4), Math.floor(T * 0.75)));
        flagged = [newCampaign(setup, day, "flash-sale", "Flash sale: 24 hours only", usual)];
      } else if (variant === "big-send") {
        const all = late.filter((c) => c.audience === "all");
        flagged = [rng.pick(all.length > 0 ? all : late)];
        flagged[0].audience = "all";
      } else {
        const n = variant !== "inside-window" && rng.chance(0.5) ? 2 : 1;
        flagged = [];
        while (flagged.length < n) {
          const c = rng.pick(late);
          if (!flagged.includes(c)) flagged.push(c);
        }
      }
      for (const c of flagged) c.links = [...shorteners, c.links[c.links.length - 1]];
      if (variant === "inside-window") {
        // The campaign goes out during a week of Apple throttling that rejects nothing by itself.
        const day = flagged[0].day;
        setup.appleDeferrals.push({
          when: (m, view) => Math.abs(view.day(m) - day) <= 4 && isMarketing(m, view),
          p: 0.12,
          reply: (ctx) => replyFrom(APPLE.volume, ctx, "rate"),
        });
      }
      const ids = new Set(flagged.map((c) => c.id));
      const inFlagged = (m: Message, view: SimView) => ids.has(campaignOf(m, view).id);
      setup.others.push(
        { provider: "google", rate: 0.004, kind: "policy", when: inFlagged },
        { provider: "yahoo", rate: 0.004, kind: "policy", when: inFlagged },
      );
      return {
        variant,
        description: `campaign(s) ${[...ids].join(", ")} carry shortener links (${shorteners.map((u) => new URL(u).host).join(", ")})`,
        weight: (m, view) => (inFlagged(m, view) ? (view.engagement(m) > 0.3 ? 0.6 : 1) : 0),
        reply: (m, view, r) =>
          replyFrom(
            pickTemplate(r, [
              [APPLE.cs01, 5],
              [APPLE.cs01at554, 4],
              [APPLE.cs02, 1],
            ]),
            ctxReply(m, view),
            "policy",
          ),
        truth: { campaigns: [...ids] },
      };
    }

    case "blocklist": {
      const from = rng.int(Math.floor(T * 0.4), Math.floor(T * 0.7));
      const to = rng.chance(0.5) ? Math.min(T - 1, from + rng.int(10, 25)) : T - 1;
      const marketingIps = setup.ips.filter((ip) => ip.streams.includes("marketing"));
      const listed = variant === "spamhaus-dbl" ? null : rng.pick(marketingIps).ip;
      const hit = (m: Message, view: SimView) => {
        const d = view.day(m);
        if (d < from || d > to) return false;
        return listed === null ? isMarketing(m, view) : m.ip === listed;
      };
      const template =
        variant === "proofpoint" ? APPLE.proofpoint : variant === "spamhaus-sbl" ? APPLE.sbl : APPLE.dbl;
      if (variant === "spamhaus-sbl")
        setup.others.push(
          { provider: "yahoo", rate: 0.03, kind: "blocklist", when: hit },
          { provider: "microsoft", rate: 0.02, kind: "blocklist", when: hit },
        );
      return {
        variant,
        description: `${listed ? `IP ${listed}` : "a link domain"} listed (${variant}) from day ${from} to day ${to}`,
        weight: (m, view) => (hit(m, view) ? 1 : 0),
        reply: (m, view) => replyFrom(template, ctxReply(m, view), "blocklist"),
        truth: { ips: listed ? [listed] : undefined, window: [from, to] },
      };
    }

    case "authentication": {
      const from = rng.int(Math.floor(T * 0.35), Math.floor(T * 0.65));
      let affected: (m: Message, view: SimView) => boolean;
      let ips: string[] | undefined;
      if (variant === "new-ip-unauthorized") {
        const base = setup.ips[0].ip.split(".").slice(0, 3).join(".");
        const ip = `${base}.${rng.int(121, 200)}`;
        setup.ips.push({ ip, pool: setup.ips[0].pool, fromDay: from, streams: ["marketing"] });
        ips = [ip];
        affected = (m) => m.ip === ip;
      } else affected = (m, view) => isMarketing(m, view) && view.day(m) >= from;
      setup.others.push(
        { provider: "google", rate: 0.03, kind: "auth", when: affected },
        { provider: "microsoft", rate: 0.03, kind: "auth", when: affected },
        { provider: "yahoo", rate: 0.02, kind: "auth", when: affected },
      );
      return {
        variant,
        description:
          variant === "new-ip-unauthorized"
            ? `new IP ${ips![0]} from day ${from} is not in SPF and does not sign DKIM`
            : `the marketing stream's DKIM signature breaks on day ${from} (SPF not aligned): DMARC fails`,
        weight: (m, view) => (affected(m, view) ? 1 : 0),
        reply: (m, view, r) =>
          replyFrom(
            pickTemplate(r, [
              [APPLE.hme1, 3],
              [APPLE.dmarc, 2],
            ]),
            ctxReply(m, view),
            "auth",
          ),
        truth: { ips, window: [from, T - 1] },
      };
    }

    case "ip-reputation": {
      const base = setup.ips[0].ip.split(".").slice(0, 3).join(".");
      let bad: (m: Message, view: SimView) => number;
      let truth: CausePlan["truth"];
      if (variant === "bad-pool") {
        setup.ips = [
          { ip: `${base}.21`, pool: "dedicated", fromDay: 0, streams: ["marketing", "transactional"] },
          { ip: `${base}.140`, pool: "shared", fromDay: 0, streams: ["marketing", "transactional"] },
          { ip: `${base}.141`, pool: "shared", fromDay: 0, streams: ["marketing", "transactional"] },
        ];
        bad = (m) => (m.pool === "shared" ? 1 : 0);
        truth = { pool: "shared", ips: [`${base}.140`, `${base}.141`] };
      } else if (variant === "new-ip") {
        const from = rng.int(Math.floor(T * 0.3), Math.floor(T * 0.5));
        const ip = `${base}.${rng.int(121, 200)}`;
        setup.ips.push({ ip, pool: setup.ips[0].pool, fromDay: from, streams: ["marketing"] });
        bad = (m, view) => (m.ip === ip ? Math.exp(-(view.day(m) - from) / 40) : 0);
        truth = { ips: [ip], window: [from, T - 1] };
      } else {
        if (setup.ips.length < 2 || setup.ips[0].pool !== setup.ips[1].pool)
          setup.ips = [
            { ip: `${base}.31`, pool: "mkt", fromDay: 0, streams: ["marketing", "transactional"] },
            { ip: `${base}.32`, pool: "mkt", fromDay: 0, streams: ["marketing", "transactional"] },
          ];
        const ip = setup.ips[1].ip;
        bad = (m) => (m.ip === ip ? 1 : 0);
        truth = { ips: [ip] };
      }
      const onBad = (m: Message, view: SimView) => bad(m, view) > 0;
      setup.appleDeferrals.push({
        when: onBad,
        p: 0.02,
        reply: (ctx) => replyFrom(APPLE.hcm1, ctx, "ip-policy"),
      });
      setup.others.push(
        { provider: "yahoo", rate: 0.03, kind: "rate", when: onBad },
        { provider: "microsoft", rate: 0.004, kind: "policy", when: onBad },
      );
      return {
        variant,
        description: `${truth.pool ? `pool ${truth.pool}` : `IP ${truth.ips![0]}`} has a poor reputation at Apple${truth.window ? ` (new from day ${truth.window[0]})` : ""}`,
        weight: (m, view) => bad(m, view) * (view.engagement(m) < 0.03 ? 1.4 : 1),
        reply: (m, view, r) =>
          replyFrom(
            pickTemplate(r, [
              [APPLE.hm08, 4],
              [APPLE.hcm2, 3],
              [APPLE.cs01, 3],
            ]),
            ctxReply(m, view),
            "ip-policy",
          ),
        truth,
      };
    }

    case "rate-limit": {
      const from = rng.int(Math.floor(T * 0.35), Math.floor(T * 0.6));
      const to = Math.min(T - 2, from + rng.int(7, 14));
      const inWindow = (m: Message, view: SimView) => {
        const d = view.day(m);
        return d >= from && d <= to && isMarketing(m, view);
      };
      // The sender sped up its MTA: campaigns in the window go out in ten minutes.
      for (const c of setup.campaigns) if (c.day >= from && c.day <= to) c.spreadMinutes = 10;
      if (variant === "big-send-in-window") {
        const inside = setup.campaigns.filter((c) => c.day >= from && c.day <= to);
        if (inside.length > 0) rng.pick(inside).audience = "all";
        else
          newCampaign(setup, freeWeekday(setup, from + 1), "monthly-roundup", "The monthly roundup", "all");
      }
      setup.appleDeferrals.push({
        when: inWindow,
        p: 0.1 + 0.15 * spec.strength,
        reply: (ctx) => replyFrom(APPLE.volume, ctx, "rate"),
      });
      setup.others.push(
        { provider: "yahoo", rate: 0.05, kind: "rate", when: inWindow },
        { provider: "microsoft", rate: 0.02, kind: "rate", when: inWindow },
      );
      return {
        variant,
        description: `sending speed raised on days ${from}–${to}: Apple defers for excessive volume, then rejects (HM08/HCM2/CS01)`,
        weight: (m, view) =>
          inWindow(m, view) ? (variant === "escalation" ? (view.day(m) - from + 1) / (to - from + 1) : 1) : 0,
        before: (m, view, r) => {
          const ctx = ctxReply(m, view);
          return Array.from({ length: r.int(1, 3) }, () => replyFrom(APPLE.volume, ctx, "rate"));
        },
        reply: (m, view, r) =>
          replyFrom(
            pickTemplate(r, [
              [APPLE.hm08, 45],
              [APPLE.hcm2, 25],
              [APPLE.cs01, 30],
            ]),
            ctxReply(m, view),
            "ip-policy",
          ),
        truth: { window: [from, to] },
      };
    }
  }
  return null;
}
