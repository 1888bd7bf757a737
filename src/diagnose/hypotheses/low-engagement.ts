import { ENGAGEMENT_WINDOW_DAYS, type MeasureId } from "../../measures/index.ts";
import { addDays } from "../../util/dates.ts";
import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, fmtP, groupBy, MEASURE, notApplicable, pct, ratesText } from "../evidence.ts";
import { type SendCell, splitCells, unattributedCells, withDaysAfter } from "../facts.ts";
import {
  fisherCombined,
  mantelHaenszel,
  median,
  type RateRatio,
  rateRatio,
  ratioGreaterP,
  type StratifiedRatio,
} from "../stats.ts";
import type { Cause, DiagnoseContext, Evidence } from "../types.ts";

const TITLE = "Sustained low engagement / list-quality decline";

/**
 * Dormant recipients (no click or human open in 90 days) bounce more than engaged ones on ordinary days,
 * or (see declineContrast) the whole list bounces more as its dormant share grows.
 * Spike days are left out (they belong to volume-spike) and the ratio is stratified by day, so a bad day
 * or a bad campaign does not pass for an engagement effect. Every contrast counts only the policy bounces
 * no reply attributes to another cause (`unattributedCells`): a late rise of DMARC or blocklist rejections
 * is that cause's, not a decline as well.
 */
export function lowEngagement(context: DiagnoseContext): Cause {
  const { facts, spikeDays, totalPolicy } = context;
  const ordinary = unattributedCells(facts.cells.filter((cell) => !spikeDays.has(cell.day)));
  const dormantSent = ordinary.reduce((sum, c) => sum + (c.dormant ? c.sent : 0), 0);
  if (dormantSent === 0) {
    return notApplicable("low-engagement", TITLE, "No mail went to dormant recipients outside spike days");
  }
  const strata = [...groupBy(ordinary, (c) => c.day).values()].map((cells) =>
    splitCells(cells, (c) => c.dormant),
  );
  const ratio = mantelHaenszel(strata);
  const trend = dormantTrend(context);
  const engagement = engagementTrend(context);
  const cohorts = cohortTrend(context);
  const decline = declineContrast(context, ordinary);
  const rise = gradualRise(context, ordinary, ratio);
  const declining =
    (trend.judged && trend.last >= DORMANT_RISE * trend.first && trend.last > 0) ||
    engagement?.declined === true ||
    rise.gradual;
  const unengaged = unengagedSends(context, ordinary);
  const agreeing = agreement(ratio, decline, trend, engagement, cohorts, totalPolicy);
  const confidence = Math.max(
    agreeing?.confidence ?? 0,
    contrastConfidence({ ratio, excess: excessOf(ratio), totalPolicy }),
    unengaged
      ? Math.round(
          contrastConfidence({ ratio: unengaged.ratio, excess: excessOf(unengaged.ratio), totalPolicy }) *
            UNENGAGED_SEND_WEIGHT *
            100,
        ) / 100
      : 0,
    declining
      ? Math.round(
          contrastConfidence({ ratio: decline, excess: excessOf(decline), totalPolicy }) *
            (rise.gradual ? 1 : TREND_WEIGHT) *
            100,
        ) / 100
      : 0,
  );
  const passed = confidence >= PASS_THRESHOLD;
  return {
    id: "low-engagement",
    title: TITLE,
    confidence,
    passed,
    evidence: [
      contrastEvidence(
        "policy_bounce_rate_dormant",
        "to recipients with no click or human open in 90 days",
        "to engaged recipients",
        ratio,
        "day (spike days excluded)",
        [MEASURE.dormant],
      ),
      contrastEvidence(
        "policy_bounce_rate_last_third",
        "in the last third of the period",
        "in the first third",
        decline,
        "engagement (spike days and campaigns explained by content excluded)",
        [MEASURE.dormant],
      ),
      trend.judged
        ? {
            text: `Dormant share of recipients known for ${ENGAGEMENT_WINDOW_DAYS}+ days (recipients too new to judge left out): ${pct(trend.first)} in the first third of the days from ${trend.from}, ${pct(trend.last)} in the last third`,
            metric: "dormant_share_trend",
            value: Math.round(trend.last * 10_000) / 10_000,
            baseline: Math.round(trend.first * 10_000) / 10_000,
            measures: [MEASURE.dormant, MEASURE.unknownHistory, MEASURE.sent],
          }
        : {
            text: `Dormant share trend not judged: a recipient is dormant only once known for ${ENGAGEMENT_WINDOW_DAYS} days, and the data has fewer than ${MIN_TREND_DAYS} sending days from ${trend.from ?? "its start"} on (the engagement-rate trend is used instead)`,
            metric: "dormant_share_trend",
            measures: [MEASURE.dormant, MEASURE.unknownHistory],
          },
      ...(engagement ? [engagementEvidence(engagement)] : []),
      riseEvidence(rise),
      ...(agreeing ? [agreeing.evidence] : []),
      ...(cohorts ? [cohortEvidence(cohorts)] : []),
      ...(unengaged
        ? [
            contrastEvidence(
              "policy_bounce_rate_after_unengaged_sends",
              `on the ${unengaged.days.length} days of sends to an unusually unengaged audience (${unengaged.days
                .slice(0, 3)
                .map((d) => `${d.day}: ${pct(d.share)} dormant vs ${pct(d.usual)} usually`)
                .join("; ")}) and the ${UNENGAGED_AFTER_DAYS} days after`,
              "on other days",
              unengaged.ratio,
              "engagement",
              [MEASURE.dormant],
            ),
          ]
        : []),
    ],
    actions: [
      "Apply a sunset policy: stop marketing mail to recipients with no click or human open in 180 days (opens at Apple are unreliable: Mail Privacy Protection)",
      "Run the re-engagement plan for the 91–180-day tier before sunsetting it",
      "Suppress the segment exported with `deliverlens hygiene --export`; never reactivate suppressed addresses (Apple postmaster page)",
    ],
    rulesOut: [],
    against: passed
      ? undefined
      : `Dormant recipients bounce about as often as engaged ones (${ratesText(ratio)})`,
  };
}

