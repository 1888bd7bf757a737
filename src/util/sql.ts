/**
 * SQL text built from values (DuckDB's dialect, standard SQL quoting): prefer named parameters ($name);
 * use these where a parameter cannot go (table functions' options, IN lists compiled once, CASE tables).
 */

/** A string literal: single quotes, inner quotes doubled. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** An identifier (column, alias): double quotes, inner quotes doubled. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `1, 2`: integers (ids) written into the text, comma-separated; anything else is cut to an integer. */
export function sqlIntegers(values: readonly number[]): string {
  return values.map((value) => Math.trunc(Number(value))).join(", ");
}

/** `('a', 'b')`: a list of string literals for `IN`. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(", ")})`;
}

/**
 * A value of a DuckDB ENUM type as its literal (`'a'::t`): compared with an ENUM column, DuckDB compares the
 * codes and can push the test into the scan; against a plain string it casts every row's value to text first
 * (EXPLAIN: `CAST(type AS VARCHAR) IN (…)`).
 */
export function sqlEnum(value: string, type: string): string {
  return `${sqlString(value)}::${type}`;
}

/** `('a'::t, 'b'::t)`: a list of ENUM literals (sqlEnum) for `IN`. */
export function sqlEnumList(values: readonly string[], type: string): string {
  return `(${values.map((value) => sqlEnum(value, type)).join(", ")})`;
}

/**
 * `expr IN (values)` for per-row SQL: from five constants on, DuckDB plans an IN list as a join against the
 * list, which carries every column of every row through it, even when the test sits in a CASE arm few rows
 * take (SendGrid 1M rows: a fifth of the insert's projection time); `list_contains` over the constant list
 * stays an expression evaluated where it is written. Both give NULL for a NULL `expr`. With `enumType`, the
 * values are that ENUM's literals (sqlEnum), for an `expr` of that type.
 */
export function sqlIn(expr: string, values: readonly string[], enumType?: string): string {
  const literal = (value: string) => (enumType ? sqlEnum(value, enumType) : sqlString(value));
  return values.length < 5
    ? `${expr} IN (${values.map(literal).join(", ")})`
    : `list_contains([${values.map(literal).join(", ")}], ${expr})`;
}
