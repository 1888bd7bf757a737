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

/** `('a', 'b')`: a list of string literals for `IN`. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(", ")})`;
}
