import type { Store } from "../store/index.ts";

/** What ingest refused, grouped so a user can see why without SQL. */
export interface QuarantineReport {
  schemaVersion: 1;
  store: string;
  /** Only this file (as ingested), when asked. */
  file: string | null;
  total: number;
  files: { path: string; rows: number; reasons: { reason: string; rows: number }[] }[];
  /** The first rows, in file and line order (raw text as stored: at most 2 KB each). */
  rows: { path: string; line: number | null; reason: string; raw: string | null }[];
}

const FILES_SQL = `
SELECT path, reason, count(*) AS rows FROM quarantine
WHERE $file IS NULL OR path = $file
GROUP BY ALL ORDER BY path, rows DESC, reason`;

const ROWS_SQL = `
SELECT path, line, reason, raw FROM quarantine
WHERE $file IS NULL OR path = $file
ORDER BY path, line NULLS LAST
LIMIT $limit`;

/** The quarantine of a store: per file and reason, and the first `limit` rows. */
export async function quarantineReport(
  store: Store,
  options: { file?: string; limit: number },
): Promise<QuarantineReport> {
  const params = { file: options.file ?? null };
  const grouped = await store.all<{ path: string; reason: string; rows: number }>(FILES_SQL, params);
  const rows = await store.all<QuarantineReport["rows"][number]>(ROWS_SQL, {
    ...params,
    limit: options.limit,
  });
  const files = new Map<string, QuarantineReport["files"][number]>();
  for (const { path, reason, rows: count } of grouped) {
    const entry = files.get(path) ?? { path, rows: 0, reasons: [] };
    entry.rows += count;
    entry.reasons.push({ reason, rows: count });
    files.set(path, entry);
  }
  return {
    schemaVersion: 1,
    store: store.path,
    file: options.file ?? null,
    total: grouped.reduce((sum, row) => sum + row.rows, 0),
    files: [...files.values()],
    rows,
  };
}
