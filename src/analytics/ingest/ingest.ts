import { closeSync, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { FormatName } from "../../events/formats.ts";
import { compressionOf, detectFormat, openInputWithHead } from "../../events/index.ts";
import type { Params, Store } from "../../store/index.ts";
import { stopwatch } from "../stopwatch.ts";
import { insertFlagged, type Settled, settleFile } from "./finalize.ts";
import { stageWithParsers } from "./js-path.ts";
import { pmtaHeader, pmtaSourceSql } from "./pmta-fast.ts";
import { SENDGRID_SOURCE_SQL, SENDGRID_UNNUMBERED_SQL } from "./sendgrid-fast.ts";
import { CREATE_STAGING } from "./staging.ts";

export interface IngestOptions {
  /** Force the input format; otherwise detected per file. */
  format?: FormatName;
  /** Time zone of timestamps without an offset (PowerMTA naive times, classic syslog). Default UTC. */
  tz?: string;
  /** Year for classic syslog lines that carry none (default: the file's modification year). */
  year?: number;
  /** Let DuckDB read SendGrid NDJSON and PowerMTA CSV itself (default true; false = JS parsers only). */
  fastPath?: boolean;
  /** Called with the bytes of this file read so far (DuckDB's query progress on the fast paths). */
  onProgress?: (bytesSoFar: number) => void;
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
  /** What the reader skipped on purpose and why (bounce emails: DMARC / TLS reports, auto-replies). */
  notes: string[];
}

/** How a file reaches `events`: a staging-shaped SQL source (DuckDB reads the file) or the JS parsers. */
interface Source {
  sql: string;
  params: Params;
  /** Set when `sql` reads without line numbers: the numbered source, for files that turn out to have bad records. */
  numbered?: Source;
}

/** A file read without line numbers had bad records: read it again with them, for the quarantine. */
class NeedsLineNumbers extends Error {}

/** Ingests one file in one transaction: it is stored whole or not at all. */
export async function ingestFile(
  store: Store,
  path: string,
  options: IngestOptions = {},
): Promise<FileSummary> {
  const started = performance.now();
  const opened = await openInputWithHead(path);
  opened.stream.destroy();
  const head = opened.head;
  const format = options.format ?? detectFormat(head, path) ?? sniffFastFormat(head);
  if (!format) throw new Error(`${path}: cannot tell the format; use --format (see \`deliverlens formats\`)`);
  const fast = options.fastPath === false ? null : fastSource(format, head, path, options.tz ?? "UTC");
  let notes: string[] = [];
  const parsers = async (): Promise<Source> => {
    await store.run(CREATE_STAGING);
    const read = {
      year: options.year ?? null,
      tz: options.tz ?? null,
      modified: opened.modified,
      onBytes: options.onProgress,
    };
    notes = await stageWithParsers(store, path, format, read);
    return { sql: "SELECT * FROM staging", params: {} };
  };
  let reader: FileSummary["reader"] = fast ? "duckdb" : "parsers";
  let counts: Settled;
  try {
    counts = await loadFile(store, path, format, fast ? async () => fast : parsers, options.onProgress).catch(
      (error) => {
        // Bad records, or a line read_json refuses: read the file again line by line, numbered.
        const numbered = fast?.numbered;
        if (!numbered) throw error;
        if (process.env.DELIVERLENS_DEBUG)
          process.stderr.write(`reading ${path} again, numbered: ${String(error)}\n`);
        return loadFile(store, path, format, async () => numbered, options.onProgress);
      },
    );
  } catch (error) {
    if (!fast) throw error;
    if (process.env.DELIVERLENS_DEBUG)
      process.stderr.write(`fast path failed for ${path}: ${String(error)}\n`);
    // A row DuckDB's reader cannot take (ragged CSV, over-long line): the parsers report it line by line.
    reader = "parsers";
    counts = await loadFile(store, path, format, parsers, options.onProgress);
  }
  const seconds = (performance.now() - started) / 1000;
  await store.run("UPDATE files SET seconds = $seconds WHERE file_id = (SELECT max(file_id) FROM files)", {
    seconds,
  });
  return { path, format, reader, ...counts, seconds, notes };
}

async function loadFile(
  store: Store,
  path: string,
  format: FormatName,
  source: () => Promise<Source>,
  onProgress?: (bytes: number) => void,
) {
  const info = await stat(path);
  const commit = stopwatch();
  const settled = await store.transaction(async () => {
    const fileId = ((await store.one<{ id: number }>("SELECT coalesce(max(file_id), 0) + 1 AS id FROM files"))
      ?.id ?? 1) as number;
    const lap = stopwatch();
    const { sql, params, numbered } = await source();
    lap("prepare");
    // DuckDB reports how far a running query is; the JS path reports bytes itself.
    const poll = onProgress
      ? setInterval(() => {
          const percent = store.connection.progress.percentage;
          if (percent > 0) onProgress((info.size * percent) / 100);
        }, 250)
      : null;
    const read = await insertFlagged(store, sql, params, fileId).finally(() =>
      clearInterval(poll ?? undefined),
    );
    onProgress?.(info.size);
    lap("insert");
    if (numbered) {
      const bad = await store.one<{ n: number }>(
        "SELECT count(*) AS n FROM event_rows WHERE file_id = $file_id AND type = '!problem'",
        { file_id: fileId },
      );
      if (bad?.n) throw new NeedsLineNumbers();
    }
    const settled = await settleFile(store, path, fileId, read, lap);
    await store.run(
      `INSERT INTO files VALUES ($id, $path, $format, $size, make_timestamp($mtime::BIGINT), now()::TIMESTAMP,
        $read, $stored, $duplicates, $quarantined, 0)`,
      {
        id: fileId,
        path,
        format,
        size: info.size,
        mtime: Math.round(info.mtimeMs * 1000),
        read: settled.read,
        stored: settled.stored,
        duplicates: settled.duplicates,
        quarantined: settled.quarantined,
      },
    );
    await store.run("DROP TABLE IF EXISTS staging");
    commit("before commit");
    return settled;
  });
  commit("commit");
  return settled;
}

function fastSource(format: FormatName, head: string, path: string, tz: string): Source | null {
  if (!duckdbReadsCompression(path)) return null;
  if (format === "sendgrid" && head.trimStart().startsWith("{"))
    return {
      sql: SENDGRID_UNNUMBERED_SQL,
      params: { path },
      numbered: { sql: SENDGRID_SOURCE_SQL, params: { path } },
    };
  const header = format === "pmta" ? pmtaHeader(head) : null;
  if (!header) return null;
  const params = { path, tz };
  return { sql: pmtaSourceSql(header, false), params, numbered: { sql: pmtaSourceSql(header), params } };
}

/**
 * DuckDB picks gzip by the `.gz` extension; the JS path goes by magic bytes. Anything else compressed
 * (zstd, or gzip under another name) is left to the JS path rather than read as garbage.
 */
function duckdbReadsCompression(path: string): boolean {
  const magic = Buffer.alloc(4);
  const fd = openSync(path, "r");
  const size = readSync(fd, magic, 0, 4, 0);
  closeSync(fd);
  const kind = compressionOf(magic.subarray(0, size));
  return kind === null ? !/\.(gz|zst|zstd)$/i.test(path) : kind === "gzip" && /\.gz$/i.test(path);
}

/** Until detection knows them: NDJSON with SendGrid fields, or a PowerMTA accounting header. */
function sniffFastFormat(head: string): FormatName | null {
  if (head.trimStart().startsWith("{") && head.includes('"sg_event_id"')) return "sendgrid";
  if (pmtaHeader(head)) return "pmta";
  return null;
}
