/**
 * The holdout program generator (issue 10): a sending program simulated the way real senders run one —
 * a list that grows from signup sources of different quality, interest that decays, mailboxes that are
 * abandoned and later disabled, Apple Mail Privacy Protection prefetching every message read in Apple Mail
 * (whatever the address's provider), a fixed schedule with the odd off-schedule send, a welcome message
 * and a transactional stream, one to three sending IPs — and a receiving side that rejects a small
 * background share of it. Exactly one cause is injected (or none): its mechanism changes what the sender
 * does or what the receivers answer, at a strength between 0 and 1.
 *
 * Written without reading the code under test (src/diagnose, src/measures) or the first generator
 * (testkit/programs): it is a second, independent model of sending programs.
 */
import { Rng } from "./rng.ts";
import { HAS_FBL, PROVIDER_DOMAINS, type Provider, type ReplyKind, reply } from "./world.ts";

export const CAUSES = [
  "volume-spike",
  "low-engagement",
  "content",
  "blocklist",
  "authentication",
  "ip-reputation",
  "rate-limit",
] as const;
export type Cause = (typeof CAUSES)[number];
export type Truth = Cause | "clean";

export const SHAPES = ["weekly", "twice-weekly", "weekdays", "several-a-day"] as const;
export type Shape = (typeof SHAPES)[number];

export const FORMATS = ["sendgrid", "ses", "ses-sns", "mailgun"] as const;
export type Format = (typeof FORMATS)[number];

export interface ProgramSpec {
  cause: Truth;
  /** 1 = full strength, 0.6 = the weaker version of the same mechanism. */
  strength: number;
  seed: number;
  format: Format;
  /** Forced schedule; otherwise drawn from the seed. */
  shape?: Shape;
  /** A twelfth of the list over 28 days: for smoke tests of the exports, not for judging diagnose. */
  small?: boolean;
}

export type EventType =
  | "sent"
  | "delivered"
  | "deferred"
  | "bounced"
  | "open"
  | "click"
  | "unsubscribe"
  | "complaint";

export interface SimMessage {
  index: number;
  recipient: string;
  provider: Provider;
  campaign: string;
  stream: "marketing" | "transactional";
  ip: string;
  pool: string;
  sentAt: number;
  subject: string;
}

export interface SimEvent {
  t: number;
  type: EventType;
  message: number;
  reply?: string;
  /** for bounces: hard (address), soft (mailbox full), policy (any policy or reputation rejection) */
  bounce?: "hard" | "soft" | "policy";
  attempt?: number;
  machine?: boolean;
  readerIp?: string;
  userAgent?: string;
  url?: string;
}

export interface Campaign {
  id: string;
  day: number;
  subject: string;
  kind: "newsletter" | "promo" | "digest" | "winback" | "welcome" | "transactional" | "announcement";
  stream: "marketing" | "transactional";
  /** links in the body, in order */
  links: string[];
  /** the injected content problem is in this campaign */
  flagged: boolean;
  sends: number;
  /** recipients the send was planned for (known before the first message leaves) */
  planned: number;
}

export interface Brand {
  name: string;
  domain: string;
  from: string;
}

export interface Program {
  spec: ProgramSpec;
  name: string;
  brand: Brand;
  shape: Shape;
  start: number;
  days: number;
  ips: { ip: string; pool: string; from: number }[];
  campaigns: Campaign[];
  messages: SimMessage[];
  events: SimEvent[];
  /** what was injected, in words, with its days (for reports) */
  truth: { cause: Truth; strength: number; variant: string; fromDay: number; toDay: number; note: string };
  /** Apple relay egress prefixes the MPP opens came from (written as an egress CSV) */
  egressPrefixes: string[];
  recipients: number;
}

const DAY = 86_400_000;

const BRANDS: readonly Brand[] = [
  { name: "Fernhill Outfitters", domain: "fernhill-outfitters.com", from: "news" },
  { name: "Quayside Coffee Roasters", domain: "quaysidecoffee.co", from: "hello" },
  { name: "Northwind Bikes", domain: "northwind-bikes.com", from: "ride" },
  { name: "The Larder Weekly", domain: "larderweekly.com", from: "editors" },
  { name: "Pinecone Kids", domain: "pineconekids.shop", from: "hi" },
  { name: "Atlas Travel Deals", domain: "atlastraveldeals.com", from: "deals" },
  { name: "Brightpath Learning", domain: "brightpath-learning.org", from: "team" },
  { name: "Ridgeline Running", domain: "ridgelinerunning.com", from: "crew" },
];

type Source = "organic" | "popup" | "coreg" | "import";

interface Recipient {
  address: string;
  provider: Provider;
  source: Source;
  signupDay: number;
  interest0: number;
  halfLife: number;
  clickRate: number;
  /** reads in Apple Mail with Mail Privacy Protection (prefetches every message it downloads) */
  mpp: boolean;
  invalid: boolean;
  abandonDay: number;
  disableDay: number;
  status: "active" | "unsubscribed" | "complained" | "bounced";
  /** the provider's view: last day the person really read a message */
  readDay: number;
  /** the sender's view: last open of any kind (machine opens included) or click */
  senderOpenDay: number;
  digest: boolean;
  imported: boolean;
}

interface IpInfo {
  ip: string;
  pool: string;
  from: number;
}

interface SendCtx {
  day: number;
  campaign: Campaign;
  ip: string;
  recipient: Recipient;
}

