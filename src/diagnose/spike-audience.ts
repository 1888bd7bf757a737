import { addDays, DAY_MS } from "../util/dates.ts";
import { MAX_P, MIN_EVENTS, MIN_RATIO_LOW } from "./confidence.ts";
import type { DayTotal } from "./facts.ts";
import { crudeRatio, type RateRatio, rateRatio, type StratifiedRatio } from "./stats.ts";

/**
 * Was a spike's audience worse than the program's usual one? The claim `volume-spike` rests on
 * (providers react to a burst of mail to recipients who do not engage, not to volume as such). Each spike
 * day's audience is compared with the non-spike sending days of its trailing BASELINE_DAYS (the baseline
 * `stats` reports beside each spike), so the early days of the data do not set the comparison. Two
 * readings, either enough:
 *
 * - less engaged: the share of recipients with no click or human open in the previous 90 days (measures
 *   `dormant` + `unknown_history`) higher by at least MIN_SHARE_RATIO at the lower 95 % bound of the ratio
 *   of shares and by at least MIN_SHARE_POINTS in absolute terms (`lessEngagedDays`);
 * - a list never mailed before: the share of new addresses (measure `new_address`) higher by the same
 *   margins AND a hard-bounce burst (measure `hard_bounced_message`: the spike's messages hard-bounce at
 *   ≥ MIN_RATIO_LOW × the baseline's rate at the lower 95 % bound, p ≤ MAX_P, ≥ MIN_EVENTS of them) —
 *   an import or an old list, whose dead addresses bounce as unknown users (`newListDays`). This reading
 *   survives where the first cannot be shown: at Apple, Mail Privacy Protection hides human opens, and in
 *   the first 90 days of data nobody has a history long enough to be called dormant.
 *
 * Each spike is judged on its own: a program that sometimes adds a third send to its engaged segment has
 * spikes to an audience as usual, and pooling them with a send to an imported list would hide the one
 * spike the hypothesis is about. A big send is often spread over more than one day (an ESP's throttling,
 * a send split in batches): the CONTINUATION_DAYS after a supported spike day count with it while each
 * reaches the same kind of audience by the same test, even when their own volume is not a spike. The
 * shares reported are those of the supported days (every spike's when none was).
 *
 * In the first COLD_START_DAYS of the data every recipient on the list is first seen (mailed for the first
 * time in the data, not for the first time ever), so those days carry no new-address baseline.
 */
export const BASELINE_DAYS = 28;
export const CONTINUATION_DAYS = 2;
export const COLD_START_DAYS = 7;
export const MIN_SHARE_RATIO = 1.1;
export const MIN_SHARE_POINTS = 0.05;

export interface SpikeAudience {
  /** Dormant share on the spike days (the less-engaged ones when any). */
  spike: number;
  /** Dormant share on the non-spike days of those spikes' trailing windows. */
  baseline: number;
  ratio: RateRatio;
  lessEngaged: boolean;
  /** The spike days whose own audience was less engaged than the days before them. */
  lessEngagedDays: Set<string>;
  /** New-address share and hard-bounce rate of the spikes mailed to a new list (every spike's when none was). */
  newList: NewList;
  /** The spike days mailed largely to new addresses, with a hard-bounce burst. */
  newListDays: Set<string>;
  /** Whether any spike's audience was worse than usual, by either reading. */
  supported: boolean;
  /** lessEngagedDays ∪ newListDays. */
  supportedDays: Set<string>;
}

export interface NewList {
  /** Share of the spike days' messages to new addresses, and the same share on the baseline days. */
  share: number;
  baseline: number;
  ratio: RateRatio;
  /** Hard-bounced messages per message on the spike days vs the baseline days. */
  hard: StratifiedRatio;
}

interface Shares {
  a: number;
  n1: number;
  b: number;
  n2: number;
}

