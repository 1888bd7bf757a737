/**
 * The sending-program generator: a list that grows with signups, weekly campaigns on fixed days plus
 * off-schedule sends, a transactional stream, one or two sending IPs or pools, per-recipient latent
 * engagement (fading for some), Apple Mail Privacy Protection prefetches (for every address read in
 * Apple Mail), background deferrals, hard bounces and a small background rate of policy rejections —
 * and exactly one injected cause (causes.ts), whose rejections are the program's ground truth.
 *
 * Built independently of src/diagnose: it models what senders and receivers do, not what the
 * diagnosis measures. Deterministic per spec.
 */
import { planCause, variantOf } from "./causes.ts";
import { engagementOn, ListBuilder, providerMix, QUALITY } from "./list.ts";
import {
  type Attempt,
  type Campaign,
  DAY_MS,
  dayString,
  type Engagement,
  type Message,
  type Program,
  type ProgramShape,
  type ProgramSpec,
  type Recipient,
  type Stream,
} from "./model.ts";
import { appleBackground, MX, type Reply, type ReplyContext, reply } from "./replies.ts";
import { Rng } from "./rng.ts";
import type { CampaignPlan, Setup, SimView } from "./setup.ts";

const BRANDS = [
  ["Harbor Light Coffee", "harborlightcoffee.com"],
  ["Bluefern Books", "bluefernbooks.com"],
  ["Northwind Outfitters", "northwindoutfitters.com"],
  ["Cedar & Pine Home", "cedarpinehome.com"],
  ["Pedal Works", "pedalworks.shop"],
  ["Lumen Skincare", "lumenskincare.co"],
  ["Trailhead Gear", "trailheadgear.com"],
  ["Sprout Kitchen", "sproutkitchen.io"],
] as const;

const SUBJECTS = [
  "This week's picks",
  "New arrivals are here",
  "Your weekend reading",
  "Members get 15% off",
  "Back in stock",
  "The monthly roundup",
  "Last chance: spring sale",
  "Tips from our team",
  "Something new for you",
  "Free shipping this week",
];

/** Sending IPs from the documentation ranges (RFC 5737). */
function planIps(rng: Rng): Setup["ips"] {
  const base = rng.pick(["198.51.100", "203.0.113", "192.0.2"]);
  const a = `${base}.${rng.int(10, 60)}`;
  const b = `${base}.${rng.int(61, 120)}`;
  const layout = rng.next();
  if (layout < 0.4) return [{ ip: a, pool: "default", fromDay: 0, streams: ["marketing", "transactional"] }];
  if (layout < 0.7)
    return [
      { ip: a, pool: "mkt", fromDay: 0, streams: ["marketing", "transactional"] },
      { ip: b, pool: "mkt", fromDay: 0, streams: ["marketing", "transactional"] },
    ];
  return [
    { ip: a, pool: "marketing", fromDay: 0, streams: ["marketing"] },
    { ip: b, pool: "transactional", fromDay: 0, streams: ["transactional"] },
  ];
}

