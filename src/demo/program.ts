import { type Campaign, planCampaigns } from "./campaigns.ts";
import type { ProgramOptions } from "./options.ts";
import { buildPopulation, DORMANT, type Population, SEGMENTS } from "./population.ts";
import { Random } from "./random.ts";
import { type DemoReply, POLICY_REPLIES, RATE_DEFERRALS, userUnknown } from "./replies.ts";

/** One generated event, close to DeliveryEvent; writers turn it into a real format. */
export interface SimEvent {
  type: "sent" | "delivered" | "deferred" | "bounced" | "open" | "click" | "unsubscribe" | "complaint";
  /** Unix seconds (both real formats carry whole seconds). */
  time: number;
  recipient: string;
  campaign: string;
  stream: string;
  messageId: string;
  eventId: string;
  sendingIp: string;
  pool: string;
  reply: string | null;
  status: string | null;
  machineOpen: boolean | null;
  readerIp: string | null;
  url: string | null;
}

export interface Program {
  options: ProgramOptions;
  campaigns: Campaign[];
  population: Population;
  startSeconds: number;
}

const DAY = 86_400;
const ACCEPTED: DemoReply = {
  text: "250 2.0.0 OK",
  status: "2.0.0",
  source: "RFC 5321 §4.2.2 (250), RFC 3463 (2.0.0)",
};
const POOLS = { marketing: ["192.0.2.10", "192.0.2.11"], transactional: ["192.0.2.20"] } as const;

export function planProgram(options: ProgramOptions): Program {
  return {
    options,
    campaigns: planCampaigns(options),
    population: buildPopulation(options.recipients, options.providerMix, options.seed),
    startSeconds: Date.parse(`${options.start}T00:00:00Z`) / 1000,
  };
}

/** Per (day, provider) chances from the injections, so the hot loop only reads arrays. */
function rateTables(program: Program) {
  const { options, population } = program;
  const providers = population.provider.length;
  const policy = new Float64Array(options.days * providers).fill(options.baselinePolicyRate);
  const deferral = new Float64Array(options.days * providers).fill(options.baselineDeferralRate);
  const set = (table: Float64Array, provider: string, from: number, to: number, rate: number) => {
    const p = population.provider.indexOf(provider);
    if (p < 0) return;
    for (let d = Math.max(0, from); d <= Math.min(options.days - 1, to); d++) {
      table[d * providers + p] = Math.max(table[d * providers + p], rate);
    }
  };
  for (const i of options.injections) {
    if (i.kind === "volume-spike") {
      const provider = i.provider ?? "apple";
      set(policy, provider, i.day, i.day + (i.days ?? 3) - 1, i.policyRate ?? 0.04);
      set(deferral, provider, i.day, i.day, 0.08);
    } else if (i.kind === "policy-bounces") set(policy, i.provider, i.fromDay, i.toDay, i.rate);
    else if (i.kind === "deferrals") set(deferral, i.provider, i.fromDay, i.toDay, i.rate);
  }
  return { policy, deferral, providers };
}

/** Streams the program's events, campaign by campaign; deterministic for a given seed. */
export function* generateEvents(program: Program): Generator<SimEvent> {
  const { options, population, campaigns, startSeconds } = program;
  const random = new Random(options.seed);
  const rates = rateTables(program);
  const suppressed = new Uint8Array(population.size);
  let counter = 0;
  const id = () => `demo${options.seed}-${(counter++).toString(36)}`;

  function* send(c: Campaign, i: number, day: number, at: number): Generator<SimEvent> {
    if (suppressed[i]) return;
    const recipient = population.address(i);
    const provider = population.provider[population.providerOf[i]];
    const pool = POOLS[c.stream];
    const base = {
      recipient,
      campaign: c.id,
      stream: c.stream,
      messageId: `${c.id}.${day}.${i}@mail.example-shop.com`,
      sendingIp: pool[i % pool.length],
      pool: c.stream,
      reply: null,
      status: null,
      machineOpen: null,
      readerIp: null,
      url: null,
    };
    const answered = (
      type: "delivered" | "deferred" | "bounced",
      time: number,
      reply: DemoReply,
    ): SimEvent => ({
      ...base,
      type,
      time,
      eventId: id(),
      reply: reply.text,
      status: reply.status,
    });
    yield { ...base, type: "sent", time: at, eventId: id() };
    const slot = day * rates.providers + population.providerOf[i];
    if (population.invalid[i]) {
      const reply = userUnknown(recipient);
      suppressed[i] = 1;
      yield answered("bounced", at + 2, reply);
      return;
    }
    const policyRate = c.policyProvider === provider ? (c.policyRate ?? 0) : rates.policy[slot];
    if (random.chance(policyRate)) {
      yield answered("bounced", at + 2, POLICY_REPLIES[provider] ?? POLICY_REPLIES.other);
      return;
    }
    let delivered = at + 2;
    if (random.chance(rates.deferral[slot])) {
      yield answered("deferred", at + 1, RATE_DEFERRALS[provider] ?? RATE_DEFERRALS.other);
      delivered = at + 900 + random.int(1800);
    }
    yield answered("delivered", delivered, ACCEPTED);
    if (population.mpp[i]) {
      const readerIp = `17.58.${random.int(256)}.${random.int(256)}`;
      yield {
        ...base,
        type: "open",
        time: delivered + 5 + random.int(120),
        eventId: id(),
        machineOpen: true,
        readerIp,
      };
    }
    const segment = SEGMENTS[population.segment[i]];
    const decay = 0.5 ** (day / options.engagementHalfLifeDays);
    if (c.stream === "marketing" && random.chance(segment.open * decay)) {
      const opened = delivered + 60 + random.int(DAY / 2);
      const readerIp = `198.51.100.${random.int(256)}`;
      yield { ...base, type: "open", time: opened, eventId: id(), machineOpen: false, readerIp };
      if (random.chance(segment.click)) {
        const url = c.links[random.int(c.links.length)];
        yield { ...base, type: "click", time: opened + 30, eventId: id(), readerIp, url };
      }
      if (random.chance(0.004)) {
        suppressed[i] = 1;
        yield { ...base, type: "unsubscribe", time: opened + 60, eventId: id() };
      }
    } else if (
      c.stream === "marketing" &&
      random.chance(population.segment[i] === DORMANT ? 0.002 : 0.0002)
    ) {
      suppressed[i] = 1;
      yield { ...base, type: "complaint", time: delivered + 3600 + random.int(DAY), eventId: id() };
    }
  }

  const triggered = campaigns.find((c) => c.kind === "triggered");
  for (let day = 0; day < options.days; day++) {
    for (const c of campaigns) {
      if (c.kind === "triggered" || c.day !== day) continue;
      const at = startSeconds + day * DAY + 14 * 3600;
      for (let i = 0; i < population.size; i++) {
        const dormant = population.segment[i] === DORMANT;
        const reached =
          c.kind === "winback"
            ? dormant && random.chance(c.dormantShare)
            : !dormant && random.chance(options.audienceShare);
        if (reached) yield* send(c, i, day, at + random.int(7200));
      }
    }
    if (!triggered) continue;
    for (let i = 0; i < population.size; i++) {
      if (population.segment[i] !== DORMANT && random.chance(options.dailyShare)) {
        yield* send(triggered, i, day, startSeconds + day * DAY + random.int(DAY - 3600));
      }
    }
  }
}
