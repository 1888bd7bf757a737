import type { DmarcSummary } from "../dmarc/summary.ts";
import type { ParseProblem } from "../events/event.ts";
import type { SeedPlacementRow } from "../store/seeds.ts";
import { DAY_MS } from "../util/dates.ts";
import { VERSION } from "../util/version.ts";
import type { Episode } from "./analytics-bridge.ts";
import type { Diagnosis } from "./engine.ts";
import { APPLE_ESCALATION_ADDRESS, escalationNote } from "./escalation.ts";
import type { DayTotal, TierCount } from "./facts.ts";
import type { Unjudged } from "./limits.ts";
import { seedEvidence } from "./seed-evidence.ts";
import type { Segments } from "./segments.ts";
import { SUNSET_DAYS } from "./segments.ts";
import { quantile } from "./stats.ts";
import type { CampaignMessage, Cause, DiagnoseContext } from "./types.ts";
import { warmupPlan } from "./warmup.ts";

export const DIAGNOSE_SCHEMA_VERSION = 1;

/** The `diagnose --json` document (docs/DIAGNOSE.md "JSON schema"). */
export interface DiagnosisReport {
  schemaVersion: number;
  meta: {
    generatedAt: string;
    deliverlensVersion: string;
    store: string;
    offline: boolean;
    redacted: boolean;
  };
  provider: string;
  summary: string;
  /** The summary's numbers, for machines (docs/DIAGNOSE.md "JSON schema"). */
  figures: Figures;
  causes: Cause[];
  /** What the data cannot show (no opens or clicks, no campaigns, no sending IPs) and the causes left unassessed. */
  unjudged?: Unjudged[];
  episodes: Episode[];
  /**
   * Per day (DayTotal without `deferred`): `sent` (measure sent, = stats), `policyBounces` (policy_bounce,
   * = stats), `policy` (policy_bounced_message: that day's sends later policy-bounced), `dormant`
   * (messages to recipients not engaged in 90 days, as before), of which `unknown` to recipients known for
   * less than 90 days (unknown_history; dormant − unknown is measure dormant), `newAddresses` (new_address:
   * messages to recipients first mailed or seen that day) and `hardBounced` (hard_bounced_message).
   */
  daily: (Omit<DayTotal, "deferred" | "newAddresses" | "hardBounced"> &
    // Always written by `diagnose`; optional for reports built from older diagnoses.
    Partial<Pick<DayTotal, "newAddresses" | "hardBounced">> & {
      spike: boolean;
      episode: boolean;
      /** On spike days, the volume the spike was judged against (the chart draws it), when known. */
      baseline?: number | null;
    })[];
  tiers: TierCount[];
  campaigns: { campaign: string; sent: number; policy: number; flagged: boolean; spike: boolean }[];
  ips: { ip: string; sent: number; policy: number }[];
  prescriptions: Prescriptions;
  problems: ParseProblem[];
  /**
   * Seed-list placement of each tested campaign at this provider (the latest check of each seed:
   * `deliverlens seeds`), only when seed tests were checked into the store.
   */
  seeds?: SeedPlacementRow[];
  /** What stored DMARC aggregate and TLS reports say over the window (docs/DMARC.md); absent without reports. */
  dmarc?: DmarcSummary;
}

/** The numbers the summary sentence quotes: messages (the unit `stats` calls sent), policy bounces, rate, window. */
export interface Figures {
  messages: number;
  policyBounces: number;
  /** policyBounces / messages (0 when there are no messages). */
  rate: number;
  window: { from: string | null; to: string | null; days: number };
}

export function figuresOf(context: DiagnoseContext): Figures {
  const days = context.days;
  // Measures `sent` and `policy_bounce` over the window: the totals `stats` prints for the provider.
  const messages = days.reduce((n, d) => n + d.sent, 0);
  const policyBounces = days.reduce((n, d) => n + d.policyBounces, 0);
  return {
    messages,
    policyBounces,
    rate: messages ? Math.round((policyBounces / messages) * 1e6) / 1e6 : 0,
    window: { from: days[0]?.day ?? null, to: days.at(-1)?.day ?? null, days: days.length },
  };
}

export interface Prescriptions {
  suppression: Segments & { sunsetDays: number; export: string | null };
  reengagement: string[];
  warmup: { target: number; days: number; growth: number; source: string; command: string };
  content: string[];
  dns: string[];
  delisting: string[];
  escalation: string;
}

export interface ReportInput {
  context: DiagnoseContext;
  diagnosis: Diagnosis;
  segments: Segments;
  store: string;
  offline: boolean;
  redacted: boolean;
  exportPath: string | null;
  company: string | null;
  domain: string | null;
  ips: string[];
  problems: ParseProblem[];
  /** Seed-list results at this provider (src/store/seeds.ts seedPlacements); none: no section, no evidence. */
  seeds?: SeedPlacementRow[];
}