function planCampaigns(
  rng: Rng,
  start: number,
  days: number,
  engagedOnly: boolean,
  brand: string,
  shape: ProgramShape = "weekly",
): CampaignPlan[] {
  const first = rng.int(1, 5);
  const pattern = rng.weighted([
    [0, 0.45],
    [1, 0.4],
    [2, 0.15],
  ] as const);
  const dows = pattern === 0 ? [first] : pattern === 1 ? [first, ((first + 2) % 5) + 1] : [1, 3, 5];
  const plans: CampaignPlan[] = [];
  const spread = rng.int(30, 120);
  const linksFor = (slug: string) => [
    `https://www.${brand}/collections/${slug}?utm_source=newsletter&utm_medium=email&utm_campaign=${slug}`,
    `https://www.${brand}/blog/${slug}-guide`,
    `https://www.${brand}/account/preferences`,
  ];
  const ids = new Set<string>();
  const add = (day: number, audience: CampaignPlan["audience"], offSchedule: boolean, hourOffset = 0) => {
    const subject = rng.pick(SUBJECTS);
    const slug = subject
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "");
    const base = `${dayString(start, day).replaceAll("-", "")}-${slug}`;
    let id = base;
    for (let k = 2; ids.has(id); k++) id = `${base}-${k}`;
    ids.add(id);
    plans.push({
      id,
      subject,
      day,
      audience,
      offSchedule,
      spreadMinutes: spread,
      links: linksFor(slug),
      hourOffset,
    });
  };
  const segment = (whole: boolean): CampaignPlan["audience"] => (engagedOnly || !whole ? "engaged" : "all");
  if (shape === "daily") {
    // Every weekday; the whole list once a week, the engaged segment on the other days.
    for (let day = 0; day < days; day++) {
      const dow = new Date(start + day * DAY_MS).getUTCDay();
      if (dow !== 0 && dow !== 6) add(day, segment(dow === first), false);
    }
    return plans;
  }
  if (shape === "several-a-day") {
    // Two or three sends on each sending day, hours apart: the engaged segment in the morning, the
    // whole list (or the engaged segment again) in the afternoon, sometimes a third evening send.
    const sendDays = pattern === 0 ? [first, ((first + 2) % 5) + 1] : dows;
    for (let day = 0; day < days; day++) {
      const dow = new Date(start + day * DAY_MS).getUTCDay();
      if (!sendDays.includes(dow)) continue;
      add(day, "engaged", false, -5);
      add(day, segment(sendDays.indexOf(dow) === 0), false, 0);
      if (rng.chance(0.3)) add(day, "engaged", false, 4);
    }
    return plans;
  }
  let nextOff = rng.int(10, 25);
  for (let day = 0; day < days; day++) {
    const dow = new Date(start + day * DAY_MS).getUTCDay();
    const slot = dows.indexOf(dow);
    if (slot >= 0) add(day, engagedOnly || (slot > 0 && pattern !== 2) ? "engaged" : "all", false);
    else if (day >= nextOff && dow !== 0 && dow !== 6) {
      add(day, engagedOnly ? "engaged" : rng.pick(["all", "engaged"] as const), true);
      nextOff = day + rng.int(16, 32);
    }
  }
  return plans;
}

export function makeSetup(spec: ProgramSpec): Setup {
  const rng = new Rng(spec.seed).fork("setup");
  const days = spec.days ?? rng.int(70, 120);
  const start = Date.UTC(2026, 4, 4) + rng.int(0, 35) * DAY_MS;
  const [name, domain] = rng.pick(BRANDS);
  const target = spec.recipients ?? rng.int(4000, 6000);
  const initial = Math.round(target * rng.uniform(0.66, 0.78));
  const perDay = (target - initial) / days;
  const signups: Setup["signups"] = [
    { cohort: "web-signup", quality: QUALITY.good, fromDay: 0, toDay: days, perDay: perDay * 0.75 },
    { cohort: "checkout-optin", quality: QUALITY.good, fromDay: 0, toDay: days, perDay: perDay * 0.25 },
  ];
  // Some programs run a giveaway for two weeks: poor signups, whatever else happens.
  if (rng.chance(0.3)) {
    const from = rng.int(5, days - 30);
    signups.push({
      cohort: "giveaway",
      quality: QUALITY.poor,
      fromDay: from,
      toDay: from + 14,
      perDay: perDay * 0.8,
    });
  }
  const engagedOnly = rng.chance(0.25);
  const weak = spec.weak === true;
  return {
    rng,
    days,
    start,
    brand: { domain, name, from: `news@${domain}` },
    initial,
    signups,
    ips: planIps(rng),
    engagedOnly,
    campaigns: planCampaigns(rng, start, days, engagedOnly, domain, spec.shape),
    sendHour: rng.int(13, 17),
    transactionalPerDay: rng.uniform(0.008, 0.02),
    appleBackground: weak ? rng.uniform(0.0001, 0.00025) : rng.uniform(0.0004, 0.0012),
    wobble: 0.35,
    budget: weak ? rng.uniform(20, 32) : rng.uniform(0.005, 0.009),
    appleDeferrals: [],
    quality: { subscribers: QUALITY.good, imported: QUALITY.old },
    others: [],
    strays: [],
  };
}

const UA = {
  mpp: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
  gmailProxy: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
  yahooProxy: "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  outlook: "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
  chrome:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  safari:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
};

/** Apple's privacy-proxy egress blocks the machine opens come from (rows of Apple's egress CSV). */
export const APPLE_EGRESS = ["172.224.226.0/27", "104.28.40.128/27", "17.58.60.0/27"] as const;

export function appleEgressCsv(): string {
  return `${APPLE_EGRESS.map((prefix) => `${prefix},US,US-CA,Los Angeles,`).join("\n")}\n`;
}

