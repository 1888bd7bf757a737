/** ASCII whitespace as the store sees it: every reader (JS and SQL) trims the same six characters. */

/** Tab, line feed, vertical tab, form feed, carriage return, space: the whitespace stored values lose. */
export function isAsciiSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * `text` without ASCII whitespace at either end. Stored values are trimmed with this, not JS `trim()`
 * (which also drops NBSP, U+2028, U+FEFF, U+3000…): the store's SQL reader trims the same six characters
 * (src/store/field-sql.ts TRIM_SQL), and the two readers must store the same row — its identity key — for
 * the same event.
 */
export function trimAscii(text: string): string {
  let from = 0;
  let to = text.length;
  while (from < to && isAsciiSpace(text.charCodeAt(from))) from++;
  while (to > from && isAsciiSpace(text.charCodeAt(to - 1))) to--;
  return from === 0 && to === text.length ? text : text.slice(from, to);
}

/** Leading ASCII whitespace dropped (see trimAscii). */
export function trimAsciiStart(text: string): string {
  let from = 0;
  while (from < text.length && isAsciiSpace(text.charCodeAt(from))) from++;
  return from === 0 ? text : text.slice(from);
}

/**
 * A character no address holds: a C0 control or DEL (RFC 5322 §3.2.3/§3.4.1: atext, qtext and quoted-pair
 * exclude them; RFC 6532 adds only UTF-8 text). src/store/field-sql.ts tests the same class in SQL.
 */
export const NOT_IN_ADDRESS = /[\u0000-\u001f\u007f]/;
