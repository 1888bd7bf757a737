const READ_LINES = `read_csv($path, columns = {'raw': 'VARCHAR'}, header = false, auto_detect = false,
  delim = chr(1), quote = '', escape = '', new_line = '\\n', max_line_size = 16777216, compression = 'auto')`;

/**
 * DuckDB reads a text file (gzip by extension) as one VARCHAR per line with its 1-based line number.
 * The delimiter is a byte that never occurs in JSON text, so every line is one column.
 */
export const LINES_SQL = `(SELECT raw, ordinality AS line FROM ${READ_LINES} WITH ORDINALITY)`;

/** Truncated raw text for the quarantine, same limit as the JS path. */
export const RAW_SQL = (column: string): string => `left(${column}, 2048)`;
