import { DAY_MS, daysInMonth, isTimeZone } from "../util/dates.ts";

/**
 * Timestamps without a zone (classic syslog `Feb  2 12:34:56`, Exim `2026-02-02 12:34:56`) → ISO UTC.
 * The wall time is read in the IANA zone `tz` (Intl does the zone arithmetic; no dependency). Classic
 * syslog has no year either: it comes from `year`, else from the file's modification time, rolling
 * back across New Year (a `Dec 31` line in a file last written on Jan 2 is from the previous year).
 */

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

/** Month index (0–11) of a three-letter English month name, else -1. */
export function monthIndex(name: string): number {
  const at = MONTHS.indexOf(name);
  return name.length === 3 && at % 3 === 0 ? at / 3 : -1;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `tz` from UTC, in ms, at the instant `utcMs`. */
function zoneOffset(utcMs: number, tz: string): number {
  let format = formatters.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(utcMs)) parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** Throws RangeError for an unknown zone (the words Intl uses): callers validate options with it. */
export function assertTimeZone(tz: string): void {
  if (!isTimeZone(tz)) throw new RangeError(`Invalid time zone specified: ${tz}`);
}

/** Wall-clock fields in `tz` → UTC milliseconds (DST gaps resolve forward, overlaps to the first). */
export function wallToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  tz: string,
): number {
  const wall = Date.UTC(year, month, day, hour, minute, second, ms);
  if (tz === "UTC" || tz === "Etc/UTC") return wall;
  const guess = wall - zoneOffset(wall, tz);
  return wall - zoneOffset(guess, tz);
}

/** `2026-02-02T12:34:56.000Z`: an ISO UTC time of a four-digit year. */
const ISO_LENGTH = 24;

/** `00` to `59`: a minute's seconds as a stamp writes them. */
const SECONDS = Array.from({ length: 60 }, (_, s) => String(s).padStart(2, "0"));

/**
 * Converts classic syslog times of one input. Lines come in order, so the year is decided per line
 * against the reference: explicit `year` counts forward across a Dec→Jan wrap; the default (from the
 * modification time) counts backward for lines that would otherwise lie in the future of it.
 */
export class SyslogClock {
  private readonly tz: string;
  private readonly explicitYear: number | null;
  private readonly reference: number;
  private readonly referenceYear: number;
  private lastMonth = -1;
  private wraps = 0;
  private lastKey = "";
  private lastIso: string | null = null;
  /** `Feb  2 12:34` and its UTC ISO prefix `2026-02-02T12:34:`. */
  private minuteKey = "";
  private minutePrefix: string | null = null;
  /** Date.parse of the minute's prefix with 00 seconds (NaN: not of the plain `YYYY-MM-DDTHH:MM:` form). */
  private minuteMs = Number.NaN;
  /**
   * What `convert` gave last, in ms since the epoch, as Date.parse reads it (NaN for null): within a
   * minute from the minute's ms, not parsed again (readers age their state by it, line by line).
   */
  lastMs = Number.NaN;

  constructor(options: { year: number | null; modified: Date | null; tz: string }) {
    this.tz = options.tz;
    this.explicitYear = options.year;
    const modified = options.modified ?? new Date();
    this.reference = modified.getTime();
    this.referenceYear = modified.getUTCFullYear();
  }

  /**
   * `convert` of a stamp that differs from the one converted last in its seconds only (their digits' character
   * codes `c1` and `c2`, the character before them `colon`), without its text: for a reader that compares
   * stamps as bytes. Null where `convert` would not write it from the minute's prefix (then convert it).
   */
  withSeconds(colon: number, c1: number, c2: number): string | null {
    const prefix = this.minutePrefix;
    const s1 = c1 - 48;
    const s2 = c2 - 48;
    if (prefix === null || colon !== 58 || s1 < 0 || s1 > 5 || s2 < 0 || s2 > 9) return null;
    // Its text is not known: the next stamp is converted in full (as one of this minute).
    this.lastKey = "";
    this.lastIso = `${prefix}${SECONDS[s1 * 10 + s2]}.000Z`;
    this.lastMs = Number.isNaN(this.minuteMs)
      ? Date.parse(this.lastIso)
      : this.minuteMs + (s1 * 10 + s2) * 1000;
    return this.lastIso;
  }