/**
 * The second reading of a list-quality decline: the whole list bouncing more as it goes dormant (domain
 * reputation), not only the dormant recipients. It counts when the dormant share rose by DORMANT_RISE or
 * more or the engagement rate fell, at TREND_WEIGHT, since other causes that start mid-period also raise
 * the late rate; a gradual climb (gradualRise: no step, steady volume, falling on unengaged recipients)
 * excludes those, and counts in full.
 */
const DORMANT_RISE = 1.25;
const TREND_WEIGHT = 0.8;

/** The sending days of the cells in three equal runs: first, middle and last third. */
function thirdsOf(cells: readonly SendCell[]): {
  first: Set<string>;
  middle: Set<string>;
  last: Set<string>;
} {
  const days = [...new Set(cells.map((c) => c.day))].sort();
  const third = Math.max(1, Math.floor(days.length / 3));
  return {
    first: new Set(days.slice(0, third)),
    middle: new Set(days.slice(third, days.length - third)),
    last: new Set(days.slice(-third)),
  };
}

function declineContrast(context: DiagnoseContext, ordinary: readonly SendCell[]): StratifiedRatio {
  const { first, last } = thirdsOf(ordinary);
  const explained = context.explainedCampaigns ?? new Set<string>();
  const windows = ordinary.filter((c) => (first.has(c.day) || last.has(c.day)) && !explained.has(c.campaign));
  return mantelHaenszel(
    [true, false].map((dormant) =>
      splitCells(
        windows.filter((c) => c.dormant === dormant),
        (c) => last.has(c.day),
      ),
    ),
  );
}

