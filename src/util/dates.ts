/**
 * A calendar day written YYYY-MM-DD that exists (2026-02-28 yes, 2026-02-30 no: Date.parse would roll it
 * over into March, DuckDB refuses it with a "Conversion Error"). Years 0001–9999.
 */
export function isCalendarDay(value: string): boolean {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1 && isDayOfMonth(year, month - 1, day);
}

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** A name's three ASCII letters as one number: the first one's code in bits 16–23, then the second's, the third's. */
const keyOf = (name: string): number =>
  (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2);
const MONTH_KEYS = MONTH_NAMES.map(keyOf);
const DAY_KEYS = DAY_NAMES.map(keyOf);

/**
 * Which of the names whose keys are `keys` (keyOf) is written at `at`, or -1: the three characters read once and
 * compared as one number (a startsWith per name was a call out of the compiled code each, up to 19 per date).
 * Past the end a character is NaN, 0 in the key, and no name's letter is 0; one beyond ASCII is no name's letter.
 */
function nameAt(keys: readonly number[], text: string, at: number): number {
  const first = text.charCodeAt(at);
  const second = text.charCodeAt(at + 1);
  const third = text.charCodeAt(at + 2);
  if ((first | second | third) > 127) return -1;
  const key = (first << 16) | (second << 8) | third;
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
  return -1;
}

/** The digit at `at` (0–9), or -1 (past the end too). */
function digitAt(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

/** The number the two digits at `at` write, or -1. */
function twoDigitsAt(text: string, at: number): number {
  const high = digitAt(text, at);
  const low = digitAt(text, at + 1);
  return high < 0 || low < 0 ? -1 : high * 10 + low;
}

/** Whether text[at…] is the rest of the text and "GMT", "UTC" or "UT" (RFC 5322 §4.3: +0000). */
function isUniversalTime(text: string, at: number): boolean {
  const rest = text.length - at;
  const first = text.charCodeAt(at);
  const second = text.charCodeAt(at + 1);
  const third = text.charCodeAt(at + 2);
  if (rest === 2) return first === 85 && second === 84;
  return (
    rest === 3 &&
    ((first === 71 && second === 77 && third === 84) || (first === 85 && second === 84 && third === 67))
  );
}

/**
 * Epoch milliseconds of an RFC 5322 §3.3 date-time as MTAs write it, "Thu, 29 Apr 2010 23:34:45 +0900"
 * (the day name and the seconds optional, single spaces but after the day name's comma, the zone a number or
 * GMT/UTC/UT), read character by character; NaN for any other
 * form and for values out of the plain ranges (a day of the month's, years 1970–9999), which Date.parse reads
 * instead.
 * (A regexp with nine groups and their numbers cost twice Date.parse itself.)
 */
function plainMailDateMs(text: string): number {
  let at = 0;
  if (text.charCodeAt(3) === 44 && nameAt(DAY_KEYS, text, 0) >= 0) {
    // "Thu,  9 Apr": MTAs pad a one-digit day with a space (RFC 5322 §3.3 FWS).
    at = 4;
    while (text.charCodeAt(at) === 32) at++;
  }
  let day = digitAt(text, at);
  if (day < 0) return Number.NaN;
  const second = digitAt(text, at + 1);
  if (second >= 0) {
    day = day * 10 + second;
    at++;
  }
  if (text.charCodeAt(at + 1) !== 32) return Number.NaN;
  const month = nameAt(MONTH_KEYS, text, at + 2);
  at += 5;
  if (month < 0 || text.charCodeAt(at) !== 32) return Number.NaN;
  const century = twoDigitsAt(text, at + 1);
  const yearInCentury = twoDigitsAt(text, at + 3);
  if (century < 0 || yearInCentury < 0 || text.charCodeAt(at + 5) !== 32) return Number.NaN;
  const hour = twoDigitsAt(text, at + 6);
  const minute = twoDigitsAt(text, at + 9);
  if (hour < 0 || text.charCodeAt(at + 8) !== 58 || minute < 0) return Number.NaN;
  at += 11;
  let seconds = 0;
  if (text.charCodeAt(at) === 58) {
    seconds = twoDigitsAt(text, at + 1);
    if (seconds < 0) return Number.NaN;
    at += 3;
  }
  if (text.charCodeAt(at) !== 32) return Number.NaN;
  const sign = text.charCodeAt(at + 1);
  let zoneHours = 0;
  let zoneMinutes = 0;
  if (sign === 43 || sign === 45) {
    zoneHours = twoDigitsAt(text, at + 2);
    zoneMinutes = twoDigitsAt(text, at + 4);
    if (zoneHours < 0 || zoneMinutes < 0 || text.length !== at + 6) return Number.NaN;
  } else if (!isUniversalTime(text, at + 1)) return Number.NaN;
  const year = century * 100 + yearInCentury;
  if (
    day < 1 ||
    (day > 28 && day > daysInMonth(year, month)) ||
    year < 1970 ||
    hour > 23 ||
    minute > 59 ||
    seconds > 59 ||
    zoneHours > 23 ||
    zoneMinutes > 59
  )
    return Number.NaN;
  const offset = (zoneHours * 60 + zoneMinutes) * 60_000;
  const utc = daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + seconds) * 1000;
  return sign === 43 ? utc - offset : utc + offset;
}

