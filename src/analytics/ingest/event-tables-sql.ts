/**
 * SQL built from the event readers' own tables (src/events), so the DuckDB fast paths and the JS readers
 * share one mapping of source names to event types. Table keys and values are fixed identifiers, never
 * input, but are quoted as SQL strings all the same.
 */
export const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** `CASE column WHEN 'from' THEN 'to' … END` (NULL for names the table does not list). */
export function sqlCase(column: string, table: Readonly<Record<string, string>>): string {
  const arms = Object.entries(table).map(([from, to]) => `WHEN ${sqlString(from)} THEN ${sqlString(to)}`);
  return `CASE ${column} ${arms.join(" ")} END`;
}

/** `('a', 'b', …)`: the source names whose event type passes `keep`. */
export function sqlNamesWhere<T extends string>(
  table: Readonly<Record<string, T>>,
  keep: (type: T) => boolean,
): string {
  const names = Object.keys(table).filter((name) => keep(table[name]));
  return `(${names.map(sqlString).join(", ")})`;
}