/**
 * A decline the list-side measures cannot see (at Apple, Mail Privacy Protection hides human opens, and
 * within 90 days of data nobody can be called dormant): the policy rate climbs through the period —
 * first third < middle third < last third — at a steady volume (the last third's messages per sending day
 * within STEADY_VOLUME× the first's), and the bounces fall more on recipients without a recent click or
 * human open (the dormant contrast's ratio above 1 at LINK_P). A gradual climb is a reputation that erodes,
 * not a step (a DMARC change, a listing, a new IP start on a date and stay flat); volume that holds rules out
 * a burst; the engagement link says whose mail the provider turns away. Bounces another cause explains —
 * replies naming authentication or a blocklist, campaigns content explains, spike days — are left out.
 */
const STEADY_VOLUME = 1.5;
const LINK_P = 0.05;

export interface GradualRise {
  /** Policy-bounce rate in the first, middle and last third of the sending days. */
  rates: [number, number, number];
  /** Messages per sending day, last third / first third. */
  volume: number;
  gradual: boolean;
}

export function gradualRise(
  context: DiagnoseContext,
  ordinary: readonly SendCell[],
  dormant: StratifiedRatio,
): GradualRise {
  const explained = context.explainedCampaigns ?? new Set<string>();
  const cells = ordinary.filter((c) => !explained.has(c.campaign));
  const thirds = thirdsOf(cells);
  const sums = [thirds.first, thirds.middle, thirds.last].map((days) => {
    const inThird = cells.filter((c) => days.has(c.day));
    const sent = inThird.reduce((n, c) => n + c.sent, 0);
    return { sent, policy: inThird.reduce((n, c) => n + c.policy, 0), perDay: sent / Math.max(1, days.size) };
  });
  const rates = sums.map((t) => (t.sent ? t.policy / t.sent : 0)) as [number, number, number];
  const volume = sums[2].perDay / Math.max(1, sums[0].perDay);
  const gradual =
    rates[0] < rates[1] &&
    rates[1] < rates[2] &&
    volume <= STEADY_VOLUME &&
    volume >= 1 / STEADY_VOLUME &&
    dormant.ratio > 1 &&
    dormant.p <= LINK_P;
  return { rates, volume, gradual };
}

/**
 * The fourth reading: weak signals that agree. With 20–40 policy bounces no single contrast clears the
 * gate (p ≤ 0.001 and a lower bound ≥ 1.5), yet a list-quality decline shows in independent places at
 * once: the bounces fall more on dormant recipients (within days) AND rise from the first to the last
 * third (within engagement groups), while the list's engagement declines (the engagement rate by week,
 * later signup cohorts, or the dormant share among known recipients). Fisher's method combines the
 * one-sided p-values of every judged test. The bounce side must stand on its own: both contrasts point the
 * same way and their combined p is ≤ AGREEMENT_BOUNCE_P (the list-side tests, often p < 1e-6 on thousands
 * of opens, say only that the list declined — never why the mail bounced), and at least one list-side
 * test shows a decline. Then the usual confidence with the combined p for its significance and the dormant
 * contrast's point ratio for its effect (the lower bound is, by construction, weak), at AGREEMENT_WEIGHT.
 */
const AGREEMENT_BOUNCE_P = 0.001;
const AGREEMENT_WEIGHT = 0.8;

