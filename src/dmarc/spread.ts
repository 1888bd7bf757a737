/**
 * Spreading a report's counts over the UTC days its date range covers. RFC 9990 §2.1 expects one report
 * per day, but some reporters cover several days (parsedmarc issue 282:
 * https://github.com/domainaware/parsedmarc/issues/282). A range of at most 24 hours is dated to the UTC
 * day holding most of it; a longer one is spread over its days in proportion to the seconds of each, as
 * whole numbers that add up to the original (largest remainder; ties go to the earlier day).
 */

const DAY = 86_400;

export interface DayShare {
  /** Days since 1970-01-01 (UTC). */
  day: number;
  /** Seconds of the range that fall on this day. */
  seconds: number;
}

/** The days a range covers with their weights; one entry when the range is a day or less. */
export function daysOf(begin: number, end: number): DayShare[] {
  if (end - begin <= DAY) {
    const middle = begin + Math.floor((end - begin) / 2);
    return [{ day: Math.floor(middle / DAY), seconds: Math.max(1, end - begin) }];
  }
  const shares: DayShare[] = [];
  for (let day = Math.floor(begin / DAY); day * DAY < end; day++) {
    const from = Math.max(begin, day * DAY);
    const to = Math.min(end, (day + 1) * DAY);
    if (to > from) shares.push({ day, seconds: to - from });
  }
  return shares;
}

/** `count` split over `shares` as whole numbers whose sum is `count`. */
export function spreadCount(count: number, shares: readonly DayShare[]): number[] {
  if (shares.length === 1) return [count];
  const total = shares.reduce((sum, share) => sum + share.seconds, 0);
  const exact = shares.map((share) => (count * share.seconds) / total);
  const parts = exact.map(Math.floor);
  let left = count - parts.reduce((sum, part) => sum + part, 0);
  const order = exact
    .map((value, index) => ({ index, fraction: value - Math.floor(value) }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    parts[index]++;
    left--;
  }
  return parts;
}

/** "YYYY-MM-DD" of a day number. */
export function dayString(day: number): string {
  return new Date(day * DAY * 1000).toISOString().slice(0, 10);
}
