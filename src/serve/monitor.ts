import { loadAppleEgress } from "../analytics/stats/opens.ts";
import type { BlocklistData } from "../audit/blocklist-data.ts";
import { type BlocklistTargets, checkBlocklists, type ListResult } from "../audit/blocklists.ts";
import { buildContext } from "../diagnose/context.ts";
import { diagnoseContext } from "../diagnose/engine.ts";
import { type FactsWindow, loadFacts } from "../diagnose/load-facts.ts";
import type { DnsResolver } from "../dns/types.ts";
import type { Store } from "../store/index.ts";
import { addDays } from "../util/dates.ts";
import type { Alert, Alerts, TopCause } from "./alerts.ts";
import {
  DETECT_DEFAULTS,
  type DetectOptions,
  detect,
  type Finding,
  loadHours,
  type ProviderView,
  type WarmupCaps,
} from "./detect.ts";
import type { StoreLock } from "./intake.ts";
import type { MonitorSnapshot } from "./state.ts";

/** A policy-bounce episode as detection saw it open (and close). Hours are ISO hour starts. */
export interface LiveEpisode {
  provider: string;
  openedHour: string;
  closedHour: string | null;
  peakRate: number;
}

export interface ProviderDiagnosis {
  provider: string;
  at: string;
  /** The days diagnosed (inclusive; null = open end). */
  from?: string | null;
  to?: string | null;
  causes: TopCause[];
}

export interface BlocklistWatch {
  targets: BlocklistTargets;
  data: BlocklistData;
  /** A new resolver per check (each resolver caches its answers for its run). */
  resolver: () => DnsResolver;
  intervalMs: number;
}

export interface MonitorOptions {
  store: Store;
  lock: StoreLock;
  alerts: Alerts;
  intervalMs: number;
  detect?: DetectOptions;
  plan?: WarmupCaps | null;
  blocklists?: BlocklistWatch | null;
  log?: (line: string) => void;
  /** Days of data the diagnosis of an opening episode covers, ending on the episode's day (default 14). */
  diagnosisDays?: number;
  /** Runs before each pass: the service drains the spool, so a pass sees every acknowledged event. */
  beforeCheck?: () => Promise<void>;
  /** Called after a pass or a blocklist check (the service persists the state when it changed). */
  onChange?: () => void;
}

/** What the dashboard shows of detection. */
export interface MonitorState {
  checkedAt: string | null;
  /** The data's clock: the latest event in the store. */
  now: string | null;
  views: ProviderView[];
  findings: Finding[];
  episodes: LiveEpisode[];
  diagnoses: ProviderDiagnosis[];
  blocklist: { checkedAt: string; listed: ListResult[]; unknown: number } | null;
  checks: number;
}

/**
 * Runs detection every `intervalMs` (and the blocklist check every `blocklists.intervalMs`), turning
 * findings into alerts: an episode opening runs the diagnosis and puts its top cause in the alert; a
 * condition that stops holding resolves its alert (an episode closing is itself an info alert).
 */
export class Monitor {
  readonly state: MonitorState = {
    checkedAt: null,
    now: null,
    views: [],
    findings: [],
    episodes: [],
    diagnoses: [],
    blocklist: null,
    checks: 0,
  };
  private readonly options: MonitorOptions;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> = Promise.resolve();
  private readonly listed = new Set<string>();
  /** Blocklist checks run one at a time (a slow resolver delays the next instead of overlapping it). */
  private blocklistRun: Promise<void> = Promise.resolve();

  constructor(options: MonitorOptions) {
    this.options = options;
  }

  start(): void {
    this.timers.push(setInterval(() => void this.check(), this.options.intervalMs));
    const watch = this.options.blocklists;
    if (watch) {
      void this.checkBlocklists();
      this.timers.push(setInterval(() => void this.checkBlocklists(), watch.intervalMs));
    }
  }

  /** What survives a restart: episodes (an open one is not alerted again), listings, diagnoses. */
  snapshot(): MonitorSnapshot {
    return {
      episodes: this.state.episodes,
      listed: [...this.listed],
      diagnoses: this.state.diagnoses,
    };
  }

  /** Takes a saved snapshot over (at start, before the first pass). */
  restore(snapshot: MonitorSnapshot): void {
    this.state.episodes = snapshot.episodes.slice(-50);
    this.state.diagnoses = snapshot.diagnoses;
    for (const key of snapshot.listed) this.listed.add(key);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.running;
    await this.blocklistRun;
  }

  /** One detection pass (serialized: a slow pass delays the next instead of overlapping it). */
  check(): Promise<void> {
    this.running = this.running
      .then(() => this.checkOnce())
      .catch((error: unknown) => {
        this.options.log?.(`detection failed: ${(error as Error).message}`);
      });
    return this.running;
  }