  /** `Feb  2 12:34:56` (exactly 15 characters) → ISO UTC, or null when malformed. */
  convert(stamp: string): string | null {
    if (stamp === this.lastKey) return this.lastIso;
    // Zone offsets and DST changes fall on whole minutes: within a minute only the seconds change.
    const s1 = stamp.charCodeAt(13) - 48;
    const s2 = stamp.charCodeAt(14) - 48;
    if (
      this.minutePrefix !== null &&
      s1 >= 0 &&
      s1 <= 5 &&
      s2 >= 0 &&
      s2 <= 9 &&
      stamp.charCodeAt(12) === 58 &&
      stamp.startsWith(this.minuteKey)
    ) {
      this.lastKey = stamp;
      this.lastIso = `${this.minutePrefix}${stamp.slice(13, 15)}.000Z`;
      this.lastMs = Number.isNaN(this.minuteMs)
        ? Date.parse(this.lastIso)
        : this.minuteMs + (s1 * 10 + s2) * 1000;
      return this.lastIso;
    }
    const month = monthIndex(stamp.slice(0, 3));
    const day = Number(stamp.slice(4, 6).trim());
    const hour = Number(stamp.slice(7, 9));
    const minute = Number(stamp.slice(10, 12));
    const second = Number(stamp.slice(13, 15));
    let iso: string | null = null;
    if (month >= 0 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 61) {
      const utc =
        this.explicitYear === null
          ? this.fromReference(month, day, hour, minute, second)
          : this.forward(this.explicitYear, month, day, hour, minute, second);
      iso = Number.isFinite(utc) ? new Date(utc).toISOString() : null;
    }
    this.minuteKey = stamp.slice(0, 12);
    this.minutePrefix = iso && second < 60 ? iso.slice(0, 17) : null;
    this.minuteMs =
      this.minutePrefix !== null && iso?.length === ISO_LENGTH
        ? Date.parse(`${this.minutePrefix}00.000Z`)
        : Number.NaN;
    this.lastKey = stamp;
    this.lastIso = iso;
    this.lastMs = iso === null ? Number.NaN : Date.parse(iso);
    return iso;
  }

  private forward(year: number, month: number, day: number, h: number, m: number, s: number): number {
    if (this.lastMonth === 11 && month === 0) this.wraps++;
    this.lastMonth = month;
    return existingWallToUtc(year + this.wraps, month, day, h, m, s, this.tz);
  }

  private fromReference(month: number, day: number, h: number, m: number, s: number): number {
    const utc = wallToUtc(this.referenceYear, month, day, h, m, s, 0, this.tz);
    // A day of slack: the file's mtime can precede its last line's zone-shifted wall time.
    if (utc > this.reference + DAY_MS || day > daysInMonth(this.referenceYear, month)) {
      return existingWallToUtc(this.referenceYear - 1, month, day, h, m, s, this.tz);
    }
    return utc;
  }
}

/** wallToUtc of a day that `month` of `year` has, else NaN (Date.UTC would roll `Feb 30` into March). */
function existingWallToUtc(
  year: number,
  month: number,
  day: number,
  h: number,
  m: number,
  s: number,
  tz: string,
): number {
  return day > daysInMonth(year, month) ? Number.NaN : wallToUtc(year, month, day, h, m, s, 0, tz);
}

/**
 * `YYYY-MM-DD HH:MM:SS[.fff][ ±HHMM]` or RFC 3339 → ISO UTC. Without a zone the wall time is in `tz`.
 * Returns null when malformed.
 */
export function zonedIso(stamp: string, tz: string): string | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?$/.exec(stamp);
  if (!m) return null;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const fields = [Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
  if (
    fields[1] > 11 ||
    fields[2] < 1 ||
    fields[2] > daysInMonth(fields[0], fields[1]) ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 60
  ) {
    return null;
  }
  let utc: number;
  if (m[8]) {
    const zone = m[8];
    const wall = Date.UTC(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], ms);
    if (zone === "Z") utc = wall;
    else {
      const digits = zone.replace(":", "");
      const [hours, minutes] = [Number(digits.slice(1, 3)), Number(digits.slice(3, 5))];
      // RFC 3339 §5.6: an offset's hour is 00–23 (+9959 would move the time four days).
      if (hours > 23 || minutes > 59) return null;
      const offset = (hours * 60 + minutes) * 60_000;
      utc = zone[0] === "-" ? wall + offset : wall - offset;
    }
  } else utc = wallToUtc(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], ms, tz);
  return Number.isFinite(utc) ? new Date(utc).toISOString() : null;
}

