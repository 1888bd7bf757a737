import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { FormatName } from "../../events/formats.ts";
import { compressionOf, detectFormat, eventSource, openInputWithHead } from "../../events/index.ts";
import { newCounters } from "../../events/source.ts";
import { canonicalName } from "../../events/table-parser.ts";
import {
  derivedFromReply,
  fieldTableSql,
  otherKindsSql,
  type Params,
  type Store,
  type TableSqlOptions,
} from "../../store/index.ts";
import { debugLog } from "../../util/debug.ts";
import { debugLine, stopwatch } from "../stopwatch.ts";
import {
  type CrossSource,
  countFile,
  crossNote,
  crossReported,
  crossSourceOf,
  fileStart,
  hasLegacyEmailRows,
  insertFlagged,
  type Settled,
  settleFile,
  withRepeats,
} from "./finalize.ts";

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
  /**
   * A record repeats a stored event only when its time matches too (default false: the key alone).
   * `serve` drains small batches into a large store: a retry repeats the record byte for byte, and
   * matching the time lets the look-up skip the stored rows outside the batch's times.
   */
  dedupeWithTime?: boolean;
  /**
   * The ingest's clock (ms since the epoch), read as each file's transaction starts (default Date.now): a
   * record dated more than FUTURE_TOLERANCE_HOURS after it is quarantined, and it is the file's
   * `ingested_at`. `demo` gives the end of the program it made up.
   */
  now?: () => number;
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
  /** Log readers: per-message states forgotten by age or count (src/events/source.ts ParseCounters). */
  evicted: number;
  /** Of those, with deferred recipients, forgotten before the MTA's queue lifetime. */
  evictedEarly: number;
  seconds: number;
  /** What the reader skipped on purpose and why (bounce emails: DMARC / TLS reports, auto-replies). */
  notes: string[];
  /** Named limits (docs/LIMITS.md) that cut this file: what was read before is stored; the run exits 1. */
  limits: string[];
}

/**
 * How a file reaches `event_rows`: a staging-shaped SQL source (DuckDB reads the file), or rows the JS
 * parsers already inserted (in parts, through insertFlagged).
 */
type Source =
  | { sql: string; params: Params; derivedFromReply: boolean }
  | { inserted: number; repeats: number };

/**
 * Files from this size have their parsed rows piped to DuckDB while they are parsed (csv-staging.ts), each in its
 * own transaction; smaller ones join a batch of files (batch.ts). One boundary: a file is one or the other.
 */
export const PIPE_FROM_BYTES = 4 * 1024 * 1024;

/** DuckDB's reading left rows only the JS parser reads exactly (bad records, values it types otherwise). */
class NeedsParser extends Error {}

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
  const format = formatOf(head, path, options);
  if (!format) throw new Error(`${path}: cannot tell the format; use --format (see \`deliverlens formats\`)`);
  const literal = options.fastPath === false ? null : literalPath(path);
  try {
    const fast = literal
      ? fastSources(format, head, literal.path, literal.compression, options.tz ?? "UTC")
      : [];
    let notes: string[] = [];
    let limits: string[] = [];
    let counters = newCounters();
    const parsers = async (
      fileId: number,
      stored: boolean,
      clock: number,
      cross: CrossSource,
    ): Promise<Source> => {
      counters = newCounters();
      const read = {
        year: options.year ?? null,
        tz: options.tz ?? null,
        modified: opened.modified,
        onBytes: options.onProgress,
        counters,
      };
      // Small files (a bounce email, a webhook batch) skip the pipe: making one costs a process (mkfifo),
      // and there is no parsing long enough to overlap.
      const size = (await stat(path).catch(() => null))?.size ?? 0;
      // Loaded only for a file DuckDB's readers do not take: a native-format ingest never pays for them.
      const [{ stageWithParsers }, { MIN_SHARDED_LOG_BYTES }] = await Promise.all([
        import("./js-path.ts"),
        import("./shard-staging.ts"),
      ]);
      // A bounce email also meets the email rows stored before their identity was the report's (schema 14).
      const legacyEmail = stored && format === "email" && (await hasLegacyEmailRows(store));
      const staged = await stageWithParsers(
        path,
        format,
        read,
        (sql) =>
          insertFlagged(
            store,
            sql,
            {},
            fileId,
            clock,
            stored,
            options.dedupeWithTime,
            legacyEmail,
            false,
            cross,
            headerMessageIds(format),
            true,
          ),
        size >= PIPE_FROM_BYTES,
        MIN_SHARDED_LOG_BYTES,
      );
      ({ notes, limits } = staged);
      const seconds = (values: number[]) => values.map((value) => `${value.toFixed(2)} s`).join(", ");
      debugLine(
        `parsers: ${staged.inserted} rows staged as CSV by ${staged.threads} thread(s) ${staged.piped ? "through pipes DuckDB read meanwhile" : "in files read afterwards"}: rows ended after ${seconds(staged.endedSeconds)}, having waited ${seconds(staged.waitedSeconds)} for DuckDB${staged.piped && staged.threads > 1 ? `, the pipe empty for ${staged.emptySeconds.toFixed(2)} s` : ""}; the insert ended ${staged.insertTailSeconds.toFixed(2)} s after the parsing; the parsing thread(s) used ${staged.cpuSeconds.map((s) => s.toFixed(2)).join(" + ")} CPU-s`,
      );
      return { inserted: staged.inserted, repeats: staged.repeats };
    };
    let reader: FileSummary["reader"] = "parsers";
    let counts: (Settled & { seconds: number; crossed: number }) | null = null;
    for (const [at, source] of fast.entries()) {
      try {
        counts = await loadFile(store, path, format, async () => source, options, true, started);
        reader = "duckdb";
        break;
      } catch (error) {
        const next = at + 1 < fast.length ? "DuckDB's general reader" : "the parsers";
        debugLog(`DuckDB's reader left ${path} to ${next}: ${String(error)}`);
      }
    }
    // Bad records, or a row DuckDB's reader cannot take (ragged CSV, over-long line, a value typed
    // otherwise): the parsers read the whole file, line by line.
    counts ??= await loadFile(store, path, format, parsers, options, false, started);
    const { crossed, ...summary } = counts;
    return {
      path,
      format,
      reader,
      ...summary,
      evicted: counters.evicted,
      evictedEarly: counters.evictedEarly,
      notes: crossed ? [...notes, crossNote(crossed, format)] : notes,
      limits,
    };
  } finally {
    literal?.close();
  }
}

