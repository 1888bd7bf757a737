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
