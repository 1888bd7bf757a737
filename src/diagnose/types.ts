import type { MeasureId } from "../measures/index.ts";
import type { DayTotal, Facts } from "./facts.ts";
import type { SendSpike } from "./send-spikes.ts";
import type { SpikeAudience } from "./spike-audience.ts";

/** The closed list of causes `diagnose` can name, each with a one-line meaning. */
export const CAUSES = {
  "volume-spike": "A volume spike that reached less-engaged recipients",
  "low-engagement": "Sustained low engagement / list-quality decline (domain reputation)",
  content: "Content or links of particular campaigns",
  blocklist: "A blocklisted sending IP or link domain",
  authentication: "Authentication failure or misalignment (SPF, DKIM, DMARC)",
  "ip-reputation": "One sending IP or pool worse than the others",
  "rate-limit": "Ignored deferrals escalating into rejections (rate limits)",
  "insufficient-evidence": "No cause passes the threshold, or there is not enough data",
} as const;
export type CauseId = keyof typeof CAUSES;

/** One number behind a claim. `test` names the statistic; `p` is its one-sided p-value. */
export interface Evidence {
  text: string;
  metric?: string;
  value?: number;
  baseline?: number;
  test?: string;
  p?: number;
  ratio?: number;
  ciLow?: number;
  ciHigh?: number;
  /** Ids of the named measures (src/measures) the numbers are built from, so a reader can check them with `stats`. */
  measures?: MeasureId[];
}

export interface Cause {
  id: CauseId;
  title: string;
  /** 0–1, see docs/DIAGNOSE.md "Confidence". */
  confidence: number;
  /** Whether confidence reaches PASS_THRESHOLD. */
  passed: boolean;
  evidence: Evidence[];
  actions: string[];
  /** One sentence per other hypothesis this cause's evidence argues against. */
  rulesOut: string[];
  /** Why this hypothesis does not hold (when it does not pass), for the others' `rulesOut`. */
  against?: string;
  /** Campaigns, IPs or days the cause points at, for reports and prescriptions. */
  subjects?: string[];
}

/** Everything a hypothesis can look at. Optional inputs are null when not asked for (or offline). */
export interface DiagnoseContext {
  facts: Facts;
  days: DayTotal[];
  /** The days of a volume spike: a spike day (measure `spike`, as `stats` finds them) or a send spike's day. */
  spikeDays: Set<string>;
  /** The spike days `stats` reports (measure `spike`: the day's volume); absent = spikeDays. */
  daySpikes?: Set<string>;
  /** Sends (campaign × day) far above the program's usual largest send (measure `send_spike`). */
  sendSpikes?: SendSpike[];
  /** Per spike day, the volume it was judged against (the largest of its references), for the chart. */
  spikeBaselines?: Map<string, number>;
  /** Whether the spike days reached a less-engaged audience than usual (volume-spike's own claim). */
  spikeAudience: SpikeAudience;
  totalSent: number;
  totalPolicy: number;
  messages: Map<string, CampaignMessage> | null;
  audit: AuditSummary | null;
  /** Campaigns a passing content cause explains; volume-spike leaves them out (explaining away). */
  explainedCampaigns?: Set<string>;
  /** Sending IPs or pools a passing ip-reputation cause names; low-engagement leaves their mail out. */
  explainedIps?: Set<string>;
}

/** What the forensics engine found in one campaign's message (--messages). */
export interface CampaignMessage {
  campaign: string;
  file: string;
  /** The domain of the message's From address (lower case), when it has one. */
  fromDomain?: string | null;
  linkDomains: string[];
  shorteners: string[];
  listedDomains: string[];
  findings: { id: string; severity: string; title: string }[];
}

/** What the sender audit found for --domain / --ip (online only). */
export interface AuditSummary {
  domain: string | null;
  ips: string[];
  findings: { id: string; severity: string; title: string; evidence?: string; fix?: string }[];
  listed: { name: string; list: string }[];
}

export type Hypothesis = (context: DiagnoseContext) => Cause;