/**
 * Stamps a syslog line can carry besides the classic `Feb  2 12:34:50` and ISO ones: the classic stamp
 * with a fraction of a second (`journalctl -o short-precise`: `Feb 02 12:34:50.123456`), the weekday,
 * date, time and zone of `journalctl -o short-full` (`Mon 2026-02-02 12:34:50 UTC`), and any of these,
 * the classic or an ISO one after a PRI part (`<22>`, raw network syslog: RFC 3164 §4.1.1; rsyslog's
 * forwarding format writes an RFC 3339 stamp after it).
 */
const OTHER_STAMP =
  /^(?:<\d{1,3}>\d{4}-\d\d-\d\d(?:T\S+| \d\d:\d\d:\d\d\S*)|(?:<\d{1,3}>)?(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d{1,9})?|[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?:[A-Z]{1,5}|[+-]\d{4})))(?= )/;
/** short-full's stamp without its weekday: date and time, and the zone. */
const FULL_STAMP = /^[A-Z][a-z]{2} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S+)$/;
/** Zone names short-full prints for UTC (any other name is read as the wall time of the input's zone). */
const UTC_NAMES = new Set(["UTC", "GMT", "UT"]);
const NUMERIC_ZONE = /^[+-]\d{4}$/;
const LESS_THAN = 60;
const DOT = 46;
const HYPHEN = 45;
/** Where a classic stamp's 16th character is: a space after it, a dot before a fraction. */
const CLASSIC_LENGTH = "Feb  2 12:34:50".length;
/** Where short-full's date has its first hyphen: `Mon 2026-`. */
const FULL_HYPHEN = "Mon 2026".length;

/**
 * Where one of the other stamps (see OTHER_STAMP) of a line ends (the index of the space after it),
 * else -1. Three characters tell a line that may have one: a classic stamp's line is answered by them.
 */
export function otherStampEnd(text: string): number {
  if (
    text.charCodeAt(0) !== LESS_THAN &&
    text.charCodeAt(CLASSIC_LENGTH) !== DOT &&
    text.charCodeAt(FULL_HYPHEN) !== HYPHEN
  ) {
    return -1;
  }
  const m = OTHER_STAMP.exec(text);
  // A classic stamp alone is not another stamp (the caller has read it already).
  return m === null || m[0].length === CLASSIC_LENGTH ? -1 : m[0].length;
}

/** The longest of the other stamps with its PRI part, and the space after it (a longer one is no stamp). */
const OTHER_STAMP_MAX = "<191>2026-02-02T12:34:50.123456789+00:00 ".length + 2;

/** otherStampEnd of the line [from, to) of `bytes` (ASCII), as an index into bytes. */
export function otherStampEndOfBytes(bytes: Uint8Array, from: number, to: number): number {
  if (
    bytes[from] !== LESS_THAN &&
    (to - from <= CLASSIC_LENGTH || bytes[from + CLASSIC_LENGTH] !== DOT) &&
    (to - from <= FULL_HYPHEN || bytes[from + FULL_HYPHEN] !== HYPHEN)
  ) {
    return -1;
  }
  const end = Math.min(to, from + OTHER_STAMP_MAX);
  const at = otherStampEnd(String.fromCharCode(...bytes.subarray(from, end)));
  return at < 0 ? -1 : from + at;
}

/**
 * One of the other stamps (see OTHER_STAMP; or an ISO one after a PRI part) → ISO UTC, else null. A classic
 * stamp's year comes from `clock` as the plain stamp's does; short-full's zone is its own when UTC or
 * numeric, else its wall time is read in `tz` (a zone name such as CET is the host's zone: pass it as tz).
 */
export function otherStampIso(stamp: string, clock: SyslogClock, tz: string): string | null {
  const s = stamp.charCodeAt(0) === LESS_THAN ? stamp.slice(stamp.indexOf(">") + 1) : stamp;
  if (s.length === CLASSIC_LENGTH) return clock.convert(s);
  if (s.charCodeAt(CLASSIC_LENGTH) === DOT) {
    const iso = clock.convert(s.slice(0, CLASSIC_LENGTH));
    if (iso === null || iso.length !== ISO_LENGTH) return iso;
    const ms = s.slice(CLASSIC_LENGTH + 1, CLASSIC_LENGTH + 4).padEnd(3, "0");
    return `${iso.slice(0, ISO_LENGTH - "000Z".length)}${ms}Z`;
  }
  const full = FULL_STAMP.exec(s);
  if (full !== null) {
    const zone = full[2];
    const suffix = UTC_NAMES.has(zone) ? "Z" : NUMERIC_ZONE.test(zone) ? zone : "";
    return zonedIso(`${full[1]}${suffix}`, tz);
  }
  return zonedIso(s, tz);
}