function agreement(
  dormant: StratifiedRatio,
  decline: StratifiedRatio,
  trend: DormantTrend,
  engagement: EngagementTrend | null,
  cohorts: CohortTrend | null,
  totalPolicy: number,
): { confidence: number; evidence: Evidence } | null {
  if (!(dormant.ratio > 1 && decline.ratio > 1)) return null;
  const bounceP = fisherCombined([dormant.p, decline.p]);
  if (bounceP > AGREEMENT_BOUNCE_P) return null;
  const rose = trend.judged && trend.last >= DORMANT_RISE * trend.first && trend.last > 0;
  const list = [
    ...(engagement
      ? [
          {
            name: "the engagement rate by week",
            declined: engagement.declined,
            p: ratioGreaterP(engagement.ratio),
          },
        ]
      : []),
    ...(cohorts
      ? [
          {
            name: "the signup cohorts' engagement",
            declined: cohorts.declined,
            p: ratioGreaterP(cohorts.ratio),
          },
        ]
      : []),
    ...(rose ? [{ name: "the dormant share of known recipients", declined: true, p: 1 }] : []),
  ];
  const declined = list.filter((t) => t.declined);
  if (declined.length === 0) return null;
  const p = fisherCombined([dormant.p, decline.p, ...list.filter((t) => t.p < 1).map((t) => t.p)]);
  const coverage = Math.min(1, Math.max(excessOf(dormant), excessOf(decline)) / Math.max(1, totalPolicy));
  const effect = Math.min(1, Math.max(0, Math.log(dormant.ratio) / Math.log(10)));
  const significance = Math.min(1, Math.max(0, (-Math.log10(Math.max(p, 1e-300)) - 3) / 5));
  const confidence =
    Math.round(AGREEMENT_WEIGHT * (0.4 * coverage + 0.35 * effect + 0.25 * significance) * 100) / 100;
  return {
    confidence,
    evidence: {
      text: `Weak signals that agree: the policy bounces fall more on dormant recipients and rise over the period (together ${fmtP(bounceP)}), while ${declined.map((t) => t.name).join(" and ")} declined (all tests together, Fisher's method: ${fmtP(p)})`,
      metric: "low_engagement_agreement",
      test: "Fisher's method over the one-sided p-values of the dormant and trend contrasts and the engagement trends",
      p,
      measures: [MEASURE.dormant, MEASURE.policyBouncedMessage, MEASURE.engagementRate, MEASURE.signupCohort],
    },
  };
}

/**
 * The dormant share's trend among recipients whose history can be judged (measure `dormant` over `dormant` +
 * `engaged`: recipients of `unknown_history` are left out, so the start of the data, when nobody has been
 * known for the whole window yet, does not read as "everyone dormant"). Only days on which a recipient
 * first seen on the data's first day would be known count; with fewer than MIN_TREND_DAYS such sending days
 * there is no trend (`judged: false`), and the engagement-rate trend speaks alone.
 */
const MIN_TREND_DAYS = 21;

export interface DormantTrend {
  judged: boolean;
  first: number;
  last: number;
  /** First day on which any recipient can have been known for the whole engagement window. */
  from: string | null;
}

export function dormantTrend(context: DiagnoseContext): DormantTrend {
  const start = context.days[0]?.day;
  if (!start) return { judged: false, first: 0, last: 0, from: null };
  const from = addDays(start, ENGAGEMENT_WINDOW_DAYS);
  const days = context.days.filter((d) => d.day >= from && d.sent - d.unknown > 0);
  if (days.length < MIN_TREND_DAYS) return { judged: false, first: 0, last: 0, from };
  const third = Math.max(1, Math.floor(days.length / 3));
  const share = (slice: typeof days) => {
    const known = slice.reduce((s, d) => s + d.sent - d.unknown, 0);
    return known ? slice.reduce((s, d) => s + d.dormant - d.unknown, 0) / known : 0;
  };
  return { judged: true, first: share(days.slice(0, third)), last: share(days.slice(-third)), from };
}

/**
 * The engagement rate's trend: human opens + clicks per delivered message, in the first vs the last third of
 * the weeks with deliveries. A decline (the first third's rate at least ENGAGEMENT_DROP × the last third's,
 * at the lower 95 % bound) is the list-quality decline that drives domain reputation down; unlike the
 * dormant share it does not depend on how long each recipient has been known.
 */
const ENGAGEMENT_DROP = 1.25;
const MIN_TREND_ENGAGEMENTS = 20;

interface EngagementTrend {
  first: number;
  last: number;
  ratio: RateRatio;
  declined: boolean;
}

function engagementTrend(context: DiagnoseContext): EngagementTrend | null {
  const weeks = (context.facts.weeks ?? []).filter((w) => w.delivered > 0);
  if (weeks.length < 3) return null;
  const third = Math.floor(weeks.length / 3);
  const total = (slice: typeof weeks) => ({
    engaged: slice.reduce((s, w) => s + w.engaged, 0),
    delivered: slice.reduce((s, w) => s + w.delivered, 0),
  });
  const first = total(weeks.slice(0, third));
  const last = total(weeks.slice(-third));
  if (first.engaged + last.engaged < MIN_TREND_ENGAGEMENTS) return null;
  const ratio = rateRatio({ a: first.engaged, n1: first.delivered, b: last.engaged, n2: last.delivered });
  return {
    first: first.engaged / first.delivered,
    last: last.engaged / last.delivered,
    ratio,
    declined: ratio.low >= ENGAGEMENT_DROP,
  };
}

