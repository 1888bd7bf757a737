/** Small, total converters from untrusted JSON/CSV values to event fields (never throw). */

import { trimAscii } from "../util/ascii.ts";
import { timeTextMs } from "../util/dates.ts";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  if (typeof value === "string") return value === "" ? null : value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * The digits of a JSON integer beyond 2^53 as its source wrote them (for a JSON.parse reviver, which sees the
 * source text), or null: JSON.parse would round it (a Postmark `ID` is an int64). One written otherwise (`1e300`,
 * `2.0e20`) is a number as written, and DuckDB prints it as one too. The one test of both readers that keep them
 * (src/events/table-parser.ts: the digits as text, as DuckDB's reader gives them; src/serve/receivers.ts: the
 * digits written again as they came).
 */
export function bigIntegerDigits(value: unknown, context?: { source?: string }): string | null {
  return typeof value === "number" &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    BIG_INTEGER_DIGITS.test(context.source)
    ? context.source
    : null;
}
const BIG_INTEGER_DIGITS = /^-?[0-9]+$/;

export function obj(value: unknown): JsonObject | null {
  return isObject(value) ? value : null;
}

/**
 * Text that is a number, the one rule both readers follow: a decimal number (sign, digits, a fraction, an
 * exponent) with ASCII whitespace around it — not `0x226`, `0b…`, `0o…` (JavaScript's `Number` reads them),
 * not `1_000` (DuckDB's cast reads it), not `550\u00a0` (`Number` drops any Unicode space), not `Infinity`.
 * Written for both JavaScript and RE2 (the SQL twin, src/store/field-sql.ts, tests it the same way).
 */
export const NUMBER_TEXT =
  "^[\\t\\n\\v\\f\\r ]*[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?[\\t\\n\\v\\f\\r ]*$";
const NUMBER_TEXT_RE = new RegExp(NUMBER_TEXT);

/** A number, or text that is one (NUMBER_TEXT) → the number; NaN for anything else. */
function numberOf(value: unknown): number {
  if (typeof value === "number") return value;
  return typeof value === "string" && NUMBER_TEXT_RE.test(value) ? Number(value) : Number.NaN;
}

export function int(value: unknown): number | null {
  const n = numberOf(value);
  return Number.isInteger(n) ? n : null;
}

/** First string of a string-or-array value (SendGrid `category`, Mailgun `tags`). */
export function first(value: unknown): string | null {
  if (Array.isArray(value)) return value.length > 0 ? str(value[0]) : null;
  return str(value);
}

/**
 * A time given as unix seconds (number or numeric string, fractions allowed), unix milliseconds, or a text
 * timeTextMs reads (ISO 8601 / RFC 3339, a mail date) → ISO UTC; null when absent, unusable or no such time.
 */
export function isoTime(value: unknown): string | null {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value < 1e11)
    return isoSeconds(value);
  let ms: number;
  if (typeof value === "number") ms = value > 1e11 ? value : value * 1000;
  // Text that is no number (NUMBER_TEXT; a blank one too, which Number reads as 0) may still be a date.
  else if (typeof value === "string" && value.trim() !== "") {
    const n = numberOf(value);
    ms = Number.isFinite(n) ? (n > 1e11 ? n : n * 1000) : timeTextMs(value);
  } else return null;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return new Date(ms).toISOString();
}

let cachedMinute = -1;
let cachedPrefix = "";

/** Whole unix seconds → ISO, formatting each minute once (event streams are roughly time-ordered). */
function isoSeconds(seconds: number): string {
  const minute = Math.floor(seconds / 60);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedPrefix = new Date(minute * 60_000).toISOString().slice(0, 17);
  }
  const second = seconds - minute * 60;
  return `${cachedPrefix}${second < 10 ? "0" : ""}${second}.000Z`;
}

/** The domain of an address, lowercased; null without one. */
export function domainOf(address: string | null): string | null {
  if (!address) return null;
  const at = address.lastIndexOf("@");
  if (at < 0 || at === address.length - 1) return null;
  let end = address.length;
  if (address.charCodeAt(end - 1) === 62 /* > */) end--;
  return address.slice(at + 1, end).toLowerCase();
}

/** `<id@host>` → `id@host`. */
export function stripAngles(value: string | null): string | null {
  if (!value) return null;
  const trimmed = trimAscii(value);
  return trimmed.startsWith("<") && trimmed.endsWith(">") ? trimmed.slice(1, -1) : trimmed;
}

/** Boolean-ish values from JSON or CSV (true/false/1/0/yes/no). */
export function bool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === 1 || value === "1" || value === "true" || value === "yes") return true;
  if (value === 0 || value === "0" || value === "false" || value === "no") return false;
  return null;
}

export { detach } from "../util/detach.ts";

/**
 * `table[key]` for an untrusted key: only the table's own entries, never Object.prototype's
 * (`constructor`, `__proto__`, `toString` arrive in hostile event names).
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string | null | undefined): T | undefined {
  return key != null && Object.hasOwn(table, key) ? table[key] : undefined;
}
