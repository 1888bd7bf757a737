/** Building blocks of the scenario generator (./scenarios.ts): reply texts, recipients, events, noise. */
import type { Random } from "../src/demo/random.ts";
import type { ScenarioEvent } from "./scenarios.ts";

/** The replies a scenario uses: [text, reply code, status, provider code, category as the classifier gives it]. */
export const REPLIES = {
  cs01: [
    "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
    550,
    "5.7.1",
    "CS01",
    "reputation",
  ],
  hcm2: [
    "550 5.7.1 [HCM2] Your mail from 192.0.2.10 was rejected. https://support.apple.com/en-us/HT204137",
    550,
    "5.7.1",
    "HCM2",
    "reputation",
  ],
  dbl: [
    "550 5.7.1 Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/",
    550,
    "5.7.1",
    null,
    "blocklist",
  ],
  proofpoint: [
    "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.11",
    550,
    "5.7.0",
    null,
    "blocklist",
  ],
  hme1: [
    "554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks",
    554,
    "5.7.1",
    "HME1",
    "authentication",
  ],
  dmarc: [
    "554 5.7.1 Your message was rejected due to example.com's DMARC policy",
    554,
    "5.7.1",
    null,
    "authentication",
  ],
  volume: [
    "421 4.7.1 Messages to <rcpt> deferred due to excessive volume. Try again later",
    421,
    "4.7.1",
    null,
    "rate-limit",
  ],
  later: ["451 4.7.1 Service unavailable - try again later", 451, "4.7.1", null, "transient"],
} as const;
export type ReplyKey = keyof typeof REPLIES;

export interface Recipient {
  address: string;
  provider: string;
  /** 0 engaged, 1 casual, 2 dormant. */
  segment: number;
  mpp: boolean;
}

export const SEGMENT_OPEN = [0.4, 0.12, 0] as const;
export const SEGMENT_CLICK = [0.1, 0.03, 0] as const;

export function population(rng: Random, apple: number): Recipient[] {
  const people: Recipient[] = [];
  const total = Math.round(apple * 1.25);
  for (let i = 0; i < total; i++) {
    const provider = i < apple ? "apple" : "google";
    const domain = provider === "apple" ? "icloud.com" : "gmail.com";
    const segment = rng.weighted([0.25, 0.2, 0.55]);
    people.push({
      address: `r${i}@${domain}`,
      provider,
      segment,
      mpp: provider === "apple" && rng.chance(0.6),
    });
  }
  return people;
}

export type Row = Pick<
  ScenarioEvent,
  "time" | "recipient" | "provider" | "campaign" | "ip" | "messageId" | "machineOpen"
>;

export function reply(row: Row, type: "deferred" | "bounced", key: ReplyKey, time: number): ScenarioEvent {
  const [text, code, status, providerCode, category] = REPLIES[key];
  return {
    ...row,
    type,
    time,
    reply: text.replace("<rcpt>", row.recipient),
    replyCode: code,
    status,
    providerCode,
    category,
  };
}

export function engagementEvent(
  person: Recipient,
  type: "open" | "click",
  time: number,
  campaign: string,
  ip: string,
  machineOpen: boolean | null,
): ScenarioEvent {
  return {
    type,
    time,
    recipient: person.address,
    provider: person.provider,
    campaign,
    ip,
    messageId: `${campaign}.${person.address}`,
    reply: null,
    replyCode: null,
    status: null,
    providerCode: null,
    category: null,
    machineOpen,
  };
}

export function gaussian(rng: Random): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
