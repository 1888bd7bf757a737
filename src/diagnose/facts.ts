import { DAY_MS } from "../util/dates.ts";

/**
 * The aggregated facts every hypothesis reasons from, loaded from the store by ./load-facts.ts.
 * Keeping hypotheses on these plain arrays makes them pure and testable without DuckDB.
 */

/** Bounce categories that count as a "policy" rejection: the measures' definition, shared with `stats`. */
export { POLICY_CATEGORIES } from "../measures/index.ts";

/** One aggregate of sends: a day × campaign × sending IP × engagement group. */
export interface SendCell {
  day: string;
  campaign: string;
  ip: string;
  /** The sending pool, "(none)" when the source has none. */
  pool: string;
  /**
   * No click or human open in the 90 days before the send (never engaged included). With `known`, this
   * is measure `dormant`; without, measure `unknown_history` (too new to call dormant); false: `engaged`.
   */
  dormant: boolean;
  /** The recipient was first seen (first mailed or any event) at least 90 days before the send. */
  known?: boolean;
  /** Measure `sent`: messages to recipients (a message to a recipient once, however many attempts). */
  sent: number;
  /** Of those, rejected with a policy bounce (measure `policy_bounced_message`). */
  policy: number;
  /** Of those, deferred at least once. */
  deferred: number;
  /** Of those, deferred at least once and then policy-bounced. */
  policyDeferred: number;
  /** Of those, deferred at least once with a rate-limit reply (excessive volume, too many connections…). */
  rateDeferred: number;
  /** Of those, rate-limit deferred and then policy-bounced. */
  policyRateDeferred: number;
  /**
   * Of the policy-bounced messages, those whose reply already names another cause: an authentication or
   * blocklist category (ATTRIBUTED_CATEGORIES), or a rate-limit deferral before the bounce.
   */
  policyAttributed?: number;
  /** Of `sent`, messages to new addresses: recipients first mailed or seen that day (measure `new_address`). */
  newAddresses?: number;
  /** Of those messages, hard-bounced: the address does not exist (measure `hard_bounced_message`). */
  hardBounced?: number;
}

/**
 * Classifier categories whose reply text names its own cause (a failed SPF/DKIM/DMARC check, a blocklist
 * listing): those bounces are evidence for authentication or blocklist, never for a reputation decline.
 */
export const ATTRIBUTED_CATEGORIES = ["authentication", "blocklist"] as const;

/**
 * The cells with `policy` cut to the bounces no reply attributes to another cause (`policyAttributed` left
 * out): what a reputation decline, which the receiver does not name beyond "policy" or "reputation", can
 * explain.
 */
export function unattributedCells(cells: readonly SendCell[]): SendCell[] {
  return cells.map((cell) =>
    cell.policyAttributed ? { ...cell, policy: cell.policy - cell.policyAttributed } : cell,
  );
}

/** One distinct bounce/deferral reply (recipient addresses replaced) with its counts. */
export interface ReplyGroup {
  type: "bounced" | "deferred";
  category: string;
  providerCode: string | null;
  status: string | null;
  replyCode: number | null;
  reply: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  ips: string[];
}

/** Recipients of the provider per engagement tier, as of the latest event. */
export interface TierCount {
  tier: string;
  recipients: number;
}

/** One week's delivered messages and human engagement events (clicks + non-machine opens). */
export interface WeekEngagement {
  /** Monday of the week, YYYY-MM-DD. */
  week: string;
  delivered: number;
  engaged: number;
}

/** One signup cohort (recipients first seen in the same month): its size, messages delivered and human engagements. */
export interface CohortEngagement {
  /** YYYY-MM of the recipients' first event (first mailed or seen). */
  cohort: string;
  recipients: number;
  delivered: number;
  engaged: number;
}

export interface Facts {
  provider: string;
  /** Latest event time in the store (recency is measured from here, never the wall clock). */
  asOf: string | null;
  cells: SendCell[];
  replies: ReplyGroup[];
  tiers: TierCount[];
  /** Engagement per week (absent when the caller did not load it: no trend is read then). */
  weeks?: WeekEngagement[];
  /** Engagement per signup cohort, oldest first (absent when not loaded). */
  cohorts?: CohortEngagement[];
  sendingDomains: string[];
  /** Measure `policy_bounce` per day (on the bounce's day, as `stats` counts it); days without any left out. */
  policyByDay?: DailyMeasure[];
  /** Measure `policy_bounce` per sending IP and bounce category (absent when not loaded). */
  policyByIp?: IpCategoryCount[];
  /** The provider's first and last day with any event (opens included): the days `stats` covers. */
  window?: { from: string; to: string };
}

