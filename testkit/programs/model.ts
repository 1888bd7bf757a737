/**
 * The shape of a generated sending program: who is on the list, what was sent when and from where,
 * what each receiver answered, who opened and clicked — and the ground truth (the one injected cause).
 * Writers (./writers/) turn a Program into the files an ESP or MTA would have given the sender.
 */
import type { Provider, Reply } from "./replies.ts";

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
export type Injected = Cause | "clean";

export interface ProgramSpec {
  seed: number;
  cause: Injected;
  /** 1 = full strength; 0.6 = the excess policy bounces the cause adds are scaled to 60 %. */
  strength: number;
  /** The mechanism (see VARIANTS in causes.ts); default: chosen by the seed. */
  variant?: string;
  /** Weak signal: the cause adds only ~20–35 policy bounces (× strength) and the background is low. */
  weak?: boolean;
  recipients?: number;
  days?: number;
  /**
   * How the program sends: `weekly` (default: one to three fixed weekdays, occasional off-schedule sends),
   * `daily` (every weekday, the whole list on one of them, the engaged segment on the others) or
   * `several-a-day` (two or three campaigns on each sending day, to different segments, hours apart).
   */
  shape?: ProgramShape;
}

export const SHAPES = ["weekly", "daily", "several-a-day"] as const;
export type ProgramShape = (typeof SHAPES)[number];

export interface Recipient {
  address: string;
  domain: string;
  provider: Provider;
  joinedDay: number; // negative: on the list before the data starts
  cohort: string;
  invalid: boolean;
  /** Reads mail in Apple Mail (any address); with `mpp`, opens are prefetched by Apple's proxy. */
  appleMail: boolean;
  mpp: boolean;
  engagement: number; // latent probability of reading a message, at day 0
  decayPerDay: number;
  /** Day of the last open or click the sender could see (for its "engaged" segment). */
  lastSeen: number | null;
  suppressedDay: number | null;
  /** Only mailed by one send (an old list reactivated), never by the regular program. */
  oneOff: boolean;
}

export type Stream = "marketing" | "transactional";

export interface Campaign {
  id: string;
  subject: string;
  day: number;
  start: number; // ms
  spreadMinutes: number;
  stream: Stream;
  audience: "all" | "engaged" | "transactional" | "reactivation";
  offSchedule: boolean;
  /** Links in the message body (the .eml files carry them). */
  links: string[];
  messages: number;
}

export interface SendingIp {
  ip: string;
  pool: string;
  /** First day this IP sends (a new IP added mid-program). */
  fromDay: number;
  /** Streams it carries. */
  streams: Stream[];
}

export interface Attempt {
  at: number; // ms
  outcome: "deferred" | "delivered" | "bounced";
  reply: Reply;
  mx: readonly [string, string];
}

export interface Engagement {
  at: number;
  kind: "open" | "click" | "unsubscribe" | "complaint";
  machine: boolean;
  ip: string;
  userAgent: string;
  url?: string;
}

export interface Message {
  seq: number;
  id: string; // Message-ID without brackets
  recipient: number;
  campaign: number;
  ip: string;
  pool: string;
  sentAt: number;
  attempts: Attempt[];
  engagement: Engagement[];
  /** Ground truth of the final outcome: why it bounced (`background`, the cause id) or undefined. */
  truth?: string;
}

export interface Truth {
  cause: Injected;
  strength: number;
  variant: string;
  weak: boolean;
  /** Human-readable description of the mechanism, with its days, campaigns or IPs. */
  description: string;
  /** Apple policy bounces added by the cause and by the background (counted from the messages). */
  causePolicyBounces: number;
  backgroundPolicyBounces: number;
  /** The cause's subjects: flagged campaigns, the bad IP or pool, the window [from, to] (days). */
  campaigns?: string[];
  ips?: string[];
  pool?: string;
  window?: [number, number];
}

export interface Program {
  spec: ProgramSpec;
  name: string;
  start: number; // ms, midnight UTC of day 0
  days: number;
  brand: { domain: string; name: string; from: string };
  recipients: Recipient[];
  campaigns: Campaign[];
  ips: SendingIp[];
  messages: Message[];
  truth: Truth;
}

export const DAY_MS = 86_400_000;

/** YYYY-MM-DD of a program day. */
export function dayString(start: number, day: number): string {
  return new Date(start + day * DAY_MS).toISOString().slice(0, 10);
}