interface Effects {
  /** multiplier on the policy-rejection probability */
  policyMult: number;
  policyKind?: ReplyKind;
  /** extra probability that the first attempt is deferred, and by which reply kind */
  deferP: number;
  deferKind?: ReplyKind;
  /** probability of a rejection once a message was deferred twice or more */
  rejectAfterDefer: number;
  rejectAfterDeferKind?: ReplyKind;
  /** added probability of a policy rejection of the kind below (blocklist, authentication) */
  extraP: number;
  extraKind?: ReplyKind;
  /** probability the message lands in the spam folder */
  junk: number;
}

const ESP_IP_PREFIX: Record<Format, readonly string[]> = {
  sendgrid: ["149.72.", "167.89.", "168.245."],
  ses: ["54.240.", "23.251.", "69.169."],
  "ses-sns": ["54.240.", "23.251.", "69.169."],
  mailgun: ["159.135.", "69.72.", "161.38."],
};

const BASE_POLICY: Record<Provider, number> = {
  apple: 0.0008,
  gmail: 0.00025,
  yahoo: 0.0003,
  microsoft: 0.0004,
  other: 0.0001,
};

/** Share of the messages from a listed IP each provider rejects (Proofpoint at Apple is reputation, not a hard list). */
const LISTING_REJECTS: Record<Provider, number> = {
  apple: 0.05,
  gmail: 0,
  yahoo: 0.25,
  microsoft: 0.2,
  other: 0,
};
/** Share of the affected messages each provider rejects: DMARC fails on part of them, and p=quarantine or a
 * local override sends most of those to the spam folder instead. */
const DMARC_REJECTS: Record<Provider, number> = {
  apple: 0.03,
  gmail: 0.05,
  yahoo: 0.04,
  microsoft: 0.05,
  other: 0,
};

const BASE_DEFER: Record<Provider, number> = {
  apple: 0.012,
  gmail: 0.002,
  yahoo: 0.008,
  microsoft: 0.005,
  other: 0.004,
};

const FIRST_NAMES = [
  "anna",
  "ben",
  "carla",
  "dev",
  "emma",
  "felix",
  "grace",
  "hugo",
  "ines",
  "jack",
  "kira",
  "liam",
  "maya",
  "noah",
  "olga",
  "pablo",
  "quinn",
  "rosa",
  "sam",
  "tara",
  "umar",
  "vera",
  "will",
  "xena",
  "yusuf",
  "zoe",
];
const LAST_NAMES = [
  "smith",
  "garcia",
  "nguyen",
  "mueller",
  "rossi",
  "kim",
  "patel",
  "brown",
  "silva",
  "cohen",
  "okafor",
  "larsen",
  "dubois",
  "tanaka",
  "ivanova",
  "murphy",
];

export function programName(spec: ProgramSpec): string {
  const s = spec.strength === 1 ? "full" : `s${spec.strength}`;
  return `${spec.cause}-${s}-${spec.format}-seed${spec.seed}${spec.shape ? `-${spec.shape}` : ""}`;
}

function seedOf(spec: ProgramSpec): number {
  // the format does not change the program: the same seed gives the same program in every export
  let h = spec.seed * 7919;
  for (const ch of `${spec.cause}/${spec.strength}/${spec.shape ?? ""}`)
    h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h >>> 0;
}