async function loadFile(
  store: Store,
  path: string,
  format: FormatName,
  source: (fileId: number, storedBefore: boolean, clock: number, cross: CrossSource) => Promise<Source>,
  { onProgress, dedupeWithTime, now = Date.now }: IngestOptions,
  exactOrNothing: boolean,
  /** When the file's ingest started (performance.now()): its `seconds` run until its commit. */
  started: number,
) {
  const info = await stat(path);
  const commit = stopwatch();
  // Two transactions: the rows, then their settle. A DELETE or UPDATE of rows inserted in the same transaction
  // (flagged rows, repeats within the file, hosted domains' providers) makes DuckDB append the whole insert again
  // at COMMIT instead of keeping the blocks it wrote meanwhile (1M SendGrid events with one repeated record:
  // COMMIT 0.95 CPU-s, 0.01 without it). Committed rows are deleted and updated in place. The file stays whole
  // or nothing: it is listed in `unsettled_files` with its rows, and its settle unlists it; a store opened with
  // it still listed (killed in between) loses its rows (Store.open), and so does a settle that fails.
  const rows = await store.transaction(async () => {
    // Whether rows stored before this file can be repeated by it: asked once, not per part.
    const { fileId, storedBefore } = await fileStart(store);
    const clock = now();
    // Whether a stored file of the other kind of source may have reported the file's bounces: asked once.
    const cross = await crossSourceOf(store, format, storedBefore);
    const lap = stopwatch();
    const from = await source(fileId, storedBefore, clock, cross);
    lap("prepare");
    let read: number;
    if ("inserted" in from) read = from.inserted;
    else {
      // DuckDB reports how far a running query is; the JS path reports bytes itself.
      const poll = onProgress
        ? setInterval(() => {
            const percent = store.queryProgress();
            if (percent > 0) onProgress((info.size * percent) / 100);
          }, 250)
        : null;
      read = await insertFlagged(
        store,
        from.sql,
        from.params,
        fileId,
        clock,
        storedBefore,
        dedupeWithTime,
        false,
        false,
        cross,
        headerMessageIds(format),
      ).finally(() => clearInterval(poll ?? undefined));
    }
    onProgress?.(info.size);
    lap("insert");
    const counts = await countFile(store, fileId);
    lap("scan");
    if (exactOrNothing && counts.problem) throw new NeedsParser();
    // A JSON value of another kind where a field reads text (otherKindsSql): the parsers read the file.
    const otherKinds = "sql" in from ? otherKindsSql(eventSource(format)?.table, read) : null;
    if (exactOrNothing && otherKinds) {
      const hit = (await store.one<{ hit: boolean }>(otherKinds, { file_id: fileId }))?.hit;
      lap("values of other kinds");
      if (hit) throw new NeedsParser();
    }
    // Bounces the other kind of source stored (crossSourceOf): only among the flagged rows.
    const crossed =
      cross && counts.flagged > counts.skip + counts.problem
        ? ((await crossReported(store, "file_id = $file_id", { file_id: fileId }, format)).get(fileId) ?? 0)
        : 0;
    await store.run("INSERT INTO unsettled_files VALUES ($file_id)", { file_id: fileId });
    // Each transaction's "before commit" sums its steps (bench/ingest.ts leaves it out of the split).
    commit("before commit");
    return { fileId, storedBefore, clock, from, read, counts, crossed, lap };
  });
  const { fileId, storedBefore, clock, from, read, counts, crossed, lap } = rows;
  lap("commit the rows");
  const settled = await store
    .transaction(async () => {
      const settled = withRepeats(
        await settleFile(store, path, fileId, format, read, counts, storedBefore, lap),
        "repeats" in from ? from.repeats : 0,
      );
      // The time so far is written with the row: a statement after the commit would be another transaction
      // (and WAL sync) per file.
      const seconds = (performance.now() - started) / 1000;
      await store.run(
        `INSERT INTO files VALUES ($id, $path, $format, $size, make_timestamp($mtime::BIGINT),
          make_timestamp($ingested_at::BIGINT),
          $read, $stored, $duplicates, $quarantined, $seconds, $derived_from_reply)`,
        {
          id: fileId,
          path,
          format,
          size: info.size,
          mtime: Math.round(info.mtimeMs * 1000),
          ingested_at: clock * 1000,
          read: settled.read,
          stored: settled.stored,
          duplicates: settled.duplicates,
          quarantined: settled.quarantined,
          seconds,
          // The rows' reply codes and statuses left to the `events` view (files.derived_from_reply, docs/STORE.md).
          derived_from_reply: "sql" in from && from.derivedFromReply,
        },
      );
      await store.run("DELETE FROM unsettled_files WHERE file_id = $file_id", { file_id: fileId });
      commit("before commit");
      return { ...settled, seconds, crossed };
    })
    .catch(async (error: unknown) => {
      await store.removeUnsettled().catch(() => {});
      throw error;
    });
  commit("commit");
  return settled;
}

