/** What a program is made of before it is simulated; the injected cause adjusts it (causes.ts). */
import type { CohortQuality } from "./list.ts";
import type { Message, Program, Recipient, SendingIp, Stream } from "./model.ts";
import type { Provider, Reply, ReplyContext } from "./replies.ts";
import type { Rng } from "./rng.ts";

export interface CampaignPlan {
  id: string;
  subject: string;
  day: number;
  audience: "all" | "engaged" | "reactivation";
  offSchedule: boolean;
  /** Minutes the send is spread over (a throttled MTA sends a campaign over an hour or more). */
  spreadMinutes: number;
  links: string[];
  /** Hours from the program's send hour at which this campaign starts (several sends a day), default 0. */
  hourOffset?: number;
}

export interface SignupSource {
  cohort: string;
  quality: CohortQuality;
  fromDay: number;
  toDay: number;
  perDay: number;
}

export interface Setup {
  rng: Rng;
  days: number;
  start: number;
  brand: Program["brand"];
  initial: number;
  signups: SignupSource[];
  ips: SendingIp[];
  /** Marketing sends to the "engaged" segment only (the sender never mails its whole list). */
  engagedOnly: boolean;
  campaigns: CampaignPlan[];
  sendHour: number;
  transactionalPerDay: number; // share of the active list
  /** Background Apple policy-bounce rate per message, and its day-to-day wobble (log sd). */
  appleBackground: number;
  wobble: number;
  /** Cause budget: injected Apple policy bounces = strength × this. */
  budget: number;
  /** One-off recipients (an old list) and who they belong to. */
  reactivationCohort?: { size: number; quality: CohortQuality; campaign: string };
  /** Apple deferrals that end in delivery ("excessive volume", HCM1): which messages, how often. */
  appleDeferrals: {
    when: (m: Message, view: SimView) => boolean;
    p: number;
    reply: (ctx: ReplyContext, rng: Rng) => Reply;
  }[];
  /** Qualities of the list the program starts with. */
  quality: { subscribers: CohortQuality; imported: CohortQuality };
  /** Other providers' own reaction to the cause (kind and rate per message), for realism. */
  others: {
    provider: Provider;
    rate: number;
    kind: Reply["kind"];
    when: (m: Message, s: SimView) => boolean;
  }[];
  /** Stray replies in a clean program (a one-day Proofpoint listing, a DMARC hiccup). */
  strays: { day: number; kind: "blocklist" | "auth"; count: number }[];
}

/** What a cause sees of a message while deciding its weight. */
export interface SimView {
  setup: Setup;
  recipients: Recipient[];
  campaigns: { id: string; day: number; stream: Stream; audience: string; offSchedule: boolean }[];
  /** The recipient's latent engagement on the message's day. */
  engagement(m: Message): number;
  day(m: Message): number;
}

export interface CausePlan {
  variant: string;
  description: string;
  /** Relative weight of a message for receiving one of the cause's Apple rejections (0: never). */
  weight(m: Message, view: SimView): number;
  /** The rejection's wording. */
  reply(m: Message, view: SimView, rng: Rng): Reply;
  /** Deferrals that precede an injected rejection (rate-limit: "excessive volume"). */
  before?(m: Message, view: SimView, rng: Rng): Reply[];
  truth: { campaigns?: string[]; ips?: string[]; pool?: string; window?: [number, number] };
}
