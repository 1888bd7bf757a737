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

/** A mail date as ISO 8601 UTC (`Date.prototype.toISOString`), or null when there is none or it cannot be read. */
export function mailDateIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = mailDateMs(value);
  return Number.isNaN(ms) ? null : isoFromMs(ms);
}

/** 10000-01-01T00:00:00Z: from there on toISOString writes a six-digit signed year. */
const YEAR_10000_MS = 253_402_300_800_000;

/**
 * What `new Date(ms).toISOString()` gives, computed from the number for 1970–9999 (the builtin costs a
 * Date object and a call into the runtime, ~2.5 µs: as much as a record's other fields); the days to a
 * civil date as in http://howardhinnant.github.io/date_algorithms.html#civil_from_days. Other values:
 * the builtin (it throws on NaN, as it does).
 */
export function isoFromMs(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const shifted = days + 719_468; // days since 0000-03-01
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / HOUR_MS);
  rest -= hour * HOUR_MS;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

function two(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
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
  // Every run of `ingest` asks this of its default: the answer without Intl, whose first use loads ICU's
  // time zone data (12–23 ms of CPU at start-up).
  if (zone === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