/**
 * The file as DuckDB should open it: never its name, which DuckDB would read as a glob pattern
 * (`ev[1].ndjson`, `*`) or a URL (`http://…`), but the already open file as `/dev/fd/N` (issue 13).
 * Null when that is not possible (no /dev/fd, or not a regular file: FIFOs are read by the parsers).
 */
export function literalPath(path: string): { path: string; compression: string; close(): void } | null {
  if (process.platform === "win32") return null;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  const close = () => closeSync(fd);
  if (!fstatSync(fd).isFile()) {
    close();
    return null;
  }
  const magic = Buffer.alloc(4);
  const size = readSync(fd, magic, 0, 4, 0);
  const kind = compressionOf(magic.subarray(0, size));
  return { path: `/dev/fd/${fd}`, compression: kind ?? "none", close };
}

/**
 * DuckDB's readers of a file of a JSON/CSV format, compiled from the format's field table, in the order to
 * try them (none: the parsers read it). A file whose first record is inside the table's envelope (SES in
 * SNS notifications) is read first by a reader of enveloped records only (TableSqlOptions.enveloped), then,
 * if a record is not, by the reader of both.
 */
function fastSources(
  format: FormatName,
  head: string,
  path: string,
  compression: string,
  tz: string,
): Source[] {
  const table = eventSource(format)?.table;
  if (!table) return [];
  return fastReaders(format, head, compression).map((reader): Source => {
    const sql = fieldTableSql(table, reader);
    return {
      sql,
      params: sql.includes("$tz") ? { path, tz } : { path },
      derivedFromReply: derivedFromReply(table),
    };
  });
}

/** fastSources' readers, as TableSqlOptions. */
function fastReaders(format: FormatName, head: string, compression: string): TableSqlOptions[] {
  const table = eventSource(format)?.table;
  if (!table) return [];
  if (table.shape === "csv") {
    const header = csvHeader(head);
    if (!header) return [];
    // A file without a header (PowerMTA's rotated accounting files): its first record is data, read by the
    // format's default header, as the parser reads it. A byte order mark before it: the parser's.
    if (table.csv?.dataRow && new RegExp(table.csv.dataRow).test(header.slice(0, 2).join(","))) {
      const defaultHeader = table.csv.defaultHeader;
      if (!defaultHeader || head.startsWith("\uFEFF")) return [];
      return [{ reader: "ndjson", compression, header: defaultHeader, headerless: true }];
    }
    const required = table.csv?.required ?? [];
    const names = new Set(header.map((name) => canonicalName(name, table.aliases ?? {})));
    if (!required.every((name) => names.has(name.toLowerCase()))) return [];
    return [{ reader: "ndjson", compression, header }];
  }
  const start = head.trimStart();
  if (table.aliases && !plainKeys(head, table.aliases)) return [];
  // DuckDB's NDJSON reader takes a byte order mark before the first record for a broken record: the line
  // reader, which drops it, reads such a file.
  if (start.startsWith("{") && head.startsWith("\uFEFF")) return [{ reader: "lines", compression }];
  // A pretty-printed or concatenated file: the line reader would take each of its lines for a broken record
  // (242k SendGrid events as a pretty-printed array: 64.8 CPU-s before the parsers read it).
  if (firstValueLayout(start) === "documents") return [{ reader: "documents", compression }];
  if (start.startsWith("{")) {
    const both: TableSqlOptions = { reader: "ndjson", compression };
    if (!table.envelope || !firstRecordEnveloped(start, table.envelope)) return [both];
    return [{ reader: "ndjson", compression, enveloped: true }, both];
  }
  if (start.startsWith("[")) return [{ reader: "lines", compression }];
  return [];
}

