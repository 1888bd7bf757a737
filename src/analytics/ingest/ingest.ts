import { stat } from "node:fs/promises";
import type { FormatName } from "../../events/formats.ts";
import { detectFormat } from "../../events/index.ts";
import type { Store } from "../../store/index.ts";
import { classifyNewReplies, loadProviderDomains, quarantineStaged, storeStaged } from "./finalize.ts";
import { readHead } from "./head.ts";
import { stageWithParsers } from "./js-path.ts";
import { pmtaHeader, stagePmta } from "./pmta-fast.ts";
import { stageSendgrid } from "./sendgrid-fast.ts";
import { CREATE_STAGING } from "./staging.ts";

export interface IngestOptions {
  /** Force the input format; otherwise detected per file. */
  format?: FormatName;
  /** Time zone of timestamps without an offset (PowerMTA naive times, classic syslog). Default UTC. */
  tz?: string;
  /** Let DuckDB read SendGrid NDJSON and PowerMTA CSV itself (default true; false = JS parsers only). */
  fastPath?: boolean;
  /** Called as records are staged (JS path) or once a file is loaded (fast path). */
  onProgress?: (recordsSoFar: number) => void;
}

/** One file's ingest, counted in source records: read = stored + duplicates + quarantined. */
export interface FileSummary {
  path: string;
  format: FormatName;
  reader: "duckdb" | "parsers";
  read: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  newReplies: number;
  seconds: number;
}

type Stager = (store: Store) => Promise<void>;

/** Ingests one file in one transaction: it is stored whole or not at all. */
export async function ingestFile(
  store: Store,
  path: string,
  options: IngestOptions = {},
): Promise<FileSummary> {
  const started = performance.now();
  const head = await readHead(path);
  const format = options.format ?? detectFormat(head, path) ?? sniffFastFormat(head);
  if (!format) throw new Error(`${path}: cannot tell the format; use --format (see \`deliverlens formats\`)`);
  const tz = options.tz ?? "UTC";
  const fast = options.fastPath === false ? null : fastStager(format, head, path, tz);
  let records = 0;
  const parsers: Stager = (s) =>
    stageWithParsers(s, path, format, () => {
      records++;
      if (records % 4096 === 0) options.onProgress?.(records);
    });
  let reader: FileSummary["reader"] = fast ? "duckdb" : "parsers";
  let counts: Omit<FileSummary, "path" | "format" | "reader" | "seconds">;
  try {
    counts = await loadFile(store, path, format, fast ?? parsers);
  } catch (error) {
    if (!fast) throw error;
    // A row DuckDB's reader cannot take (ragged CSV, over-long line): the parsers report it line by line.
    reader = "parsers";
    counts = await loadFile(store, path, format, parsers);
  }
  options.onProgress?.(counts.read);
  const seconds = (performance.now() - started) / 1000;
  await store.run("UPDATE files SET seconds = $seconds WHERE file_id = (SELECT max(file_id) FROM files)", {
    seconds,
  });
  return { path, format, reader, ...counts, seconds };
}

async function loadFile(store: Store, path: string, format: FormatName, stage: Stager) {
  const info = await stat(path);
  return store.transaction(async () => {
    await store.run(CREATE_STAGING);
    await loadProviderDomains(store);
    await stage(store);
    const fileId = ((await store.one<{ id: number }>("SELECT coalesce(max(file_id), 0) + 1 AS id FROM files"))
      ?.id ?? 1) as number;
    const read = (await store.one<{ n: number }>("SELECT count(*) AS n FROM staging"))?.n ?? 0;
    const newReplies = await classifyNewReplies(store);
    const stored = await storeStaged(store, format, fileId);
    const quarantined = await quarantineStaged(store, path, fileId);
    const duplicates = read - stored - quarantined;
    await store.run(
      `INSERT INTO files VALUES ($id, $path, $format, $size, make_timestamp($mtime::BIGINT), now()::TIMESTAMP,
        $read, $stored, $duplicates, $quarantined, 0)`,
      {
        id: fileId,
        path,
        format,
        size: info.size,
        mtime: Math.round(info.mtimeMs * 1000),
        read,
        stored,
        duplicates,
        quarantined,
      },
    );
    await store.run("DROP TABLE staging");
    return { read, stored, duplicates, quarantined, newReplies };
  });
}

function fastStager(format: FormatName, head: string, path: string, tz: string): Stager | null {
  if (format === "sendgrid" && head.trimStart().startsWith("{")) return (s) => stageSendgrid(s, path);
  const header = format === "pmta" ? pmtaHeader(head) : null;
  return header ? (s) => stagePmta(s, path, header, tz) : null;
}

/** Until detection knows them: NDJSON with SendGrid fields, or a PowerMTA accounting header. */
function sniffFastFormat(head: string): FormatName | null {
  if (head.trimStart().startsWith("{") && head.includes('"sg_event_id"')) return "sendgrid";
  if (pmtaHeader(head)) return "pmta";
  return null;
}
