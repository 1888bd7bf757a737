import { createHash } from "node:crypto";
import type { AlertsSnapshot } from "./state.ts";

/**
 * Alerts: what detection found, sent to every configured sink (a generic JSON webhook with a
 * Slack-compatible `text`, email over SMTP, the log), deduplicated by key with a cooldown. Delivery runs
 * beside ingestion: a sink that fails is retried with backoff and never blocks a webhook's answer.
 */
export interface Alert {
  /** Stable per occurrence: the key and the time it was raised. */
  id: string;
  /** What it is about, stable while the condition lasts (`policy-episode:apple`): dedupe and cooldown. */
  key: string;
  kind: string;
  severity: "critical" | "high" | "medium" | "info";
  provider: string | null;
  title: string;
  /** The numbers that triggered it. */
  numbers: Record<string, number | string | null>;
  /** The diagnosis' top cause when an episode opens, and the days of data diagnosed. */
  topCause: TopCause | null;
  /** The dashboard (with the provider's section anchor). */
  link: string;
  raisedAt: string;
}

/** A cause of the diagnosis, as alerts and the dashboard show it. */
export interface TopCause {
  id: string;
  title: string;
  confidence: number;
  actions: string[];
  /** The days diagnosed (inclusive UTC days; null = open end). */
  from?: string | null;
  to?: string | null;
}

export type AlertInput = Omit<Alert, "id" | "raisedAt" | "link">;

/** One way out. `send` resolves when delivered and throws to be retried. */
export interface Sink {
  name: string;
  send(alert: Alert): Promise<void>;
}

/** Delivery attempts after the first, and the wait before each (ms). */
export const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000] as const;

export interface AlertCounters {
  raised: number;
  suppressed: number;
  delivered: number;
  failedAttempts: number;
  abandoned: number;
}

export interface AlertsOptions {
  sinks: Sink[];
  /** The same key is not raised again within this (ms). */
  cooldownMs: number;
  /** Base URL of the dashboard (known once the server listens). */
  dashboard: () => string;
  now?: () => number;
  retryDelaysMs?: readonly number[];
  /** Where delivery failures are reported. */
  log?: (line: string) => void;
  /**
   * Called (synchronously) whenever the state to persist changed — before a raised alert's delivery
   * starts, so a crash either never sent it (it is detected and raised again) or finds it saved.
   */
  onChange?: () => void;
}