/**
 * The reader DuckDB reads a small file of `format` with as one of a batch of files (batch.ts): its first fast
 * reader, unless that is the line reader (whose line numbers would run on across the files); null if none.
 */
export function batchReader(format: FormatName, head: string, compression: string): TableSqlOptions | null {
  const first = fastReaders(format, head, compression)[0];
  return first && first.reader !== "lines" ? first : null;
}

/**
 * How the first JSON object or array of `text` is laid out: on a line of its own (`line`: NDJSON, or a
 * webhook batch per line), over several lines or followed by another value on its line (`documents`:
 * pretty-printed, or concatenated), or `unknown` (not JSON, or cut off before it ends). A JSON string
 * holds no raw line end, so a line end inside the value is between its tokens.
 */
export function firstValueLayout(text: string): "line" | "documents" | "unknown" {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let at = text.length - text.trimStart().length;
  if (text[at] !== "{" && text[at] !== "[") return "unknown";
  for (; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 92) escaped = true;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
    else if (c === 10) return "documents";
    if (depth <= 0) break;
  }
  if (depth !== 0 || at === text.length) return "unknown";
  for (at++; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 10) return "line";
    if (c !== 32 && c !== 9 && c !== 13) return "documents";
  }
  return "line";
}

/**
 * Whether the first NDJSON record in `head` is inside `envelope`, as the readers tell one: its message a
 * string and its kind set. False when the head does not hold the whole first line.
 */
export function firstRecordEnveloped(
  head: string,
  { kind, message }: { kind: string; message: string },
): boolean {
  const end = head.indexOf("\n");
  try {
    const record: unknown = JSON.parse(end < 0 ? head : head.slice(0, end));
    if (typeof record !== "object" || record === null) return false;
    const fields = record as Record<string, unknown>;
    return typeof fields[message] === "string" && typeof fields[kind] === "string" && fields[kind] !== "";
  } catch {
    return false;
  }
}

/** The column names of a CSV header line (quotes around names removed). */
function csvHeader(head: string): string[] | null {
  const first = (head.split(/\r?\n/, 1)[0] ?? "").replace(/^\uFEFF/, "");
  if (first === "") return null;
  return first.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
}

/**
 * Generic NDJSON keys are matched case-insensitively by the parser; DuckDB's reader matches them
 * exactly, so it reads only files whose keys are written as documented.
 */
function plainKeys(head: string, aliases: Readonly<Record<string, string>>): boolean {
  for (const match of head.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) {
    const key = match[1];
    if (canonicalName(key, aliases) !== key && !Object.hasOwn(aliases, key)) return false;
  }
  return true;
}

/** The format `ingestFile` reads a file of as: the one forced, else detected from its head; null if none. */
export function formatOf(head: string, path: string, options: IngestOptions): FormatName | null {
  return options.format ?? detectFormat(head, path) ?? sniffFastFormat(head);
}

/** Whether the message ids of `format` are Message-ID headers as written, which the store strips (FieldTable.headerMessageId). */
export function headerMessageIds(format: FormatName): boolean {
  return eventSource(format)?.table?.headerMessageId === true;
}

/** Whether `ingestFile` may hand a file of `format` to DuckDB's readers (else the parsers read it). */
export function duckdbMayRead(format: FormatName, options: IngestOptions): boolean {
  return options.fastPath !== false && eventSource(format)?.table !== undefined;
}

/** Until detection knows them: NDJSON with SendGrid fields, or a PowerMTA accounting header. */
function sniffFastFormat(head: string): FormatName | null {
  if (head.trimStart().startsWith("{") && head.includes('"sg_event_id"')) return "sendgrid";
  const header = csvHeader(head);
  if (header?.includes("type") && header.includes("rcpt")) return "pmta";
  return null;
}