export function buildReport(input: ReportInput): DiagnosisReport {
  const { context, diagnosis, segments } = input;
  const { facts } = context;
  const inEpisode = (day: string) => diagnosis.episodes.some((e) => e.start <= day && day <= e.end);
  const causeOf = (id: string) => diagnosis.causes.find((c) => c.id === id);
  const flagged = new Set(causeOf("content")?.passed ? (causeOf("content")?.subjects ?? []) : []);
  const target = Math.round(
    quantile(
      context.days.slice(-28).map((d) => d.sent),
      0.9,
    ) || 0,
  );
  const start = nextDay(facts.asOf);
  const plan = warmupPlan(facts.provider, target, facts.tiers, start);
  const report: DiagnosisReport = {
    schemaVersion: DIAGNOSE_SCHEMA_VERSION,
    meta: {
      generatedAt: new Date().toISOString(),
      deliverlensVersion: VERSION,
      store: input.store,
      offline: input.offline,
      redacted: input.redacted,
    },
    provider: facts.provider,
    summary: diagnosis.summary,
    figures: figuresOf(context),
    causes: diagnosis.causes,
    unjudged: diagnosis.unjudged,
    episodes: diagnosis.episodes,
    daily: context.days.map((d) => ({
      day: d.day,
      sent: d.sent,
      policy: d.policy,
      policyBounces: d.policyBounces,
      dormant: d.dormant,
      unknown: d.unknown,
      newAddresses: d.newAddresses,
      hardBounced: d.hardBounced,
      spike: (context.daySpikes ?? context.spikeDays).has(d.day),
      episode: inEpisode(d.day),
      baseline: context.spikeBaselines?.get(d.day) ?? null,
    })),
    tiers: facts.tiers,
    campaigns: totalsBy(context, "campaign").map(({ key, sent, policy, onSpike }) => ({
      campaign: key,
      sent,
      policy,
      flagged: flagged.has(key),
      spike: onSpike * 2 >= sent,
    })),
    ips: totalsBy(context, "ip").map(({ key, sent, policy }) => ({ ip: key, sent, policy })),
    prescriptions: {
      suppression: { ...segments, sunsetDays: SUNSET_DAYS, export: input.exportPath },
      reengagement: reengagement(segments.reengage),
      warmup: {
        target,
        days: plan.days,
        growth: plan.growth,
        source: plan.source,
        command: `deliverlens plan --db ${input.store} --provider ${facts.provider} --target ${target} --out warmup.csv`,
      },
      content: causeOf("content")?.passed ? causeOf("content")!.actions : [],
      dns: dnsFixes(context, causeOf("authentication")?.actions ?? []),
      delisting: causeOf("blocklist")?.passed ? causeOf("blocklist")!.actions : [],
      escalation: escalationNote({
        facts,
        causes: diagnosis.causes,
        episodes: diagnosis.episodes,
        company: input.company,
        domain: input.domain ?? facts.sendingDomains[0] ?? messagesDomain(context.messages),
        ips: input.ips,
      }),
    },
    problems: input.problems,
  };
  if (input.seeds?.length) {
    // Seed placement supports a cause; it never moves a confidence (seeds are not engaged recipients).
    report.seeds = input.seeds;
    const seeds = seedEvidence(input.seeds, facts.provider);
    causeOf("content")?.evidence.push(...seeds.content);
    causeOf("low-engagement")?.evidence.push(...seeds.reputation);
  }
  return input.redacted ? redactReport(report) : report;
}

/** The authentication actions, then the audit's own fixes for its critical and high findings (--domain). */
function dnsFixes(context: DiagnoseContext, actions: string[]): string[] {
  const audit = (context.audit?.findings ?? [])
    .filter((f) => (f.severity === "critical" || f.severity === "high") && f.fix)
    .map((f) => `${f.title}: ${f.fix}`);
  return [...new Set([...audit, ...actions])];
}

function reengagement(count: number): string[] {
  if (count === 0) return ["No recipients in the 91–180-day tier: nothing to re-engage"];
  return [
    `${count.toLocaleString("en-US")} recipients last clicked or opened (human) 91–180 days ago: send them 2–3 win-back messages over three weeks`,
    "Send the win-back series in small batches (at most 10 % of a day's volume) from your best-performing IP",
    `Whoever clicks goes back to the regular stream; suppress the rest after the last message (the ${SUNSET_DAYS}-day sunset)`,
  ];
}

function totalsBy(context: DiagnoseContext, key: "campaign" | "ip") {
  const totals = new Map<
    string,
    { key: string; sent: number; policy: number; first: string; onSpike: number }
  >();
  for (const cell of context.facts.cells) {
    const name = cell[key];
    const total = totals.get(name) ?? { key: name, sent: 0, policy: 0, first: cell.day, onSpike: 0 };
    total.sent += cell.sent;
    if (context.spikeDays.has(cell.day)) total.onSpike += cell.sent;
    total.policy += cell.policy;
    if (cell.day < total.first) total.first = cell.day;
    totals.set(name, total);
  }
  return [...totals.values()].sort((x, y) =>
    x.first < y.first ? -1 : x.first > y.first ? 1 : x.key < y.key ? -1 : 1,
  );
}

/** The From domain most of the campaign messages carry (ties: the first in name order), or null. */
export function messagesDomain(messages: ReadonlyMap<string, CampaignMessage> | null): string | null {
  const counts = new Map<string, number>();
  for (const message of messages?.values() ?? []) {
    if (message.fromDomain) counts.set(message.fromDomain, (counts.get(message.fromDomain) ?? 0) + 1);
  }
  return [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]?.[0] ?? null;
}

function nextDay(iso: string | null): string {
  const base = iso ? Date.parse(iso) : Date.now();
  return new Date(base + DAY_MS).toISOString().slice(0, 10);
}

const ADDRESS = /([A-Za-z0-9._%+!#$&'*/=?^`{|}~-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/** Addresses that are not recipients and stay readable (where to send the escalation). */
const PUBLIC_ADDRESSES = new Set([APPLE_ESCALATION_ADDRESS]);

/** Replace the local part of every recipient address; the domain stays (it names the provider). */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS, (match, _local, domain: string) =>
    PUBLIC_ADDRESSES.has(match.toLowerCase()) ? match : `[redacted]@${domain}`,
  );
}

function redactReport<T>(value: T): T {
  if (typeof value === "string") return redactAddresses(value) as T;
  if (Array.isArray(value)) return value.map(redactReport) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactReport(v)])) as T;
  }
  return value;
}
