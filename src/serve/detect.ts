import { EPISODE_DEFAULTS, type EpisodeOptions, median } from "../analytics/stats/episodes.ts";
import { ATTEMPT_TYPES, LATEST_TIME_SQL, MESSAGE_KEY_SQL, POLICY_SQL, typeIs } from "../measures/index.ts";
import type { Store } from "../store/index.ts";
import { DAY_MS, HOUR_MS } from "../util/dates.ts";

/**
 * Continuous detection over the store, per provider, as of the latest event (the data's clock, as every
 * command measures recency — never the wall clock): policy-bounce episodes opening and closing, complaint
 * rates against the mailbox providers' published lines, deferral storms, and volume against a warm-up
 * plan. Pure over the rows it is given (`detect`), with one query to get them (`loadHours`).
 */
export interface HourRow {
  provider: string;
  /** ISO hour start. */
  hour: string;
  /** Messages attempted in the hour (measure sent: distinct message keys with an attempt event). */
  sent: number;
  delivered: number;
  bounced: number;
  policy: number;
  deferred: number;
  complaints: number;
  humanOpens: number;
  clicks: number;
  /** The most frequent provider code among the hour's policy bounces (CS01…), if any. */
  topCode: string | null;
}

/** An hour without events. */
export function emptyHour(provider: string, hour: string): HourRow {
  return {
    provider,
    hour,
    sent: 0,
    delivered: 0,
    bounced: 0,
    policy: 0,
    deferred: 0,
    complaints: 0,
    humanOpens: 0,
    clicks: 0,
    topCode: null,
  };
}

/** Hours of history looked at: the window and the baseline behind it. */
export const LOOKBACK_HOURS = 24 * 8;

/**
 * Per provider per hour over the lookback, ending at the store's latest event. `now` is returned too.
 * The `events` view gives each bounce the classifier's category (measure policy_bounce).
 */
export async function loadHours(store: Store): Promise<{ now: string | null; hours: HourRow[] }> {
  const latest = await store.one<{ t: string | null }>(LATEST_TIME_SQL);
  const now = latest?.t ?? null;
  if (now === null) return { now, hours: [] };
  const hours = await store.all<HourRow>(
    `SELECT provider::VARCHAR AS provider, strftime(date_trunc('hour', time), '%Y-%m-%dT%H:00:00Z') AS hour,
      count(DISTINCT ${MESSAGE_KEY_SQL}) FILTER (WHERE type IN ${ATTEMPT_TYPES}) AS sent,
      count(*) FILTER (WHERE ${typeIs("delivered")}) AS delivered,
      count(*) FILTER (WHERE ${typeIs("bounced")}) AS bounced,
      count(*) FILTER (WHERE ${POLICY_SQL}) AS policy,
      count(*) FILTER (WHERE ${typeIs("deferred")}) AS deferred,
      count(*) FILTER (WHERE ${typeIs("complaint")}) AS complaints,
      count(*) FILTER (WHERE ${typeIs("open")} AND machine_open IS NOT TRUE) AS "humanOpens",
      count(*) FILTER (WHERE ${typeIs("click")}) AS clicks,
      mode(provider_code) FILTER (WHERE ${POLICY_SQL} AND provider_code IS NOT NULL) AS "topCode"
    FROM events
    WHERE time > $now::TIMESTAMP - INTERVAL ${LOOKBACK_HOURS} HOUR AND time <= $now::TIMESTAMP
    GROUP BY ALL ORDER BY 1, 2`,
    { now: now.replace("Z", "") },
  );
  return { now, hours };
}

/** Complaint-rate lines: Gmail's and Yahoo's published bulk-sender thresholds. */
export const COMPLAINT_LINES = {
  warning: 0.001,
  critical: 0.003,
  source:
    "Gmail: keep user-reported spam < 0.10 %, never ≥ 0.30 % (https://support.google.com/mail/answer/81126); Yahoo: < 0.3 % (https://senders.yahooinc.com/best-practices/)",
} as const;

/**
 * Providers that send senders no complaint reports (no feedback loop): their complaint rate is not
 * observable, never 0 %. Gmail's FBL reaches only ESPs in aggregate (support.google.com/mail/answer/6254652);
 * Apple runs none (https://support.apple.com/en-us/102322 lists no complaint feed).
 */
export const NO_COMPLAINT_FEED: ReadonlySet<string> = new Set(["google", "apple"]);