/**
 * The engagement rate by signup cohort (measure `signup_cohort`: recipients by the month they were first
 * mailed or seen): the list at the start of the data against the recipients who joined later. Later
 * cohorts engaging less (the first cohort's rate ≥ ENGAGEMENT_DROP × theirs at the lower 95 % bound) is
 * a list taking in poorer signups — the list-quality side of a decline, seen even while the old list's
 * own engagement holds.
 */
interface CohortTrend {
  cohorts: { cohort: string; recipients: number; rate: number }[];
  first: number;
  later: number;
  ratio: RateRatio;
  declined: boolean;
}

export function cohortTrend(context: DiagnoseContext): CohortTrend | null {
  const cohorts = (context.facts.cohorts ?? []).filter((c) => c.delivered > 0);
  if (cohorts.length < 2) return null;
  const [head, ...rest] = cohorts;
  const later = {
    engaged: rest.reduce((s, c) => s + c.engaged, 0),
    delivered: rest.reduce((s, c) => s + c.delivered, 0),
  };
  if (head.engaged + later.engaged < MIN_TREND_ENGAGEMENTS) return null;
  const ratio = rateRatio({ a: head.engaged, n1: head.delivered, b: later.engaged, n2: later.delivered });
  return {
    cohorts: cohorts.map((c) => ({
      cohort: c.cohort,
      recipients: c.recipients,
      rate: c.engaged / c.delivered,
    })),
    first: head.engaged / head.delivered,
    later: later.engaged / later.delivered,
    ratio,
    declined: ratio.low >= ENGAGEMENT_DROP,
  };
}

function cohortEvidence(trend: CohortTrend): Evidence {
  const list = trend.cohorts
    .slice(0, 8)
    .map((c) => `${c.cohort} ${pct(c.rate)} (${c.recipients.toLocaleString("en-US")} recipients)`)
    .join(", ");
  return rateEvidence(
    `Engagement rate by signup cohort (month first mailed or seen): ${list}; later cohorts ${pct(trend.later)} vs ${pct(trend.first)} for the first` +
      (trend.declined ? " — newer signups engage less" : ""),
    "engagement_rate_by_cohort",
    { before: trend.first, after: trend.later, ratio: trend.ratio },
    [MEASURE.signupCohort],
  );
}

function riseEvidence(rise: GradualRise): Evidence {
  const [first, middle, last] = rise.rates;
  return {
    text:
      `Policy-bounce rate by third of the sending days (bounces another cause explains left out): ${pct(first)}, ${pct(middle)}, ${pct(last)}; ` +
      `messages per sending day ×${rise.volume.toFixed(2)} from the first third to the last` +
      (rise.gradual
        ? " — a gradual climb at steady volume, falling more on recipients without recent engagement"
        : ""),
    metric: "policy_bounce_rate_by_third",
    value: Math.round(last * 1e6) / 1e6,
    baseline: Math.round(first * 1e6) / 1e6,
    measures: [MEASURE.policyBouncedMessage, MEASURE.sent, MEASURE.dormant],
  };
}

function engagementEvidence(trend: EngagementTrend): Evidence {
  return rateEvidence(
    `Engagement rate (human opens + clicks per delivered message): ${pct(trend.first)} in the first third of the weeks, ` +
      `${pct(trend.last)} in the last third` +
      (trend.declined ? " — a decline" : ""),
    "engagement_rate_trend",
    { before: trend.first, after: trend.last, ratio: trend.ratio },
    [],
  );
}