/** Policy bounces from one sending IP in one classifier category. */
export interface IpCategoryCount {
  ip: string;
  category: string;
  count: number;
}

/** A per-day count of the provider's events. */
export interface DailyMeasure {
  day: string;
  policyBounces: number;
}

/** Per-day totals derived from the cells (and the per-day policy bounces). */
export interface DayTotal {
  day: string;
  /** Measure `sent` (= `stats` daily sent). */
  sent: number;
  /** Measure `policy_bounced_message`: that day's messages that were policy-bounced (send-day cohort). */
  policy: number;
  /** Measure `policy_bounce`: policy-bounce events that day (= `stats` daily policyBounces). */
  policyBounces: number;
  /** Messages to recipients not engaged in the 90 days before: `dormant` + `unknown_history`. */
  dormant: number;
  /** Of those, to recipients of `unknown_history` (known for less than 90 days). */
  unknown: number;
  deferred: number;
  /** Messages to new addresses (measure `new_address`). */
  newAddresses: number;
  /** Messages that hard-bounced (measure `hard_bounced_message`). */
  hardBounced: number;
}

const emptyDay = (day: string): DayTotal => ({
  day,
  sent: 0,
  policy: 0,
  policyBounces: 0,
  dormant: 0,
  unknown: 0,
  deferred: 0,
  newAddresses: 0,
  hardBounced: 0,
});

/**
 * Day totals of the cells; `policyBounces` from `policyByDay` (facts loaded from a store), or — for facts
 * built without it — the cells' policy-bounced messages.
 */
export function dayTotals(
  cells: readonly SendCell[],
  policyByDay?: readonly DailyMeasure[],
  window?: { from: string; to: string },
): DayTotal[] {
  const byDay = new Map<string, DayTotal>();
  const dayOf = (day: string) => {
    let total = byDay.get(day);
    if (!total) {
      total = emptyDay(day);
      byDay.set(day, total);
    }
    return total;
  };
  for (const cell of cells) {
    const total = dayOf(cell.day);
    total.sent += cell.sent;
    total.policy += cell.policy;
    total.deferred += cell.deferred;
    total.newAddresses += cell.newAddresses ?? 0;
    total.hardBounced += cell.hardBounced ?? 0;
    if (cell.dormant) total.dormant += cell.sent;
    if (cell.dormant && cell.known === false) total.unknown += cell.sent;
    if (!policyByDay) total.policyBounces += cell.policy;
  }
  for (const { day, policyBounces } of policyByDay ?? []) dayOf(day).policyBounces += policyBounces;
  if (window) for (const day of [window.from, window.to]) dayOf(day);
  return fillDays([...byDay.values()].sort((x, y) => (x.day < y.day ? -1 : 1)));
}

/** Days without sends still count as days (zero volume), so baselines see the real calendar. */
function fillDays(days: DayTotal[]): DayTotal[] {
  if (days.length < 2) return days;
  const out: DayTotal[] = [];
  const end = Date.parse(`${days[days.length - 1].day}T00:00:00Z`);
  const known = new Map(days.map((d) => [d.day, d]));
  for (let t = Date.parse(`${days[0].day}T00:00:00Z`); t <= end; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(known.get(day) ?? emptyDay(day));
  }
  return out;
}

/** Sum the sends and policy bounces of the cells matching `inSegment`, and of the rest. */
export function splitCells(
  cells: readonly SendCell[],
  inSegment: (cell: SendCell) => boolean,
): { a: number; n1: number; b: number; n2: number } {
  const out = { a: 0, n1: 0, b: 0, n2: 0 };
  for (const cell of cells) {
    if (inSegment(cell)) {
      out.a += cell.policy;
      out.n1 += cell.sent;
    } else {
      out.b += cell.policy;
      out.n2 += cell.sent;
    }
  }
  return out;
}

/** The given days and the `after` calendar days following each. */
export function withDaysAfter(days: Iterable<string>, after: number): Set<string> {
  const out = new Set<string>();
  for (const day of days) {
    const t = Date.parse(`${day}T00:00:00Z`);
    for (let k = 0; k <= after; k++) out.add(new Date(t + k * DAY_MS).toISOString().slice(0, 10));
  }
  return out;
}