export class Alerts {
  readonly counters: AlertCounters = {
    raised: 0,
    suppressed: 0,
    delivered: 0,
    failedAttempts: 0,
    abandoned: 0,
  };
  private readonly options: AlertsOptions;
  private readonly lastRaised = new Map<string, number>();
  /** Alerts whose condition still holds, by key (the dashboard's "open alerts"). */
  private readonly open = new Map<string, Alert>();
  private readonly recent: Alert[] = [];
  /** Alert id → the alert and the sinks it has not reached yet. */
  private readonly undelivered = new Map<string, { alert: Alert; sinks: Set<string> }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: AlertsOptions) {
    this.options = options;
  }

  /** Raises an alert unless its key was raised within the cooldown; returns it when raised. */
  raise(input: AlertInput): Alert | null {
    const now = this.options.now?.() ?? Date.now();
    const last = this.lastRaised.get(input.key);
    if (last !== undefined && now - last < this.options.cooldownMs) {
      this.counters.suppressed++;
      return null;
    }
    this.lastRaised.set(input.key, now);
    const raisedAt = new Date(now).toISOString();
    const anchor = input.provider ? `#provider-${encodeURIComponent(input.provider)}` : "";
    const alert: Alert = {
      ...input,
      id: createHash("sha256").update(`${input.key}\u0000${raisedAt}`).digest("hex").slice(0, 16),
      raisedAt,
      link: `${this.options.dashboard()}/${anchor}`,
    };
    this.counters.raised++;
    this.open.set(alert.key, alert);
    this.recent.unshift(alert);
    this.recent.length = Math.min(this.recent.length, 100);
    this.undelivered.set(alert.id, { alert, sinks: new Set(this.options.sinks.map((s) => s.name)) });
    this.options.onChange?.();
    for (const sink of this.options.sinks) this.deliver(sink, alert, 0);
    return alert;
  }

  /** The condition behind `key` no longer holds. */
  resolve(key: string): void {
    if (this.open.delete(key)) this.options.onChange?.();
  }

  /** What survives a restart: the cooldown clock (entries still cooling), open, recent, undelivered. */
  snapshot(): AlertsSnapshot {
    const now = this.options.now?.() ?? Date.now();
    return {
      lastRaised: [...this.lastRaised].filter(([, at]) => now - at < this.options.cooldownMs),
      open: this.openAlerts(),
      recent: this.recentAlerts(),
      undelivered: [...this.undelivered.values()].map(({ alert, sinks }) => ({ alert, sinks: [...sinks] })),
    };
  }

  /**
   * Takes a saved snapshot over (at start, before any raise): cooldowns keep running, open alerts stay
   * open, and the alerts a crash kept from a sink are delivered to it now (a sink no longer configured
   * is skipped).
   */
  restore(snapshot: AlertsSnapshot): void {
    for (const [key, at] of snapshot.lastRaised) this.lastRaised.set(key, at);
    for (const alert of snapshot.open) this.open.set(alert.key, alert);
    this.recent.splice(0, this.recent.length, ...snapshot.recent.slice(0, 100));
    for (const { alert, sinks } of snapshot.undelivered) {
      const targets = this.options.sinks.filter((sink) => sinks.includes(sink.name));
      if (targets.length === 0) continue;
      this.undelivered.set(alert.id, { alert, sinks: new Set(targets.map((sink) => sink.name)) });
      for (const sink of targets) this.deliver(sink, alert, 0);
    }
  }

  openAlerts(): Alert[] {
    return [...this.open.values()].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt));
  }

  recentAlerts(): Alert[] {
    return [...this.recent];
  }

  /** Waits for deliveries under way (not for scheduled retries); used on shutdown and in tests. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Cancels scheduled retries (shutdown). */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** The alert is done with this sink (delivered or given up). */
  private delivered(alert: Alert, sink: Sink): void {
    const entry = this.undelivered.get(alert.id);
    if (!entry?.sinks.delete(sink.name)) return;
    if (entry.sinks.size === 0) this.undelivered.delete(alert.id);
    this.options.onChange?.();
  }

  private deliver(sink: Sink, alert: Alert, attempt: number): void {
    const delays = this.options.retryDelaysMs ?? RETRY_DELAYS_MS;
    const sending = sink
      .send(alert)
      .then(() => {
        this.counters.delivered++;
        this.delivered(alert, sink);
      })
      .catch((error: unknown) => {
        this.counters.failedAttempts++;
        if (attempt >= delays.length) {
          this.counters.abandoned++;
          this.delivered(alert, sink);
          this.options.log?.(
            `alert ${alert.id} to ${sink.name} abandoned after ${attempt + 1} attempts: ${describe(error)}`,
          );
          return;
        }
        this.options.log?.(`alert ${alert.id} to ${sink.name} failed (${describe(error)}); retrying`);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.deliver(sink, alert, attempt + 1);
        }, delays[attempt]);
        timer.unref();
        this.timers.add(timer);
      })
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The diagnosis' top cause in words; "insufficient-evidence" first means no cause passes yet. */
export function causeText(cause: TopCause): string {
  const days = cause.from || cause.to ? `data ${cause.from ?? "…"} to ${cause.to ?? "…"}` : null;
  return cause.id === "insufficient-evidence"
    ? `diagnosis: no cause passes yet (not enough evidence${days ? ` in the ${days}` : " in the store"})`
    : `likely cause: ${cause.title} (confidence ${Math.round(cause.confidence * 100)} %${days ? `; ${days}` : ""})`;
}

/** The alert as one line of text (log, Slack `text`, email subject and body head). */
export function alertText(alert: Alert): string {
  const numbers = Object.entries(alert.numbers)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  const cause = alert.topCause ? ` — ${causeText(alert.topCause)}` : "";
  return `[${alert.severity}] ${alert.title}${cause} (${numbers}) ${alert.link}`;
}

/** A generic JSON webhook: the whole alert plus a Slack-compatible `text`; 2xx within 10 s or it is retried. */
export function webhookSink(url: string, fetcher: typeof fetch = fetch): Sink {
  return {
    name: `webhook ${new URL(url).host}`,
    async send(alert) {
      const response = await fetcher(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: alertText(alert), alert }),
        redirect: "error",
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer().catch(() => {});
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
  };
}

/** Anything with nodemailer's `sendMail`. */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
}

/** Email over SMTP (nodemailer's transport, made by the caller from an smtp:// URL). */
export function emailSink(transport: MailTransport, from: string, to: string): Sink {
  return {
    name: `email ${to}`,
    async send(alert) {
      await transport.sendMail({
        from,
        to,
        subject: `deliverlens: ${alert.title}`.replace(/[\r\n]+/g, " ").slice(0, 200),
        text: `${alertText(alert)}\n\n${JSON.stringify(alert, null, 2)}\n`,
      });
    },
  };
}

/** The log: one line per alert. */
export function logSink(write: (line: string) => void): Sink {
  return {
    name: "log",
    async send(alert) {
      write(`alert ${alert.id} ${alertText(alert)}`);
    },
  };
}