/** An engagement-rate comparison as evidence: value = the later rate, baseline = the earlier one. */
function rateEvidence(
  text: string,
  metric: string,
  rates: { before: number; after: number; ratio: RateRatio },
  measures: MeasureId[],
): Evidence {
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    text,
    metric,
    value: Math.round(rates.after * 10_000) / 10_000,
    baseline: Math.round(rates.before * 10_000) / 10_000,
    ratio: r2(rates.ratio.ratio),
    ciLow: r2(rates.ratio.low),
    ciHigh: r2(rates.ratio.high),
    measures: [...measures, MEASURE.engagementRate, MEASURE.humanEngagement, MEASURE.delivered],
  };
}

/**
 * The third reading: a send to a far less engaged audience than usual (not a volume spike: the program's
 * usual size or less, e.g. a win-back to old addresses) followed by policy bounces on that day and the
 * UNENGAGED_AFTER_DAYS after — the provider reacting to the sender, not to particular recipients, so the
 * contrast is days against days within engagement groups. A day counts when it carries at least
 * MIN_SEND_SHARE of the program's typical send size (median of the sending days of the trailing 28 days)
 * and its dormant share is ≥ UNENGAGED_FACTOR × and ≥ UNENGAGED_POINTS above that of the trailing 28
 * days' sending days, after MIN_HISTORY_DAYS of history. At UNENGAGED_SEND_WEIGHT.
 */
const UNENGAGED_FACTOR = 1.5;
const UNENGAGED_POINTS = 0.25;
const MIN_SEND_SHARE = 0.25;
const MIN_SEND = 100;
const MIN_HISTORY_DAYS = 14;
const UNENGAGED_AFTER_DAYS = 2;
const UNENGAGED_SEND_WEIGHT = 0.8;
const WINDOW_DAYS = 28;

export interface UnengagedDay {
  day: string;
  share: number;
  usual: number;
}

/** The days of sends to an unusually unengaged audience, and those days with the UNENGAGED_AFTER_DAYS after. */
export function unengagedWindow(
  context: DiagnoseContext,
): { days: UnengagedDay[]; affected: Set<string> } | null {
  const series = context.days;
  const flagged: UnengagedDay[] = [];
  for (let i = MIN_HISTORY_DAYS; i < series.length; i++) {
    const d = series[i];
    if (d.sent < MIN_SEND || context.spikeDays.has(d.day)) continue;
    const window = series.slice(Math.max(0, i - WINDOW_DAYS), i);
    const volumes = window.map((w) => w.sent);
    const base = median(volumes);
    const sending = window.filter((w) => w.sent > 0 && w.sent >= 1.5 * base);
    const size = sending.length ? median(sending.map((w) => w.sent)) : base;
    if (d.sent < MIN_SEND_SHARE * size) continue;
    const usualDays = sending.length ? sending : window;
    const sent = usualDays.reduce((s, w) => s + w.sent, 0);
    if (sent === 0) continue;
    const usual = usualDays.reduce((s, w) => s + w.dormant, 0) / sent;
    const share = d.dormant / d.sent;
    if (share >= UNENGAGED_FACTOR * usual && share >= usual + UNENGAGED_POINTS)
      flagged.push({ day: d.day, share, usual });
  }
  if (flagged.length === 0) return null;
  const affected = withDaysAfter(
    flagged.map((d) => d.day),
    UNENGAGED_AFTER_DAYS,
  );
  return { days: flagged, affected };
}

function unengagedSends(
  context: DiagnoseContext,
  ordinary: readonly SendCell[],
): { days: UnengagedDay[]; ratio: StratifiedRatio } | null {
  const window = unengagedWindow(context);
  if (!window) return null;
  const { days: flagged, affected } = window;
  const explained = context.explainedCampaigns ?? new Set<string>();
  const cells = ordinary.filter((c) => !explained.has(c.campaign));
  const ratio = mantelHaenszel(
    [true, false].map((dormant) =>
      splitCells(
        cells.filter((c) => c.dormant === dormant),
        (c) => affected.has(c.day),
      ),
    ),
  );
  return { days: flagged, ratio };
}