type Count = (day: DayTotal) => number;
const dormantOf: Count = (d) => d.dormant;
const newOf: Count = (d) => d.newAddresses;
const hardOf: Count = (d) => d.hardBounced;

function trailing(day: string): Set<string> {
  const end = Date.parse(`${day}T00:00:00Z`);
  const window = new Set<string>();
  for (let k = 1; k <= BASELINE_DAYS; k++) window.add(new Date(end - k * DAY_MS).toISOString().slice(0, 10));
  return window;
}

/** `count` over `sent` on the chosen spike days (a, n1) and on the non-spike days of their trailing windows (b, n2). */
function sharesOf(
  days: readonly DayTotal[],
  spikes: Iterable<string>,
  spikeDays: ReadonlySet<string>,
  count: Count,
): Shares {
  const sums = { a: 0, n1: 0, b: 0, n2: 0 };
  const chosen = new Set(spikes);
  const window = new Set<string>();
  for (const day of chosen) for (const d of trailing(day)) window.add(d);
  for (const d of days) {
    if (chosen.has(d.day)) {
      sums.a += count(d);
      sums.n1 += d.sent;
    } else if (window.has(d.day) && !spikeDays.has(d.day)) {
      sums.b += count(d);
      sums.n2 += d.sent;
    }
  }
  return sums;
}

const higherShare = (sums: Shares): boolean =>
  sums.n1 > 0 &&
  sums.n2 > 0 &&
  rateRatio(sums).low >= MIN_SHARE_RATIO &&
  sums.a / sums.n1 - sums.b / sums.n2 >= MIN_SHARE_POINTS;

const burst = (hard: StratifiedRatio): boolean =>
  hard.crude.a >= MIN_EVENTS && hard.p <= MAX_P && hard.low >= MIN_RATIO_LOW;

/** The spike days that pass `test`, each with the run of following days (up to CONTINUATION_DAYS) that pass it too. */
function withContinuation(spikeDays: ReadonlySet<string>, test: (day: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const day of spikeDays) {
    if (!test(day)) continue;
    out.add(day);
    for (let k = 1; k <= CONTINUATION_DAYS; k++) {
      const next = addDays(day, k);
      if (spikeDays.has(next) || !test(next)) break;
      out.add(next);
    }
  }
  return out;
}

const share = (sums: Shares) => ({
  share: sums.n1 ? sums.a / sums.n1 : 0,
  baseline: sums.n2 ? sums.b / sums.n2 : 0,
  ratio: rateRatio(sums),
});

export function spikeAudience(days: readonly DayTotal[], spikeDays: ReadonlySet<string>): SpikeAudience {
  const coldEnd = days[0] ? addDays(days[0].day, COLD_START_DAYS) : "";
  const listDays = days.filter((d) => d.day >= coldEnd);
  const on =
    (count: Count, series: readonly DayTotal[] = days) =>
    (chosen: Iterable<string>) =>
      sharesOf(series, chosen, spikeDays, count);
  const dormant = on(dormantOf);
  const fresh = on(newOf, listDays);
  const hard = on(hardOf, listDays);
  const lessEngagedDays = withContinuation(spikeDays, (day) => higherShare(dormant([day])));
  const newListDays = withContinuation(
    spikeDays,
    (day) => higherShare(fresh([day])) && burst(crudeRatio(hard([day]))),
  );
  const engagement = share(dormant(lessEngagedDays.size ? lessEngagedDays : spikeDays));
  const newList = newListDays.size ? newListDays : spikeDays;
  return {
    spike: engagement.share,
    baseline: engagement.baseline,
    ratio: engagement.ratio,
    lessEngaged: lessEngagedDays.size > 0,
    lessEngagedDays,
    newList: { ...share(fresh(newList)), hard: crudeRatio(hard(newList)) },
    newListDays,
    supported: lessEngagedDays.size + newListDays.size > 0,
    supportedDays: new Set([...lessEngagedDays, ...newListDays]),
  };
}