export interface DetectOptions {
  /** The hourly episode rule: stats' daily rule (src/analytics/stats/episodes.ts) applied per hour. */
  episode: EpisodeOptions;
  /** Complaints are measured over this many hours, and need this many deliveries to be a rate. */
  complaintHours: number;
  complaintMinDelivered: number;
  /** Deferral storm: in the last hour, this share of attempts deferred, at least this many, and `stormFactor` × baseline. */
  stormShare: number;
  stormMin: number;
  stormFactor: number;
}

export const DETECT_DEFAULTS: DetectOptions = {
  episode: EPISODE_DEFAULTS,
  complaintHours: 24,
  complaintMinDelivered: 1000,
  stormShare: 0.2,
  stormMin: 20,
  stormFactor: 3,
};

export type FindingKind = "policy-episode" | "complaint-rate" | "deferral-storm" | "warmup-exceeded";

/** One condition holding now, for one provider. Its `key` stays the same while it lasts (alert dedupe). */
export interface Finding {
  kind: FindingKind;
  key: string;
  provider: string;
  severity: "critical" | "high" | "medium";
  title: string;
  numbers: Record<string, number | string | null>;
}

export interface ProviderView {
  provider: string;
  hours: HourRow[];
  /** Complaint rate over `complaintHours`, or "not observable" / null when too few deliveries. */
  complaintRate: number | "not observable" | null;
  policyRateNow: number | null;
  baselineRate: number;
}

/** Per-provider views and the findings that hold as of `now` (the last hour ending at the latest event). */
export function detect(
  now: string | null,
  hours: HourRow[],
  options: DetectOptions = DETECT_DEFAULTS,
  plan: WarmupCaps | null = null,
): { views: ProviderView[]; findings: Finding[] } {
  const views: ProviderView[] = [];
  const findings: Finding[] = [];
  if (now === null) return { views, findings };
  const end = Date.parse(now);
  const currentHour = new Date(Math.floor(end / HOUR_MS) * HOUR_MS).toISOString().replace(".000Z", "Z");
  const byProvider = new Map<string, HourRow[]>();
  for (const row of hours) {
    const list = byProvider.get(row.provider) ?? [];
    list.push(row);
    byProvider.set(row.provider, list);
  }
  for (const [provider, rows] of [...byProvider].sort(([a], [b]) => a.localeCompare(b))) {
    const current = rows.find((row) => row.hour === currentHour) ?? null;
    const before = rows.filter((row) => row.hour < currentHour && row.sent > 0);
    const baselineRate = median(before.map((row) => row.policy / row.sent));
    const policyRateNow = current && current.sent > 0 ? current.policy / current.sent : null;
    const e = options.episode;
    const found = (
      kind: FindingKind,
      key: string,
      severity: Finding["severity"],
      title: string,
      numbers: Finding["numbers"],
    ) => findings.push({ kind, key, provider, severity, title, numbers });
    if (
      current &&
      policyRateNow !== null &&
      current.policy >= e.minCount &&
      policyRateNow >= e.minRate &&
      policyRateNow >= e.baselineFactor * baselineRate
    ) {
      found(
        "policy-episode",
        `policy-episode:${provider}`,
        "critical",
        `${provider}: policy bounces at ${pct(policyRateNow)} this hour (baseline ${pct(baselineRate)})`,
        {
          hour: current.hour,
          policyBounces: current.policy,
          sent: current.sent,
          rate: round(policyRateNow),
          baselineRate: round(baselineRate),
          topCode: current.topCode,
        },
      );
    }
    const complaintRate = complaints(provider, rows, end, options);
    if (typeof complaintRate === "number" && complaintRate >= COMPLAINT_LINES.warning) {
      const critical = complaintRate >= COMPLAINT_LINES.critical;
      const line = critical ? COMPLAINT_LINES.critical : COMPLAINT_LINES.warning;
      found(
        "complaint-rate",
        `complaint-rate:${provider}:${critical ? "critical" : "warning"}`,
        critical ? "critical" : "high",
        `${provider}: complaint rate ${pct(complaintRate)} over ${options.complaintHours} h (line ${pct(line)})`,
        { rate: round(complaintRate), hours: options.complaintHours, line },
      );
    }
    if (current) {
      const attempts = current.delivered + current.bounced + current.deferred;
      const share = attempts > 0 ? current.deferred / attempts : 0;
      const baseShare = median(
        before.map((row) => {
          const n = row.delivered + row.bounced + row.deferred;
          return n > 0 ? row.deferred / n : 0;
        }),
      );
      if (
        current.deferred >= options.stormMin &&
        share >= options.stormShare &&
        share >= options.stormFactor * baseShare
      ) {
        found(
          "deferral-storm",
          `deferral-storm:${provider}`,
          "high",
          `${provider}: ${current.deferred} deferrals this hour, ${pct(share)} of attempts (baseline ${pct(baseShare)}): rate limiting — slow down`,
          {
            hour: current.hour,
            deferred: current.deferred,
            share: round(share),
            baselineShare: round(baseShare),
          },
        );
      }
    }
    const warm = plan ? warmup(provider, rows, end, plan) : null;
    if (warm) findings.push(warm);
    views.push({ provider, hours: rows, complaintRate, policyRateNow, baselineRate });
  }
  return { views, findings };
}