/** Each APPLE_EGRESS block as its first three octets ("172.224.226.") and its fourth. */
const EGRESS_NETS = APPLE_EGRESS.map((prefix) => {
  const parts = prefix.split("/")[0].split(".");
  return [`${parts.slice(0, 3).join(".")}.`, Number(parts[3])] as const;
});

function proxyIp(rng: Rng): string {
  const [first, fourth] = rng.pick(EGRESS_NETS);
  return `${first}${fourth + rng.int(1, 30)}`;
}

function residentialIp(rng: Rng): string {
  return `${rng.pick([73, 98, 24, 71, 108, 86, 81, 92])}.${rng.int(1, 254)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function readerFor(r: Recipient, rng: Rng): { ip: string; userAgent: string } {
  if (r.provider === "google" && !r.appleMail && rng.chance(0.8))
    return { ip: `66.249.84.${rng.int(1, 254)}`, userAgent: UA.gmailProxy };
  if (r.provider === "yahoo" && !r.appleMail && rng.chance(0.6))
    return { ip: `98.137.${rng.int(0, 255)}.${rng.int(1, 254)}`, userAgent: UA.yahooProxy };
  if (r.appleMail) return { ip: residentialIp(rng), userAgent: UA.iphone };
  if (r.provider === "microsoft" && rng.chance(0.5)) return { ip: residentialIp(rng), userAgent: UA.outlook };
  return { ip: residentialIp(rng), userAgent: rng.pick([UA.chrome, UA.safari]) };
}

const TRANSACTIONAL = ["order-confirmation", "shipping-update", "password-reset"] as const;

/** The UTC days' "yyyymmdd" made so far (stampDigits): a program's messages fall on a few hundred days. */
const dayDigits = new Map<number, string>();
/** Last instant whose ISO form has four year digits (9999-12-31T23:59:59.999Z). */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/**
 * The ISO form's first 14 digits of the UTC time `ms` (yyyymmddHHMMSS): what
 * `new Date(ms).toISOString().replace(/[-:TZ.]/g, "").slice(0, 14)` gives, without making a Date, an ISO
 * string and a regexp's copy for each of a program's messages (the largest cost of making one).
 */
export function stampDigits(ms: number): string {
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS))
    return new Date(ms)
      .toISOString()
      .replace(/[-:TZ.]/g, "")
      .slice(0, 14);
  const day = Math.floor(ms / DAY_MS);
  let date = dayDigits.get(day);
  if (date === undefined) {
    if (dayDigits.size >= 100_000) dayDigits.clear();
    date = new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll("-", "");
    dayDigits.set(day, date);
  }
  const second = Math.floor((ms - day * DAY_MS) / 1000);
  return (
    date +
    twoDigits(Math.floor(second / 3600)) +
    twoDigits(Math.floor(second / 60) % 60) +
    twoDigits(second % 60)
  );
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Generates the program for a spec (same spec → same program). */
export function generateProgram(spec: ProgramSpec): Program {
  const setup = makeSetup(spec);
  const root = new Rng(spec.seed * 7919 + 17);
  const cause = planCause(spec, setup, root.fork(`cause:${spec.cause}`));
  const listRng = root.fork("list");
  const sim = root.fork("sim");
  const list = new ListBuilder(listRng, providerMix(listRng));
  const { days, start } = setup;

  for (let i = 0; i < setup.initial; i++) {
    const old = listRng.chance(0.25);
    const quality = old ? setup.quality.imported : setup.quality.subscribers;
    list.add(old ? "imported-2024" : "subscribers", quality, -listRng.int(1, 700));
  }
  const recipients = list.recipients;

  const campaigns: Campaign[] = [];
  const campaignIndex = new Map<string, number>();
  for (const id of TRANSACTIONAL) {
    campaignIndex.set(id, campaigns.length);
    campaigns.push({
      id,
      subject: id,
      day: 0,
      start,
      spreadMinutes: 0,
      stream: "transactional",
      audience: "transactional",
      offSchedule: false,
      links: [`https://www.${setup.brand.domain}/account/orders`],
      messages: 0,
    });
  }
  const plansByDay = new Map<number, CampaignPlan[]>();
  for (const plan of setup.campaigns) {
    const list = plansByDay.get(plan.day) ?? [];
    list.push(plan);
    plansByDay.set(plan.day, list);
  }

  const messages: Message[] = [];
  const domainOf = setup.brand.domain;
  let seq = 0;

  const pickIp = (stream: Stream, day: number) => {
    const eligible = setup.ips.filter((ip) => ip.fromDay <= day && ip.streams.includes(stream));
    return eligible.length === 1 ? eligible[0] : sim.pick(eligible);
  };

  const send = (ri: number, ci: number, sentAt: number, day: number) => {
    const r = recipients[ri];
    const c = campaigns[ci];
    const ip = pickIp(c.stream, day);
    const ctx: ReplyContext = { rcpt: r.address, ip: ip.ip, domain: domainOf };
    const mx = sim.pick(MX[r.provider]);
    const attempts: Attempt[] = [];
    let at = sentAt + sim.int(1, 40) * 1000;
    const m: Message = {
      seq: seq++,
      id: `${stampDigits(sentAt)}.${sim.token(10, "0123456789abcdef")}@mail.${domainOf}`,
      recipient: ri,
      campaign: ci,
      ip: ip.ip,
      pool: ip.pool,
      sentAt,
      attempts,
      engagement: [],
    };
    c.messages++;
    messages.push(m);
    if (r.invalid) {
      attempts.push({ at, outcome: "bounced", reply: reply("hard", r.provider, ctx, sim), mx });
      r.suppressedDay = day;
      m.truth = "hard";
      return;
    }
    const deferP = r.provider === "apple" ? 0.01 : r.provider === "yahoo" ? 0.012 : 0.004;
    if (sim.chance(deferP)) {
      const n = sim.chance(0.8) ? 1 : 2;
      for (let k = 0; k < n; k++) {
        attempts.push({ at, outcome: "deferred", reply: reply("transient", r.provider, ctx, sim), mx });
        at += sim.int(5, 45) * 60_000;
      }
    }
    attempts.push({ at, outcome: "delivered", reply: reply("accepted", r.provider, ctx, sim), mx });
    engage(m, r, day, at);
  };

  const engage = (m: Message, r: Recipient, day: number, deliveredAt: number) => {
    const c = campaigns[m.campaign];
    let e = engagementOn(r, day);
    if (c.stream === "transactional") e = Math.min(1, e * 1.3 + 0.15);
    const out: Engagement[] = m.engagement;
    let seen = false;
    if (r.mpp && sim.chance(0.93)) {
      out.push({
        at: deliveredAt + Math.round(sim.exp(25 * 60_000)),
        kind: "open",
        machine: true,
        ip: proxyIp(sim),
        userAgent: UA.mpp,
      });
      seen = true;
    }
    let openAt: number | null = null;
    if (sim.chance(e * (r.mpp ? 0.3 : 0.85))) {
      openAt = deliveredAt + Math.round(sim.exp(4 * 3_600_000));
      const reader = readerFor(r, sim);
      out.push({ at: openAt, kind: "open", machine: false, ...reader });
      seen = true;
    }
    if (sim.chance(e * 0.22)) {
      const clickAt =
        (openAt ?? deliveredAt + Math.round(sim.exp(4 * 3_600_000))) + Math.round(sim.exp(90_000));
      if (openAt === null && !r.mpp)
        out.push({ at: clickAt - 5000, kind: "open", machine: false, ...readerFor(r, sim) });
      out.push({
        at: clickAt,
        kind: "click",
        machine: false,
        ip: residentialIp(sim),
        userAgent: r.appleMail ? UA.iphone : UA.chrome,
        url: sim.pick(c.links),
      });
      seen = true;
    }
    if (c.stream === "marketing") {
      if (sim.chance(0.0008 + 0.003 * (1 - e))) {
        out.push({
          at: deliveredAt + Math.round(sim.exp(6 * 3_600_000)),
          kind: "unsubscribe",
          machine: false,
          ...readerFor(r, sim),
        });
        r.suppressedDay = day;
      } else if ((r.provider === "yahoo" || r.provider === "microsoft") && sim.chance(0.0012 * (1 - e))) {
        out.push({
          at: deliveredAt + Math.round(sim.exp(8 * 3_600_000)),
          kind: "complaint",
          machine: false,
          ip: "",
          userAgent: "",
        });
        r.suppressedDay = day;
      }
    }
    if (seen) r.lastSeen = day;
    out.sort((a, b) => a.at - b.at);
  };

  for (let day = 0; day < days; day++) {
    for (const source of setup.signups) {
      if (day < source.fromDay || day >= source.toDay) continue;
      const n = listRng.poisson(source.perDay);
      for (let i = 0; i < n; i++) list.add(source.cohort, source.quality, day);
    }
    const active = () => {
      const indexes: number[] = [];
      for (let i = 0; i < recipients.length; i++) {
        const r = recipients[i];
        if (!r.oneOff && r.joinedDay <= day && r.suppressedDay === null) indexes.push(i);
      }
      return indexes;
    };
    for (const plan of plansByDay.get(day) ?? []) {
      let audience = active();
      if (plan.audience === "engaged")
        audience = audience.filter((i) => {
          const r = recipients[i];
          return (r.lastSeen !== null && day - r.lastSeen <= 90) || day - r.joinedDay <= 30;
        });
      if (plan.audience === "reactivation" && setup.reactivationCohort?.campaign === plan.id) {
        const { size, quality } = setup.reactivationCohort;
        for (let i = 0; i < size; i++)
          audience.push(list.add("lapsed-2023", quality, -listRng.int(400, 1100), true));
      }
      const ci = campaigns.length;
      campaignIndex.set(plan.id, ci);
      const begin =
        start +
        day * DAY_MS +
        (setup.sendHour + (plan.hourOffset ?? 0)) * 3_600_000 +
        sim.int(0, 20) * 60_000;
      campaigns.push({
        id: plan.id,
        subject: plan.subject,
        day,
        start: begin,
        spreadMinutes: plan.spreadMinutes,
        stream: "marketing",
        audience: plan.audience,
        offSchedule: plan.offSchedule,
        links: plan.links,
        messages: 0,
      });
      for (const ri of audience)
        send(ri, ci, begin + Math.floor(sim.next() * plan.spreadMinutes * 60_000), day);
    }
    const pool = active();
    const n = sim.poisson(setup.transactionalPerDay * pool.length);
    for (let k = 0; k < n; k++) {
      let ri = sim.pick(pool);
      for (let tries = 0; tries < 4 && sim.next() > 0.25 + engagementOn(recipients[ri], day); tries++)
        ri = sim.pick(pool);
      const ci = campaignIndex.get(
        sim.weighted([
          [TRANSACTIONAL[0], 5],
          [TRANSACTIONAL[1], 3],
          [TRANSACTIONAL[2], 2],
        ] as const),
      )!;
      send(ri, ci, start + day * DAY_MS + sim.int(6 * 3600, 23 * 3600) * 1000, day);
    }
  }

  messages.sort((a, b) => a.sentAt - b.sentAt || a.seq - b.seq);
  const view: SimView = {
    setup,
    recipients,
    campaigns,
    engagement: (m) => engagementOn(recipients[m.recipient], Math.floor((m.sentAt - start) / DAY_MS)),
    day: (m) => Math.floor((m.sentAt - start) / DAY_MS),
  };
  const policy = root.fork("policy");
  const ctxOf = (m: Message): ReplyContext => ({
    rcpt: recipients[m.recipient].address,
    ip: m.ip,
    domain: domainOf,
  });
  const delivered = (m: Message) => m.attempts[m.attempts.length - 1].outcome === "delivered";

  // Background: a small rate of local-policy rejections at Apple (a bit more for the never-engaged),
  // varying day to day; the other providers' own policy blocks, rarer.
  const wobble = Array.from({ length: days }, () => Math.exp(policy.normal(0, setup.wobble)));
  for (const m of messages) {
    if (!delivered(m)) continue;
    const r = recipients[m.recipient];
    const day = view.day(m);
    if (r.provider === "apple") {
      const p = setup.appleBackground * wobble[day] * (view.engagement(m) < 0.03 ? 1.5 : 1);
      if (policy.chance(p)) reject(m, [], appleBackground(ctxOf(m), policy), "background", policy);
    } else if (policy.chance(0.0003))
      reject(m, [], reply("policy", r.provider, ctxOf(m), policy), "background", policy);
  }

  // The injected cause: its Apple rejections, spread over the messages it concerns by weight.
  let causeCount = 0;
  if (cause) {
    const weights = messages.map((m) =>
      recipients[m.recipient].provider === "apple" && delivered(m) ? cause.weight(m, view) : 0,
    );
    const total = weights.reduce((a, b) => a + b, 0);
    const appleMessages = messages.filter((m) => recipients[m.recipient].provider === "apple").length;
    const budget = spec.strength * (setup.budget < 1 ? setup.budget * appleMessages : setup.budget);
    const causeRng = root.fork("cause-draws");
    if (total > 0)
      for (const [i, m] of messages.entries()) {
        if (weights[i] === 0) continue;
        if (!causeRng.chance(Math.min(0.95, (budget * weights[i]) / total))) continue;
        const before = cause.before?.(m, view, causeRng) ?? [];
        reject(m, before, cause.reply(m, view, causeRng), spec.cause, causeRng);
        causeCount++;
      }
  }

  // Throttling without rejections: Apple deferrals ("excessive volume", HCM1), then delivery.
  const throttle = root.fork("throttle");
  for (const rule of setup.appleDeferrals)
    for (const m of messages) {
      if (!delivered(m) || m.truth || recipients[m.recipient].provider !== "apple") continue;
      if (!rule.when(m, view) || !throttle.chance(rule.p)) continue;
      const final = m.attempts[m.attempts.length - 1];
      const ctx = ctxOf(m);
      const n = throttle.int(1, 3);
      let at = final.at;
      const deferrals: Attempt[] = [];
      for (let k = 0; k < n; k++) {
        deferrals.push({ at, outcome: "deferred", reply: rule.reply(ctx, throttle), mx: final.mx });
        at += throttle.int(15, 60) * 60_000;
      }
      shift(m, at - final.at);
      m.attempts.splice(m.attempts.length - 1, 0, ...deferrals);
    }

  // Other providers' reaction to the same cause (their own codes; not what the diagnosis scores).
  for (const other of setup.others)
    for (const m of messages) {
      if (recipients[m.recipient].provider !== other.provider || !delivered(m) || m.truth) continue;
      if (!other.when(m, view) || !throttle.chance(other.rate)) continue;
      const kind = other.kind === "ip-policy" ? "policy" : other.kind;
      const r = reply(kind, other.provider, ctxOf(m), throttle);
      if (kind === "rate" || kind === "transient") {
        const final = m.attempts[m.attempts.length - 1];
        const delay = throttle.int(20, 90) * 60_000;
        shift(m, delay);
        m.attempts.splice(m.attempts.length - 1, 0, {
          at: final.at - delay,
          outcome: "deferred",
          reply: r,
          mx: final.mx,
        });
      } else reject(m, [], r, `${spec.cause}:${other.provider}`, throttle);
    }

  // Strays in clean programs: a one-day listing, a DMARC hiccup.
  for (const stray of setup.strays) {
    const pool = messages.filter(
      (m) =>
        view.day(m) === stray.day && delivered(m) && !m.truth && recipients[m.recipient].provider === "apple",
    );
    for (let k = 0; k < stray.count && pool.length > 0; k++) {
      const m = pool.splice(throttle.int(0, pool.length - 1), 1)[0];
      reject(m, [], reply(stray.kind, "apple", ctxOf(m), throttle), "background", throttle);
    }
  }

  let background = 0;
  let injected = 0;
  for (const m of messages) {
    if (recipients[m.recipient].provider !== "apple") continue;
    if (m.truth === "background") background++;
    else if (m.truth === spec.cause) injected++;
  }
  if (injected !== causeCount) throw new Error(`ground truth: ${injected} ≠ ${causeCount} injected`);

  return {
    spec,
    name: programName(spec, variantOf(spec)),
    start,
    days,
    brand: setup.brand,
    recipients,
    campaigns,
    ips: setup.ips,
    messages,
    truth: {
      cause: spec.cause,
      strength: spec.strength,
      variant: variantOf(spec),
      weak: spec.weak === true,
      description:
        cause?.description ?? "clean: background deferrals, hard bounces and policy rejections only",
      causePolicyBounces: injected,
      backgroundPolicyBounces: background,
      ...cause?.truth,
    },
  };

  function shift(m: Message, by: number) {
    m.attempts[m.attempts.length - 1].at += by;
    for (const e of m.engagement) e.at += by;
  }

  function reject(m: Message, before: Reply[], final: Reply, truth: string, rng: Rng) {
    const last = m.attempts[m.attempts.length - 1];
    let at = last.at;
    const deferrals: Attempt[] = [];
    for (const r of before) {
      deferrals.push({ at, outcome: "deferred", reply: r, mx: last.mx });
      at += rng.int(15, 75) * 60_000;
    }
    m.attempts.splice(m.attempts.length - 1, 1, ...deferrals, {
      at,
      outcome: "bounced",
      reply: final,
      mx: last.mx,
    });
    m.engagement = [];
    m.truth = truth;
  }
}

export function programName(spec: ProgramSpec, variant: string): string {
  const shape = spec.shape && spec.shape !== "weekly" ? `-${spec.shape}` : "";
  return `${spec.cause}${spec.cause === "clean" ? "" : `@${spec.strength}`}-${variant}${spec.weak ? "-weak" : ""}${shape}-s${spec.seed}`;
}