  private async checkOnce(): Promise<void> {
    const { store, lock, alerts } = this.options;
    await this.options.beforeCheck?.();
    const { now, hours } = await lock.run(() => loadHours(store));
    const { views, findings } = detect(
      now,
      hours,
      this.options.detect ?? DETECT_DEFAULTS,
      this.options.plan ?? null,
    );
    const holding = new Set(findings.map((finding) => finding.key));
    for (const finding of findings) {
      let topCause: TopCause | null = null;
      if (finding.kind === "policy-episode") {
        const open = this.state.episodes.find(
          (e) => e.provider === finding.provider && e.closedHour === null,
        );
        const rate = Number(finding.numbers.rate);
        if (open) {
          open.peakRate = Math.max(open.peakRate, rate);
          continue;
        }
        this.state.episodes.push({
          provider: finding.provider,
          openedHour: String(finding.numbers.hour),
          closedHour: null,
          peakRate: rate,
        });
        const days = this.options.diagnosisDays ?? DIAGNOSIS_DAYS;
        const window = recentWindow(String(finding.numbers.hour), days);
        const [top] = await this.diagnose(finding.provider, window);
        topCause = top ? { ...top, from: window.from ?? null, to: window.to ?? null } : null;
      }
      alerts.raise({ ...finding, topCause });
    }
    for (const episode of this.state.episodes) {
      if (episode.closedHour !== null || holding.has(`policy-episode:${episode.provider}`)) continue;
      episode.closedHour = now ? `${now.slice(0, 13)}:00:00Z` : null;
      alerts.resolve(`policy-episode:${episode.provider}`);
      alerts.raise({
        kind: "episode-closed",
        key: `episode-closed:${episode.provider}:${episode.openedHour}`,
        provider: episode.provider,
        severity: "info",
        title: `${episode.provider}: the policy-bounce episode opened ${episode.openedHour} has closed`,
        numbers: {
          openedHour: episode.openedHour,
          closedHour: episode.closedHour,
          peakRate: episode.peakRate,
        },
        topCause: null,
      });
    }
    for (const alert of alerts.openAlerts()) {
      if (isDetected(alert) && !holding.has(alert.key)) alerts.resolve(alert.key);
    }
    this.state.episodes = this.state.episodes.slice(-50);
    Object.assign(this.state, { checkedAt: new Date().toISOString(), now, views, findings });
    this.state.checks++;
    this.options.onChange?.();
  }

  /**
   * The diagnosis of a provider (diagnose's library pieces) over the window (inclusive UTC days, as
   * `diagnose --from/--to`; the whole store without one), best causes first.
   */
  async diagnose(provider: string, window: FactsWindow = {}): Promise<TopCause[]> {
    const { store, lock } = this.options;
    try {
      const diagnosis = await lock.run(async () => {
        const opens = await loadAppleEgress(store, null);
        const facts = await loadFacts(store, provider, opens, window);
        return diagnoseContext(buildContext(facts));
      });
      const causes = diagnosis.causes.slice(0, 3).map((cause) => ({
        id: cause.id,
        title: cause.title,
        confidence: cause.confidence,
        actions: cause.actions.slice(0, 3),
      }));
      this.state.diagnoses = [
        { provider, at: new Date().toISOString(), from: window.from ?? null, to: window.to ?? null, causes },
        ...this.state.diagnoses.filter((d) => d.provider !== provider),
      ];
      return causes;
    } catch (error) {
      this.options.log?.(`diagnosis of ${provider} failed: ${(error as Error).message}`);
      return [];
    }
  }

  /** A new listing raises a critical alert; a delisting resolves it. "Could not ask" is never a listing. */
  checkBlocklists(): Promise<void> {
    this.blocklistRun = this.blocklistRun.then(() => this.checkBlocklistsOnce());
    return this.blocklistRun;
  }

  private async checkBlocklistsOnce(): Promise<void> {
    const watch = this.options.blocklists;
    if (!watch) return;
    try {
      const report = await checkBlocklists(watch.resolver(), watch.targets, watch.data);
      const listed = report.results.filter((r) => r.verdict.status === "listed");
      const unknown = report.results.filter(
        (r) => r.verdict.status === "unknown" || r.verdict.status === "unavailable",
      ).length;
      const now = new Set<string>();
      for (const result of listed) {
        const key = `blocklist:${result.target}:${result.list}`;
        now.add(key);
        if (this.listed.has(key)) continue;
        this.options.alerts.raise({
          kind: "blocklist",
          key,
          provider: null,
          severity: "critical",
          title: `${result.target} is listed on ${result.name} (${result.zone})`,
          numbers: { target: result.target, list: result.list, delist: result.delist ?? null },
          topCause: null,
        });
      }
      // A listing is over only when the list answers "clear": an unanswered query changes nothing.
      const clear = new Set(
        report.results
          .filter((r) => r.verdict.status === "clear")
          .map((r) => `blocklist:${r.target}:${r.list}`),
      );
      for (const key of [...this.listed]) {
        if (now.has(key) || !clear.has(key)) continue;
        this.listed.delete(key);
        this.options.alerts.resolve(key);
      }
      for (const key of now) this.listed.add(key);
      this.state.blocklist = { checkedAt: new Date().toISOString(), listed, unknown };
      this.options.onChange?.();
    } catch (error) {
      this.options.log?.(`blocklist check failed: ${(error as Error).message}`);
    }
  }
}

/** The diagnosis window of an episode by default: two weeks, as the "recent window". */
export const DIAGNOSIS_DAYS = 14;

/** `days` whole UTC days ending on the day of `hour` (an ISO hour start). */
export function recentWindow(hour: string, days: number): FactsWindow {
  const to = hour.slice(0, 10);
  return { from: addDays(to, -(Math.max(1, Math.floor(days)) - 1)), to };
}

function isDetected(alert: Alert): boolean {
  return ["policy-episode", "complaint-rate", "deferral-storm", "warmup-exceeded"].includes(alert.kind);
}