function complaints(
  provider: string,
  rows: HourRow[],
  end: number,
  options: DetectOptions,
): number | "not observable" | null {
  if (NO_COMPLAINT_FEED.has(provider)) return "not observable";
  const since = end - options.complaintHours * HOUR_MS;
  const recent = rows.filter((row) => Date.parse(row.hour) + HOUR_MS > since);
  const delivered = recent.reduce((sum, row) => sum + row.delivered, 0);
  const complaintCount = recent.reduce((sum, row) => sum + row.complaints, 0);
  return delivered >= options.complaintMinDelivered ? complaintCount / delivered : null;
}

/** Today's planned maximum per provider (`deliverlens plan`'s CSV: date,provider,tier,max_messages). */
export type WarmupCaps = Map<string, number>;

/** Reads a plan CSV into caps keyed `date|provider`; throws with the line of a bad row. */
export function parseWarmupPlan(text: string): WarmupCaps {
  const caps: WarmupCaps = new Map();
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== "date,provider,tier,max_messages")
    throw new Error("not a warm-up plan (expected the header date,provider,tier,max_messages)");
  for (const [index, line] of lines.slice(1).entries()) {
    if (line.trim() === "") continue;
    const [date, provider, , max] = line.split(",");
    const n = Number(max);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date ?? "") || !provider || !Number.isFinite(n))
      throw new Error(`line ${index + 2}: not a plan row: ${line.slice(0, 80)}`);
    const key = `${date}|${provider}`;
    caps.set(key, (caps.get(key) ?? 0) + n);
  }
  return caps;
}

/** Today's volume so far, projected to the day's end at the last hour's pace, against the plan. */
function warmup(provider: string, rows: HourRow[], end: number, plan: WarmupCaps): Finding | null {
  const day = new Date(end).toISOString().slice(0, 10);
  const cap = plan.get(`${day}|${provider}`);
  if (cap === undefined) return null;
  const today = rows.filter((row) => row.hour.startsWith(day));
  const sent = today.reduce((sum, row) => sum + row.sent, 0);
  const lastHour = today.at(-1)?.sent ?? 0;
  const hoursLeft = 24 - (end % DAY_MS) / HOUR_MS;
  const projected = Math.round(sent + lastHour * hoursLeft);
  if (projected <= cap) return null;
  const over = sent > cap;
  return {
    kind: "warmup-exceeded",
    key: `warmup-exceeded:${provider}:${day}:${over ? "over" : "pace"}`,
    provider,
    severity: over ? "critical" : "medium",
    title: over
      ? `${provider}: ${sent} messages today, above the warm-up plan's ${cap}`
      : `${provider}: at this pace ${projected} messages today, above the warm-up plan's ${cap}`,
    numbers: { day, sent, projected, planned: cap },
  };
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(2)} %`;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** A recent policy bounce, for the dashboard (campaign and reply come from mail: escaped when shown). */
export interface RecentBounce {
  time: string;
  provider: string;
  campaign: string | null;
  providerCode: string | null;
  reply: string | null;
}

export async function loadRecentBounces(store: Store, limit = 20): Promise<RecentBounce[]> {
  return store.all<RecentBounce>(
    `SELECT strftime(time, '%Y-%m-%dT%H:%M:%SZ') AS time, provider::VARCHAR AS provider, campaign,
      provider_code AS "providerCode", left(reply, 500) AS reply
    FROM events WHERE ${POLICY_SQL} ORDER BY time DESC, recipient LIMIT ${Math.max(1, Math.floor(limit))}`,
  );
}
