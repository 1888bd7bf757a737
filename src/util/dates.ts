/**
 * A calendar day written YYYY-MM-DD that exists (2026-02-28 yes, 2026-02-30 no: Date.parse would roll it
 * over into March, DuckDB refuses it with a "Conversion Error"). Years 0001–9999.
 */
export function isCalendarDay(value: string): boolean {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** RFC 5322 §3.3 date-time as MTAs write it: "Thu, 29 Apr 2010 23:34:45 +0900", seconds optional. */
const RFC5322_DATE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ?)?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d)(?::(\d\d))? ([+-])(\d\d)(\d\d)$/;

/**
 * Epoch milliseconds of a date a message or report carries, as `Date.parse` reads it (NaN when it does not),
 * after dropping a trailing comment ("… +0900 (JST)", which Date.parse refuses). The common RFC 5322
 * form is computed directly (Date.parse's legacy-format parser costs more than the rest of a bounce's
 * fields); anything else, and any value out of the plain ranges, is left to Date.parse.
 */
export function mailDateMs(value: string): number {
  const text = value.endsWith(")") ? value.replace(/\s*\([^)]*\)\s*$/, "") : value;
  const match = RFC5322_DATE.exec(text);
  if (match) {
    const day = Number(match[1]);
    const year = Number(match[3]);
    const hour = Number(match[4]);
    const minute = Number(match[5]);
    const second = match[6] === undefined ? 0 : Number(match[6]);
    const zoneHours = Number(match[8]);
    const zoneMinutes = Number(match[9]);
    if (
      day >= 1 &&
      day <= 28 &&
      year >= 1970 &&
      year <= 9999 &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59 &&
      zoneHours <= 23 &&
      zoneMinutes <= 59
    ) {
      const offset = (zoneHours * 60 + zoneMinutes) * 60_000;
      const utc = Date.UTC(year, MONTHS[match[2]], day, hour, minute, second);
      return match[7] === "+" ? utc - offset : utc + offset;
    }
  }
  return Date.parse(text);
}

/** One day in milliseconds (UTC days: no leap seconds, no DST). */
export const DAY_MS = 86_400_000;
/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;

/** The calendar day (YYYY-MM-DD, UTC) `days` after `day` (negative: before). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** True when `zone` is a time zone this runtime knows (an IANA name such as Europe/Paris, or UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