/** Days in `month` (0–11) of `year` (Gregorian: a leap year is divisible by 4, not by 100 unless by 400). */
export function daysInMonth(year: number, month: number): number {
  if (month !== 1) return MONTH_DAYS[month];
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (`month` 0–11), as Date.UTC counts them
 * (http://howardhinnant.github.io/date_algorithms.html#days_from_civil): Date.UTC is a call out of the
 * compiled code into the runtime, once per record of a bounce email.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const fromMarch = month < 2 ? year - 1 : year;
  const era = Math.floor(fromMarch / 400);
  const yearOfEra = fromMarch - era * 400;
  const dayOfYear = Math.floor((153 * (month < 2 ? month + 10 : month - 2) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Epoch milliseconds of a date a message or report carries, as `Date.parse` reads it (NaN when it does not),
 * after dropping a trailing comment ("… +0900 (JST)", which Date.parse refuses); a zone written as a word
 * Date.parse does not know ("… JST") is read as its offset (ZONE_WORDS). The common RFC 5322
 * form is computed directly; anything else, and any value out of the plain ranges, is left to Date.parse.
 */
export function mailDateMs(value: string): number {
  const text = value.endsWith(")") ? value.replace(/\s*\([^)]*\)\s*$/, "") : value;
  const ms = plainOrParsed(text);
  if (!Number.isNaN(ms)) return ms;
  const numeric = withNumericZone(text);
  return numeric === null ? ms : plainOrParsed(numeric);
}

function plainOrParsed(text: string): number {
  const ms = plainMailDateMs(text);
  return Number.isNaN(ms) ? checkedDateParse(text) : ms;
}

/**
 * Date.parse of a time written in a form this module does not read itself, NaN where the text names a time
 * that does not exist or lies outside 1970–9999: Date.parse rolls "31 Feb" into March, "24:00" into the next
 * day and reads "+2400" as a zone a day wide, so a wrong time would be stored without a word.
 */
function checkedDateParse(text: string): number {
  // An expanded year (`+010000-01-01`, `-000001-…`): no mail event's.
  const first = text.charCodeAt(0);
  if (first === 43 || first === HYPHEN) return Number.NaN;
  const ms = Date.parse(text);
  // A day's slack either side: 1 Jan 1970 in a zone east of UTC is still 1969 there.
  return ms >= -DAY_MS && ms < YEAR_10000_MS + DAY_MS && !namesNoSuchTime(text) ? ms : Number.NaN;
}

const MONTH_WORD = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\\.?";
/** A clock time, `7:05`, `23:59:58` (not the minutes and seconds of a longer one). */
const CLOCK_TIME = /(?<![\d:])(\d{1,2}):(\d\d)(?::(\d\d))?/;
/** A numeric zone after a clock time: `+0900`, `-03:00`, `GMT+0100`. */
const CLOCK_ZONE = /\d:\d\d(?::\d\d)?(?:[.,]\d+)?\s*(?:GMT|UTC|UT)?\s*[+-](\d\d):?(\d\d)(?!\d)/i;
const DAY_BEFORE_MONTH = new RegExp(`(?<!\\d)(\\d{1,2})(?:st|nd|rd|th)?[\\s,.-]+${MONTH_WORD}`, "i");
const MONTH_BEFORE_DAY = new RegExp(`${MONTH_WORD}[\\s,-]+(\\d{1,2})(?![\\d:])`, "i");
/** `12/31/2026`: month first, as Date.parse reads it. */
const SLASHED_DAY = /(?<!\d)(\d{1,2})\/(\d{1,2})\/(\d{4})(?!\d)/;
const ISO_DAY = /^\s*(\d{4})-(\d\d)-(\d\d)/;
const FOUR_DIGIT_YEAR = /(?<![\d:])(\d{4})(?![\d:])/;

/** Whether `text` names a clock time, a zone or a day of a month that does not exist (see checkedDateParse). */
function namesNoSuchTime(text: string): boolean {
  const clock = CLOCK_TIME.exec(text);
  if (clock && (Number(clock[1]) > 23 || Number(clock[2]) > 59 || Number(clock[3] ?? 0) > 59)) return true;
  const zone = CLOCK_ZONE.exec(text);
  if (zone && (Number(zone[1]) > 23 || Number(zone[2]) > 59)) return true;
  const iso = ISO_DAY.exec(text);
  if (iso) return !isCalendarDay(`${iso[1]}-${iso[2]}-${iso[3]}`);
  const slashed = SLASHED_DAY.exec(text);
  if (slashed) return !isDayOfMonth(Number(slashed[3]), Number(slashed[1]) - 1, Number(slashed[2]));
  const year = Number(FOUR_DIGIT_YEAR.exec(text)?.[1] ?? 2000);
  const dayFirst = DAY_BEFORE_MONTH.exec(text);
  if (dayFirst) return !isDayOfMonth(year, monthOfWord(dayFirst[2]), Number(dayFirst[1]));
  const monthFirst = MONTH_BEFORE_DAY.exec(text);
  return monthFirst !== null && !isDayOfMonth(year, monthOfWord(monthFirst[1]), Number(monthFirst[2]));
}

function monthOfWord(word: string): number {
  return MONTH_NAMES.indexOf(`${word[0].toUpperCase()}${word.slice(1, 3).toLowerCase()}`);
}

/** Whether `day` is a day of `month` (0–11) of `year`. */
function isDayOfMonth(year: number, month: number, day: number): boolean {
  return month >= 0 && month <= 11 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * Epoch milliseconds of an ISO 8601 / RFC 3339 time as exports write it, `YYYY-MM-DD`, then optionally `T`
 * or a space and `HH:MM`, `:SS` and a fraction (`.` or `,`), then optionally a space and a zone (`Z`, `UTC`,
 * `GMT`, `±HH`, `±HHMM`, `±HH:MM`; none is UTC). NaN when it names no such instant (a month's 31st that
 * it lacks, hour 24, a zone of 24 hours or more: RFC 3339 §5.6's ranges) or lies before 1970 (no mail event
 * does; an expanded year such as `-000001` is not of this form); null when the text is of another form.
 * Read character by character: a regular expression and its groups cost twice Date.parse.
 */
export function isoTextMs(text: string): number | null {
  const length = text.length;
  if (length < 10 || text.charCodeAt(4) !== HYPHEN || text.charCodeAt(7) !== HYPHEN) return null;
  const century = twoDigitsAt(text, 0);
  const yearInCentury = twoDigitsAt(text, 2);
  const month = twoDigitsAt(text, 5) - 1;
  const day = twoDigitsAt(text, 8);
  if (century < 0 || yearInCentury < 0 || month < -1 || day < 0) return null;
  let at = 10;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let fraction = 0;
  const separator = text.charCodeAt(at);
  if ((separator === 84 || separator === 116 || separator === 32) && digitAt(text, at + 1) >= 0) {
    hour = twoDigitsAt(text, at + 1);
    minute = twoDigitsAt(text, at + 4);
    if (hour < 0 || text.charCodeAt(at + 3) !== COLON || minute < 0) return null;
    at += 6;
    if (text.charCodeAt(at) === COLON) {
      second = twoDigitsAt(text, at + 1);
      if (second < 0) return null;
      at += 3;
      const mark = text.charCodeAt(at);
      if ((mark === 46 || mark === 44) && digitAt(text, at + 1) >= 0) {
        // Milliseconds: the first three digits, as Date.parse and DuckDB's epoch_ms keep them.
        for (let scale = 100, digit = digitAt(text, ++at); digit >= 0; digit = digitAt(text, ++at)) {
          fraction += digit * scale;
          scale /= 10;
        }
        fraction = Math.floor(fraction);
      }
    }
  }
  if (at < length && text.charCodeAt(at) === 32) at++;
  let offset = 0;
  let zoneHours = 0;
  let zoneMinutes = 0;
  if (at < length) {
    const sign = text.charCodeAt(at);
    if (sign === 43 || sign === 45) {
      zoneHours = twoDigitsAt(text, at + 1);
      if (zoneHours < 0) return null;
      at += 3;
      if (at < length) {
        if (text.charCodeAt(at) === COLON) at++;
        zoneMinutes = twoDigitsAt(text, at);
        if (zoneMinutes < 0) return null;
        at += 2;
      }
      offset = (sign === 43 ? 1 : -1) * (zoneHours * 60 + zoneMinutes) * 60_000;
    } else if (sign === 90 || sign === 122) at++;
    else if (text.startsWith("UTC", at) || text.startsWith("GMT", at)) at += 3;
    if (at !== length) return null;
  }
  const year = century * 100 + yearInCentury;
  if (
    year < 1970 ||
    month < 0 ||
    month > 11 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    zoneHours > 23 ||
    zoneMinutes > 59
  )
    return Number.NaN;
  return (
    daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + fraction - offset
  );
}

const HYPHEN = 45;
const COLON = 58;

/**
 * Epoch milliseconds of a time written as text by an export or a report: ISO 8601 (isoTextMs), else a mail
 * date (mailDateMs); NaN when it is neither or names no such instant.
 */
export function timeTextMs(value: string): number {
  const text = value.trim();
  return isoTextMs(text) ?? mailDateMs(text);
}

/**
 * Zones written as a word that Date.parse does not read (it reads UT, UTC, GMT, Z and the US zones of
 * RFC 5322 §4.3's obs-zone), as offsets: those Sisimai reads (JST, AST, HST…) and those its table lists with
 * one meaning only (https://github.com/sisimai/p5-sisimai/blob/master/lib/Sisimai/DateTime.pm, from
 * https://en.wikipedia.org/wiki/List_of_time_zone_abbreviations). A word with several meanings (IST, BST,
 * SST…) or none is -0000, as RFC 5322 §4.3 says of an unknown zone (https://www.rfc-editor.org/rfc/rfc5322#section-4.3):
 * the date is kept, at UTC, rather than lost (an email record without a time cannot be stored).
 */
const ZONE_WORDS: Readonly<Record<string, string>> = {
  ADT: "-0300",
  AKDT: "-0800",
  AKST: "-0900",
  AST: "-0400",
  HADT: "-0900",
  HAST: "-1000",
  HST: "-1000",
  JST: "+0900",
  KST: "+0900",
  HKT: "+0800",
  AEST: "+1000",
  AEDT: "+1100",
  CET: "+0100",
  CEST: "+0200",
  EET: "+0200",
  EEST: "+0300",
  WET: "-0000",
  WEST: "+0100",
  MSK: "+0300",
};

/** The zones Date.parse reads as words: left to it. */
const DATE_PARSE_ZONES = new Set([
  "UT",
  "UTC",
  "GMT",
  "Z",
  "EST",
  "EDT",
  "CST",
  "CDT",
  "MST",
  "MDT",
  "PST",
  "PDT",
]);

/**
 * `text` with a trailing zone word after a time ("… 10:00:00 JST") written as its offset ("… 10:00:00 +0900"),
 * or null when it does not end so.
 */
function withNumericZone(text: string): string | null {
  const space = text.lastIndexOf(" ");
  const word = text.slice(space + 1).toUpperCase();
  if (space < 0 || !/^[A-Z]{1,5}$/.test(word) || DATE_PARSE_ZONES.has(word)) return null;
  const before = text.slice(0, space);
  if (!/\d\d?:\d\d(?::\d\d)?$/.test(before)) return null;
  return `${before} ${ZONE_WORDS[word] ?? "-0000"}`;
}

/** A mail date as ISO 8601 UTC (`Date.prototype.toISOString`), or null when there is none or it cannot be read. */
export function mailDateIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = mailDateMs(value);
  return Number.isNaN(ms) ? null : isoFromMs(ms);
}

/** The character codes of the tens and the ones digit of a number (0–99 for tens). */
const tens = (value: number): number => 48 + Math.floor(value / 10);
const ones = (value: number): number => 48 + (value % 10);

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
  const century = Math.floor(year / 100);
  const inCentury = year % 100;
  const tenths = Math.floor(milli / 10);
  // One string of its 24 character codes: a template of its 13 pieces was 12 concatenations (and a flatten when
  // the record's JSON is written) for every record. The year is 1970–9999 here: four digits.
  // biome-ignore format: the codes laid out as the text they write, YYYY-MM-DDTHH:MM:SS.mmmZ
  return String.fromCharCode(
    tens(century), ones(century), tens(inCentury), ones(inCentury), 45, tens(month), ones(month), 45, tens(day), ones(day), 84,
    tens(hour), ones(hour), 58, tens(minute), ones(minute), 58, tens(second), ones(second), 46, tens(tenths), ones(tenths), ones(milli), 90,
  );
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