export function simulate(spec: ProgramSpec): Program {
  const rng = new Rng(seedOf(spec));
  const world = rng.fork();
  const noise = rng.fork();
  const brand = BRANDS[rng.int(0, BRANDS.length - 1)];
  const shape: Shape =
    spec.shape ??
    rng.weighted<Shape>([
      ["weekly", 0.35],
      ["twice-weekly", 0.25],
      ["weekdays", 0.2],
      ["several-a-day", 0.2],
    ]);
  const days = spec.small ? 28 : rng.int(70, 120);
  const start = Date.UTC(2026, 0, 5) + rng.int(0, 200) * DAY;
  const s = spec.strength;
  const cause = spec.cause;

  // ---- the list -------------------------------------------------------------------------------------
  const targetSize = Math.round(
    (shape === "several-a-day"
      ? rng.int(3000, 4200)
      : cause === "volume-spike"
        ? rng.int(1800, 2600) // the old contacts it imports bring it to 3,000–6,000
        : rng.int(3000, 6000)) * (spec.small ? 0.08 : 1),
  );
  const growthShare = rng.uniform(0.08, 0.25);
  const initialSize = Math.round(targetSize * (1 - growthShare));
  const appleShare = rng.uniform(0.3, 0.45);
  const providerMix: [Provider, number][] = [
    ["apple", appleShare],
    ["gmail", rng.uniform(0.25, 0.35)],
    ["yahoo", rng.uniform(0.07, 0.12)],
    ["microsoft", rng.uniform(0.07, 0.12)],
    ["other", rng.uniform(0.04, 0.08)],
  ];
  const used = new Set<string>();
  const recipients: Recipient[] = [];

  function newAddress(provider: Provider): string {
    for (;;) {
      const domain = world.weighted(PROVIDER_DOMAINS[provider]);
      const first = world.pick(FIRST_NAMES);
      const last = world.pick(LAST_NAMES);
      const styles = [
        () => `${first}.${last}`,
        () => `${first}${last}${world.int(1, 99)}`,
        () => `${first[0]}${last}${world.int(60, 2005)}`,
        () =>
          `${first}_${world
            .token(3)
            .toLowerCase()
            .replace(/[^a-z0-9]/g, "x")}`,
        () => `${last}.${first}${world.int(1, 9)}`,
      ];
      const local = world.pick(styles)();
      const address = `${local}@${domain}`;
      if (!used.has(address)) {
        used.add(address);
        return address;
      }
    }
  }

  function makeRecipient(source: Source, signupDay: number, imported = false): Recipient {
    const provider = world.weighted(providerMix);
    const interest0 =
      source === "organic"
        ? world.beta(2, 4)
        : source === "popup"
          ? world.beta(1.5, 5.5)
          : source === "coreg"
            ? world.beta(0.5, 9)
            : world.beta(0.6, 8);
    const halfLife =
      (source === "organic" ? 260 : source === "popup" ? 140 : source === "coreg" ? 45 : 90) *
      world.lognormal(0.5);
    const invalidP =
      source === "organic" ? 0.004 : source === "popup" ? 0.012 : source === "coreg" ? 0.05 : 0.09;
    const abandonAfter = world.exp(source === "coreg" ? 250 : 900);
    const abandonDay = signupDay + abandonAfter;
    const mpp = world.chance(provider === "apple" ? 0.78 : provider === "other" ? 0.1 : 0.22);
    return {
      address: newAddress(provider),
      provider,
      source,
      signupDay,
      interest0,
      halfLife,
      clickRate: world.beta(2, 10),
      mpp,
      invalid: world.chance(invalidP),
      abandonDay,
      disableDay: abandonDay + world.uniform(150, 400),
      status: "active",
      readDay: -1000,
      senderOpenDay: -1000,
      digest: false,
      imported,
    };
  }

  function interest(r: Recipient, day: number): number {
    if (day >= r.abandonDay) return 0;
    return r.interest0 * 0.5 ** (Math.max(0, day - r.signupDay) / r.halfLife);
  }

  while (recipients.length < initialSize) {
    const source = world.weighted<Source>([
      ["organic", 0.55],
      ["popup", 0.32],
      ["coreg", 0.05],
      ["import", 0.08],
    ]);
    const r = makeRecipient(source, -world.int(20, 1100));
    // addresses that bounced before the export window were already removed by the ESP
    if (r.invalid && world.chance(0.85)) r.invalid = false;
    if (r.disableDay < 0) {
      // long disabled: the ESP suppressed it before the window, so it is not on the list any more
      continue;
    }
    // history before the window: what the sender and the provider had seen
    const now = interest(r, 0);
    if (world.chance(1 - (1 - now) ** 8)) r.readDay = -world.int(1, 40);
    else if (world.chance(0.3)) r.readDay = -world.int(41, 300);
    const prefetching = r.mpp && r.abandonDay > 0;
    r.senderOpenDay = prefetching ? -world.int(1, 10) : r.readDay;
    recipients.push(r);
  }

  // ---- schedule -------------------------------------------------------------------------------------
  const tzHour = rng.pick([13, 14, 15, 16, 8, 9]); // the sender's 9 am in UTC (US or Europe)
  const weekdayA = rng.int(1, 4); // Mon..Thu
  const weekdayB = weekdayA + rng.int(1, 2);
  // a spike to "the whole list" and a stop of sunsetting both need a program that segmented before
  const segmentsActive = rng.chance(cause === "volume-spike" || cause === "low-engagement" ? 0.85 : 0.6);
  const monthlyAll = segmentsActive && rng.chance(0.3);
  const digestShare = rng.uniform(0.3, 0.45);
  for (const r of recipients) r.digest = world.chance(digestShare);

  // ---- IPs ------------------------------------------------------------------------------------------
  const prefixes = ESP_IP_PREFIX[spec.format];
  const ipPrefix = rng.pick(prefixes);
  const third = rng.int(10, 250);
  const nMarketing =
    cause === "ip-reputation"
      ? rng.int(2, 3)
      : rng.weighted([[1, 0.35] as const, [2, 0.4] as const, [3, 0.25] as const]);
  const ips: IpInfo[] = [];
  for (let i = 0; i < nMarketing; i++)
    ips.push({ ip: `${ipPrefix}${third}.${rng.int(2, 250)}`, pool: "marketing", from: 0 });
  const separateTx = rng.chance(0.55);
  const txIp: IpInfo = separateTx
    ? { ip: `${ipPrefix}${third + 1}.${rng.int(2, 250)}`, pool: "transactional", from: 0 }
    : ips[0];
  if (separateTx) ips.push(txIp);

  // ---- the injected cause ---------------------------------------------------------------------------
  let variant = "none";
  let fromDay = days;
  let toDay = days;
  let note = "no injected cause";
  let spikeDays: number[] = [];
  let badIp: IpInfo | undefined;
  const flaggedIds = new Set<string>();
  const flaggedPlan: { day: number; offSchedule: boolean }[] = [];
  let shortLinks: string[] = [];
  const causeStart = Math.round(days * rng.uniform(0.45, 0.7));
  const spikeMult = rng.uniform(20, 40);
  const contentMult = rng.uniform(30, 55);
  const ipMult = rng.uniform(20, 35);
  const declineMult = rng.uniform(8, 14);

  switch (cause) {
    case "volume-spike": {
      variant = rng.chance(0.5) ? "reactivation" : "imported-list";
      fromDay = causeStart;
      spikeDays = rng.chance(0.3) ? [causeStart, causeStart + 1] : [causeStart];
      toDay = spikeDays[spikeDays.length - 1] + 1;
      note =
        variant === "reactivation"
          ? "one blast to the whole list, long-inactive subscribers included, plus an old customer list never mailed before"
          : "an imported list of old contacts mailed at once";
      break;
    }
    case "low-engagement": {
      variant = rng.chance(0.5) ? "coreg-growth" : "no-sunset";
      fromDay = Math.round(days * rng.uniform(0.2, 0.35));
      toDay = days - 1;
      note =
        variant === "coreg-growth"
          ? "giveaway / co-registration signups flood in and nobody is sunset; reputation declines gradually"
          : "the sender stops sunsetting and mails the whole list more often; reputation declines gradually";
      break;
    }
    case "content": {
      variant = rng.chance(0.7) ? "shorteners" : "lookalike-domain";
      const n = rng.chance(0.5) ? 2 : 1;
      for (let i = 0; i < n; i++)
        flaggedPlan.push({
          day: Math.min(days - 3, causeStart + i * rng.int(5, 12)),
          offSchedule: rng.chance(0.5),
        });
      fromDay = flaggedPlan[0].day;
      toDay = flaggedPlan[flaggedPlan.length - 1].day;
      shortLinks = [
        `https://bit.ly/${rng.token(7)}`,
        `https://tinyurl.com/${rng.token(8).toLowerCase()}`,
        `https://bit.ly/${rng.token(7)}`,
      ];
      if (variant === "lookalike-domain") {
        const lookalike = `${brand.domain.split(".")[0]}-outlet-deals.top`;
        shortLinks = [`https://${lookalike}/sale`, `https://${lookalike}/go/${rng.token(6)}`, shortLinks[0]];
      }
      note = `${n} campaign(s) with ${variant === "shorteners" ? "bit.ly / tinyurl links" : "links to a fresh look-alike .top domain and a shortener"} and a shouty subject`;
      break;
    }
    case "blocklist": {
      variant = rng.chance(0.6) ? "ip-listed" : "link-domain-dbl";
      fromDay = causeStart;
      toDay = Math.min(days - 1, causeStart + rng.int(6, 18));
      badIp = ips[rng.int(0, nMarketing - 1)];
      note =
        variant === "ip-listed"
          ? `sending IP ${badIp.ip} listed (Proofpoint / Spamhaus SBL) from day ${fromDay} to ${toDay}`
          : `the click-tracking domain listed in Spamhaus DBL from day ${fromDay} to ${toDay}`;
      break;
    }
    case "authentication": {
      variant = rng.chance(0.5) ? "dkim-key-rotation" : "new-ip-outside-spf";
      fromDay = causeStart;
      toDay = rng.chance(0.5) ? days - 1 : Math.min(days - 1, causeStart + rng.int(10, 25));
      note =
        variant === "dkim-key-rotation"
          ? "DKIM key rotated without publishing the new selector; SPF alignment fails on the marketing stream; DMARC p=reject"
          : "a sending IP added outside the SPF record with a misaligned DKIM domain; DMARC p=reject";
      if (variant === "new-ip-outside-spf") {
        badIp = { ip: `${ipPrefix}${third + 2}.${rng.int(2, 250)}`, pool: "marketing", from: fromDay };
        ips.push(badIp);
      }
      break;
    }
    case "ip-reputation": {
      variant = rng.chance(0.5) ? "cold-ip" : "pool-neighbour";
      fromDay = causeStart;
      toDay = days - 1;
      if (variant === "cold-ip") {
        badIp = { ip: `${ipPrefix}${third + 3}.${rng.int(2, 250)}`, pool: "marketing", from: fromDay };
        ips.push(badIp);
        note = `a new IP ${badIp.ip} added to the marketing pool on day ${fromDay} without warm-up`;
      } else {
        badIp = ips[rng.int(0, nMarketing - 1)];
        note = `IP ${badIp.ip}'s reputation drops from day ${fromDay} (a shared-pool neighbour's spam)`;
      }
      break;
    }
    case "rate-limit": {
      variant = "faster-sending";
      fromDay = causeStart;
      toDay = Math.min(days - 1, causeStart + rng.int(8, 22));
      note = `sending speed raised (more connections) from day ${fromDay} to ${toDay}: excessive-volume deferrals escalate into rejections`;
      break;
    }
    case "clean":
      break;
  }

  const marketingIps = () => ips.filter((x) => x.pool === "marketing");
  const fill = (r: Recipient, ip: string) => ({ rcpt: r.address, ip, domain: brand.domain });

  function effects(ctx: SendCtx): Effects {
    const e: Effects = { policyMult: 1, deferP: 0, rejectAfterDefer: 0, extraP: 0, junk: 0.04 };
    const { day, campaign, ip, recipient: r } = ctx;
    const providerEngaged = day - r.readDay <= 90;
    if (!providerEngaged) e.policyMult *= 1.5;
    switch (cause) {
      case "volume-spike":
        if (spikeDays.includes(day)) {
          const winback = campaign.kind === "winback" || campaign.kind === "announcement";
          if (winback || campaign.stream === "marketing") {
            e.policyMult *= providerEngaged ? 1 + s * 2 : 1 + s * (spikeMult - 1);
            e.policyKind = "policy-reputation";
            e.deferP = s * (r.provider === "yahoo" ? 0.12 : r.provider === "gmail" ? 0.05 : 0.03);
            e.deferKind = "defer-volume";
            e.junk = 0.3;
          }
        } else if (spikeDays.length > 0 && day === toDay) {
          e.policyMult *= 1 + s * 2;
          e.policyKind = "policy-reputation";
        }
        break;
      case "low-engagement":
        if (day >= fromDay) {
          const ramp = ((day - fromDay) / Math.max(1, days - 1 - fromDay)) ** 1.2;
          e.policyMult *= 1 + s * (declineMult - 1) * ramp * (providerEngaged ? 0.5 : 1.4);
          e.policyKind = "policy-reputation";
          e.deferP = s * 0.04 * ramp;
          e.deferKind = "defer-reputation";
          e.junk = 0.04 + 0.3 * ramp * s;
        }
        break;
      case "content":
        if (campaign.flagged) {
          e.policyMult *= 1 + s * (contentMult - 1) * (providerEngaged ? 0.7 : 1);
          e.policyKind = "policy-content";
          e.deferP = r.provider === "gmail" ? s * 0.1 : 0;
          e.deferKind = "defer-content";
          e.junk = 0.4;
        }
        break;
      case "blocklist":
        if (day >= fromDay && day <= toDay && campaign.stream === "marketing") {
          if (variant === "ip-listed" && ip === badIp?.ip) {
            const p = LISTING_REJECTS[r.provider];
            e.extraP = s * p;
            e.extraKind = "blocklist-ip";
          } else if (variant === "link-domain-dbl") {
            e.extraP = r.provider === "apple" ? s * 0.03 : 0;
            e.extraKind = "blocklist-domain";
          }
        }
        break;
      case "authentication":
        if (day >= fromDay && day <= toDay && campaign.stream === "marketing") {
          const affected = variant === "dkim-key-rotation" || ip === badIp?.ip;
          if (affected) {
            const p = DMARC_REJECTS[r.provider];
            e.extraP = s * p;
            e.extraKind = "auth";
            e.junk = 0.5;
          }
        }
        break;
      case "ip-reputation":
        if (day >= fromDay && ip === badIp?.ip) {
          e.policyMult *= 1 + s * (ipMult - 1);
          e.policyKind = "policy-ip";
          e.deferP = s * (r.provider === "apple" ? 0.12 : r.provider === "microsoft" ? 0.15 : 0.05);
          e.deferKind = "defer-ip";
          e.junk = 0.3;
        }
        break;
      case "rate-limit":
        if (day >= fromDay && day <= toDay && campaign.stream === "marketing" && campaign.planned > 200) {
          if (r.provider === "apple") {
            e.deferP = 0.06 + s * 0.22;
            e.deferKind = "defer-volume";
            e.rejectAfterDefer = s * 0.35;
            e.rejectAfterDeferKind = "policy-after-rate";
          } else if (r.provider === "yahoo" || r.provider === "microsoft") {
            e.deferP = s * 0.08;
            e.deferKind = "defer-volume";
          }
        }
        break;
      case "clean":
        break;
    }
    return e;
  }

  // ---- simulation -----------------------------------------------------------------------------------
  const messages: SimMessage[] = [];
  const events: SimEvent[] = [];
  const campaigns: Campaign[] = [];
  const dayNoise = new Map<string, number>();
  const noiseOf = (key: string, sigma: number) => {
    let v = dayNoise.get(key);
    if (v === undefined) {
      v = noise.lognormal(sigma);
      dayNoise.set(key, v);
    }
    return v;
  };
  const egress = new Set<string>();
  const sendRng = rng.fork();
  const engageRng = rng.fork();

  function readerIp(r: Recipient, machine: boolean): { ip: string; ua: string } {
    if (machine) {
      if (engageRng.chance(0.7)) {
        const a = engageRng.pick([58, 121, 56, 249]);
        const b = engageRng.int(0, 255);
        egress.add(`17.${a}.${b}.0/24`);
        return { ip: `17.${a}.${b}.${engageRng.int(1, 254)}`, ua: "Mozilla/5.0" };
      }
      const p = engageRng.pick(["172.225", "172.226", "104.28"]);
      const b = engageRng.int(0, 255);
      egress.add(`${p}.${b}.0/24`);
      return { ip: `${p}.${b}.${engageRng.int(1, 254)}`, ua: "Mozilla/5.0" };
    }
    if (r.provider === "gmail")
      return {
        ip: `66.249.${engageRng.int(80, 93)}.${engageRng.int(1, 254)}`,
        ua: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
      };
    const ua = engageRng.pick([
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
      "Microsoft Outlook 16.0.17928; Microsoft Outlook 16.0.17928",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    ]);
    return {
      ip: `${engageRng.pick([73, 98, 24, 86, 92, 71, 108])}.${engageRng.int(0, 255)}.${engageRng.int(0, 255)}.${engageRng.int(1, 254)}`,
      ua,
    };
  }

  function subscribed(r: Recipient): boolean {
    return r.status === "active";
  }

  let ipCursor = 0;
  function pickIp(day: number, stream: "marketing" | "transactional"): string {
    if (stream === "transactional") return txIp.ip;
    const pool = marketingIps().filter((x) => x.from <= day);
    // a new IP added on purpose gets its share of the rotation
    ipCursor = (ipCursor + 1) % pool.length;
    return pool[ipCursor].ip;
  }

  function send(c: Campaign, r: Recipient, t0: number, day: number): void {
    const stream = c.stream;
    let ip = pickIp(day, stream);
    if (
      cause === "authentication" &&
      variant === "new-ip-outside-spf" &&
      stream === "marketing" &&
      day >= fromDay &&
      badIp
    ) {
      // the new IP carries a third of the marketing mail
      if (sendRng.chance(0.35)) ip = badIp.ip;
      else if (ip === badIp.ip) ip = ips[0].ip;
    }
    const pool = stream === "transactional" && separateTx ? "transactional" : "marketing";
    const index = messages.length;
    messages.push({
      index,
      recipient: r.address,
      provider: r.provider,
      campaign: c.id,
      stream,
      ip,
      pool,
      sentAt: t0,
      subject: c.subject,
    });
    c.sends++;
    events.push({ t: t0, type: "sent", message: index });
    let t = t0 + sendRng.int(2, 90) * 1000;
    if (r.invalid || day >= r.disableDay) {
      events.push({
        t,
        type: "bounced",
        message: index,
        bounce: "hard",
        reply: reply(sendRng, r.provider, "hard", fill(r, ip)),
      });
      r.status = "bounced";
      return;
    }
    const e = effects({ day, campaign: c, ip, recipient: r });
    const hour = new Date(t).getUTCHours();
    const topOfHour = new Date(t).getUTCMinutes() < 10 ? 2 : 1;
    let attempt = 0;
    const firstDefer =
      BASE_DEFER[r.provider] * topOfHour * noiseOf(`d${r.provider}${day}${hour}`, 0.5) + e.deferP;
    let deferKind: ReplyKind =
      e.deferP > 0 && sendRng.chance(e.deferP / firstDefer) ? e.deferKind! : "defer-background";
    let deferNow = sendRng.chance(Math.min(0.95, firstDefer));
    while (deferNow && attempt < 6) {
      attempt++;
      const text =
        reply(sendRng, r.provider, deferKind, fill(r, ip)) ??
        reply(sendRng, r.provider, "defer-background", fill(r, ip));
      events.push({ t, type: "deferred", message: index, reply: text, attempt });
      t += (attempt === 1 ? sendRng.int(5, 20) : sendRng.int(20, 90) * attempt) * 60_000;
      // retries: the background clears quickly, a cause's pressure less so
      deferNow = sendRng.chance(deferKind === "defer-background" ? 0.12 : 0.45);
      if (deferNow && deferKind !== "defer-background" && sendRng.chance(0.2)) deferKind = "defer-background";
    }
    if (attempt >= 6) {
      // given up after the retry period: an expired message, reported as a bounce with the last reply
      const last = reply(sendRng, r.provider, deferKind, fill(r, ip));
      events.push({ t: t + 3 * DAY, type: "bounced", message: index, bounce: "soft", reply: last });
      return;
    }
    // policy rejection
    const base =
      BASE_POLICY[r.provider] *
      noiseOf(`p${r.provider}${day}`, 0.35) *
      noiseOf(`c${c.id}`, 0.25) *
      noiseOf(`i${ip}`, 0.12) *
      e.policyMult;
    let policyKind: ReplyKind | undefined;
    if (attempt >= 2 && e.rejectAfterDefer > 0 && sendRng.chance(e.rejectAfterDefer))
      policyKind = e.rejectAfterDeferKind;
    else if (e.extraP > 0 && sendRng.chance(e.extraP)) policyKind = e.extraKind;
    else if (sendRng.chance(Math.min(0.9, base))) {
      const background = BASE_POLICY[r.provider] * 1.5;
      // a stray blocklist or authentication text now and then, whatever the program
      if (sendRng.chance(0.03)) policyKind = sendRng.chance(0.5) ? "blocklist-ip" : "auth";
      else
        policyKind =
          e.policyKind && sendRng.chance(1 - background / base) ? e.policyKind : "policy-background";
    }
    if (policyKind) {
      const text =
        reply(sendRng, r.provider, policyKind, fill(r, ip)) ??
        reply(sendRng, r.provider, "policy-background", fill(r, ip));
      if (text) {
        events.push({ t, type: "bounced", message: index, bounce: "policy", reply: text });
        return;
      }
    }
    if (sendRng.chance(0.0004)) {
      const text = reply(sendRng, r.provider, "full", fill(r, ip));
      if (text) {
        events.push({ t, type: "bounced", message: index, bounce: "soft", reply: text });
        return;
      }
    }
    events.push({ t, type: "delivered", message: index });
    if (stream === "transactional") {
      // receipts are opened more, and never unsubscribed from
      engage(r, c, t, day, index, 2, false);
      return;
    }
    engage(r, c, t, day, index, 1, sendRng.chance(e.junk));
  }

  function engage(
    r: Recipient,
    c: Campaign,
    t: number,
    day: number,
    index: number,
    boost: number,
    junk: boolean,
  ): void {
    const i = Math.min(0.95, interest(r, day) * boost * (c.kind === "welcome" ? 2.2 : 1));
    const read = engageRng.chance(i * (junk ? 0.1 : 1));
    const prefetch = r.mpp && !junk && (day < r.abandonDay || engageRng.chance(0.5));
    if (prefetch) {
      const { ip, ua } = readerIp(r, true);
      events.push({
        t: t + engageRng.exp(25 * 60_000),
        type: "open",
        message: index,
        machine: true,
        readerIp: ip,
        userAgent: ua,
      });
      r.senderOpenDay = day;
    }
    let at = t + engageRng.exp(5 * 3_600_000);
    if (read) {
      r.readDay = day;
      r.senderOpenDay = day;
      if (!r.mpp) {
        const { ip, ua } = readerIp(r, false);
        const opens = engageRng.chance(0.3) ? 2 : 1;
        for (let k = 0; k < opens; k++)
          events.push({
            t: at + k * engageRng.exp(3_600_000),
            type: "open",
            message: index,
            machine: false,
            readerIp: ip,
            userAgent: ua,
          });
      }
      if (engageRng.chance(r.clickRate) && c.links.length > 0) {
        const { ip, ua } = readerIp(r, false);
        at += engageRng.int(5, 300) * 1000;
        events.push({
          t: at,
          type: "click",
          message: index,
          readerIp: ip,
          userAgent: ua,
          url: engageRng.pick(c.links),
        });
      }
    }
    if (c.stream === "transactional") return;
    const sourceFactor = r.source === "coreg" ? 3 : r.imported ? 4 : 1;
    if (engageRng.chance(0.0012 * sourceFactor * (read ? 0.6 : 1))) {
      events.push({ t: at + engageRng.int(10, 600) * 1000, type: "unsubscribe", message: index });
      r.status = "unsubscribed";
      return;
    }
    if (
      HAS_FBL[r.provider] &&
      engageRng.chance(0.0004 * sourceFactor * (read ? 0.3 : 1) * (junk ? 0.2 : 1))
    ) {
      events.push({ t: at + engageRng.int(60, 7200) * 1000, type: "complaint", message: index });
      r.status = "complained";
    }
  }

  const linkBase = `https://click.${brand.domain}/ls/click?upn=`;
  function campaignLinks(flagged: boolean): string[] {
    if (flagged) return [...shortLinks];
    return [
      `${linkBase}${rng.token(24)}`,
      `https://www.${brand.domain}/collections/${rng.pick(["new", "sale", "bestsellers", "journal"])}`,
      `https://www.${brand.domain}/account/preferences`,
    ];
  }

  let campaignSeq = 0;
  function newCampaign(
    day: number,
    kind: Campaign["kind"],
    stream: Campaign["stream"],
    flagged = false,
    id?: string,
  ): Campaign {
    campaignSeq++;
    const date = new Date(start + day * DAY);
    const mmdd = `${String(date.getUTCMonth() + 1).padStart(2, "0")}${String(date.getUTCDate()).padStart(2, "0")}`;
    const subject = flagged
      ? rng.pick([
          "LAST CHANCE!!! 70% OFF EVERYTHING - today only",
          "You've WON a $500 gift card - claim NOW",
          "FREE shipping + mystery gift inside!!!",
        ])
      : kind === "newsletter"
        ? rng.pick(["This week at", "Notes from", "What's new at"]).concat(` ${brand.name}`)
        : kind === "digest"
          ? `Your ${brand.name} morning digest`
          : kind === "winback"
            ? `We miss you - here's 20% off at ${brand.name}`
            : kind === "announcement"
              ? `Big news from ${brand.name}`
              : `${rng.pick(["New arrivals", "Weekend picks", "Member early access", "Back in stock"])} at ${brand.name}`;
    const c: Campaign = {
      id:
        id ??
        `${kind === "newsletter" ? "nl" : kind === "digest" ? "dg" : kind === "promo" ? "pr" : kind.slice(0, 4)}-${mmdd}-${campaignSeq}`,
      day,
      subject,
      kind,
      stream,
      links: campaignLinks(flagged),
      flagged,
      sends: 0,
      planned: 0,
    };
    if (flagged) flaggedIds.add(c.id);
    campaigns.push(c);
    return c;
  }

  const welcome: Campaign = {
    id: "welcome-series",
    day: 0,
    subject: `Welcome to ${brand.name}`,
    kind: "welcome",
    stream: "marketing",
    links: campaignLinks(false),
    flagged: false,
    sends: 0,
    planned: 0,
  };
  const txCampaigns: Campaign[] = ["order-confirmation", "shipping-update", "password-reset"].map((id) => ({
    id,
    day: 0,
    subject: id === "password-reset" ? "Reset your password" : `Your ${brand.name} order`,
    kind: "transactional" as const,
    stream: "transactional" as const,
    links: [`https://www.${brand.domain}/account/orders`],
    flagged: false,
    sends: 0,
    planned: 0,
  }));
  campaigns.push(welcome, ...txCampaigns);

  function audience(day: number, kind: Campaign["kind"], allList: boolean): Recipient[] {
    return recipients.filter((r) => {
      if (!subscribed(r) || r.signupDay > day || r.imported) return false;
      if (kind === "digest" && !r.digest) return false;
      if (allList || !segmentsActive || lowEngagementAll(day)) return true;
      return day - r.senderOpenDay <= 120 || day - r.signupDay <= 45;
    });
  }
  function lowEngagementAll(day: number): boolean {
    return cause === "low-engagement" && day >= fromDay;
  }

  function runCampaign(c: Campaign, list: Recipient[], day: number, hour: number, spread = 1): void {
    const t0 = start + day * DAY + hour * 3_600_000 + sendRng.int(0, 40) * 60_000;
    const durationMs =
      Math.max(10, list.length / (cause === "rate-limit" && day >= fromDay && day <= toDay ? 120 : 40)) *
      60_000 *
      spread;
    c.planned = list.length;
    if (c.stream === "marketing") daySends[day] = (daySends[day] ?? 0) + list.length;
    const order = [...list];
    for (let i = order.length - 1; i > 0; i--) {
      const j = sendRng.int(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    order.forEach((r, i) => {
      send(c, r, Math.round(t0 + (i / order.length) * durationMs), day);
    });
  }

  // days of the usual schedule
  function usualDay(day: number): boolean {
    const dow = new Date(start + day * DAY).getUTCDay();
    switch (shape) {
      case "weekly":
        return dow === weekdayA;
      case "twice-weekly":
        return dow === weekdayA || dow === weekdayB;
      case "weekdays":
      case "several-a-day":
        return dow >= 1 && dow <= 5;
    }
  }

  const offScheduleBenign = rng.chance(0.3) ? Math.round(days * rng.uniform(0.3, 0.8)) : -1;
  const signupsPerDay = (targetSize - initialSize) / days;
  const spikeToday: Recipient[] = [];
  const daySends: number[] = [];
  const spikeLater: Recipient[] = [];

  for (let day = 0; day < days; day++) {
    // signups of the day, each welcomed within minutes
    const coregBoost = cause === "low-engagement" && variant === "coreg-growth" && day >= fromDay;
    const nSignups = sendRng.poisson(signupsPerDay * (coregBoost ? 1 + s * 4 : 1));
    for (let k = 0; k < nSignups; k++) {
      const source: Source = coregBoost
        ? sendRng.chance(0.75)
          ? "coreg"
          : "popup"
        : sendRng.weighted<Source>([
            ["organic", 0.6],
            ["popup", 0.35],
            ["coreg", 0.05],
          ]);
      const r = makeRecipient(source, day);
      r.digest = world.chance(digestShare);
      recipients.push(r);
      const t = start + day * DAY + sendRng.int(6 * 60, 23 * 60) * 60_000;
      send(welcome, r, t, day);
    }
    // the transactional stream
    const nTx = sendRng.poisson(recipients.length * 0.004);
    for (let k = 0; k < nTx; k++) {
      const r = recipients[sendRng.int(0, recipients.length - 1)];
      if (r.status === "bounced" || r.imported || r.signupDay > day) continue;
      const c = sendRng.weighted([
        [txCampaigns[0], 0.55],
        [txCampaigns[1], 0.35],
        [txCampaigns[2], 0.1],
      ] as const);
      send(c, r, start + day * DAY + sendRng.int(0, 24 * 60 - 1) * 60_000, day);
    }

    // marketing
    const plans: { kind: Campaign["kind"]; hour: number; all: boolean; flagged?: boolean; share?: number }[] =
      [];
    const usual = usualDay(day);
    const firstOfMonth = new Date(start + day * DAY).getUTCDate() <= 7 && usual && monthlyAll;
    if (usual) {
      if (shape === "weekly" || shape === "twice-weekly") {
        const dow = new Date(start + day * DAY).getUTCDay();
        // the second weekly send is a promo to the more engaged part of the list
        const second = shape === "twice-weekly" && dow === weekdayB;
        plans.push({
          kind: second ? "promo" : "newsletter",
          hour: tzHour,
          all: firstOfMonth && !second,
          share: second ? 0.6 : 1,
        });
      } else if (shape === "weekdays") {
        const dow = new Date(start + day * DAY).getUTCDay();
        plans.push({
          kind: dow === weekdayA ? "newsletter" : "promo",
          hour: tzHour,
          all: firstOfMonth && dow === weekdayA,
          share: dow === weekdayA ? 1 : 0.35,
        });
      } else {
        plans.push({ kind: "digest", hour: tzHour - 2, all: false });
        if (sendRng.chance(0.6)) plans.push({ kind: "promo", hour: tzHour + 4, all: false, share: 0.25 });
        if (sendRng.chance(0.4)) plans.push({ kind: "promo", hour: tzHour + 8, all: false, share: 0.15 });
      }
      if ((shape === "weekly" || shape === "twice-weekly") && sendRng.chance(0.12))
        plans.push({ kind: "promo", hour: tzHour + 3, all: false, share: 0.5 });
    }
    if (day === offScheduleBenign && !usual) plans.push({ kind: "promo", hour: tzHour + 1, all: false });
    if (lowEngagementAll(day) && variant === "no-sunset" && !usual && sendRng.chance(0.08 + 0.1 * s))
      plans.push({ kind: "promo", hour: tzHour + 2, all: true });

    // content: the flagged campaign replaces (or, off schedule, adds) a regular send of the usual size
    for (const f of flaggedPlan) {
      if (f.day !== day) continue;
      if (f.offSchedule || !usual) {
        plans.push({ kind: "promo", hour: tzHour + 2, all: false, flagged: true });
      } else {
        const regular = plans.find((p) => p.kind !== "digest") ?? plans[0];
        if (regular) regular.flagged = true;
        else plans.push({ kind: "promo", hour: tzHour + 2, all: false, flagged: true });
      }
    }

    for (const p of plans) {
      let list = audience(day, p.kind, p.all);
      if (p.share !== undefined && p.share < 1) list = list.filter(() => sendRng.chance(p.share!));
      const c = newCampaign(day, p.kind, "marketing", p.flagged ?? false);
      runCampaign(c, list, day, Math.max(0, Math.min(23, p.hour)));
    }

    // the volume spike: one blast to everyone ever subscribed plus contacts never mailed
    if (spikeDays.includes(day)) {
      const first = day === spikeDays[0];
      if (first) {
        // a spike is volume well above the biggest send of the last four weeks: ×2.2–3 at full strength,
        // ×1.7–2.2 at 0.6; the old contacts (never mailed before) make up what the list does not
        const prior = daySends.slice(Math.max(0, day - 28), day).filter((n) => n > 0);
        const biggest = Math.max(100, ...prior);
        const k = 1 + s * rng.uniform(1.2, 2.0);
        const listSize = recipients.filter(subscribed).length;
        const firstShare = spikeDays.length === 2 ? 0.55 : 1;
        const base = variant === "reactivation" ? listSize : 0;
        const wanted = (k * biggest - (daySends[day] ?? 0)) / firstShare - base;
        const extra = Math.round(Math.max(0.15 * listSize, wanted, 3000 - recipients.length));
        for (let k = 0; k < extra; k++) {
          const r = makeRecipient("import", day - world.int(400, 1500), true);
          r.invalid = world.chance(0.08);
          r.signupDay = day;
          recipients.push(r);
        }
        const everyone = recipients.filter(
          (r) => subscribed(r) && (variant === "reactivation" || r.imported),
        );
        for (const r of everyone) (sendRng.chance(firstShare) ? spikeToday : spikeLater).push(r);
      }
      const todays = first ? spikeToday : spikeLater.filter(subscribed);
      const c = newCampaign(day, variant === "reactivation" ? "announcement" : "winback", "marketing");
      runCampaign(c, todays, day, tzHour + 1, 1.5);
    }
  }

  // time-ordered, as an export is
  events.sort((a, b) => a.t - b.t || a.message - b.message);
  const used_ = campaigns.filter((c) => c.sends > 0);
  const truthNote =
    cause === "content"
      ? `${note}: ${[...flaggedIds].join(", ")}`
      : cause === "volume-spike"
        ? `${note} (days ${spikeDays.join(", ")})`
        : note;
  return {
    spec,
    name: programName(spec),
    brand,
    shape,
    start,
    days,
    ips: ips.map((x) => ({ ...x })),
    campaigns: used_,
    messages,
    events,
    truth: { cause, strength: s, variant, fromDay, toDay, note: truthNote },
    egressPrefixes: [...egress].sort(),
    recipients: recipients.length,
  };
}
