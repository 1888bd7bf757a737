import { DuckDBTimestampValue } from "@duckdb/node-api";
import type { DeliveryEvent, ParseProblem } from "../../events/event.ts";
import type { FormatName } from "../../events/formats.ts";
import { isProblem, openInput, type ReadOptions, readEventBatches } from "../../events/index.ts";
import type { Store } from "../../store/index.ts";
import { MAX_RAW, STAGING_COLUMNS, type StagingRow, stagingRow } from "./staging.ts";

type Appender = Awaited<ReturnType<Store["connection"]["createAppender"]>>;

/** What staging a file with the parsers says besides its rows. */
export interface Staged {
  /** What the reader skipped on purpose and why (bounce emails: DMARC / TLS reports, auto-replies). */
  notes: string[];
  /** Problems of a named limit (src/util/limits.ts) that cut the file: the run exits 1. */
  limits: string[];
}

/**
 * Any format, through the events parsers (src/events/): each event or problem becomes a staging row via
 * the DuckDB appender (`options.onBytes` reports progress).
 */
export async function stageWithParsers(
  store: Store,
  path: string,
  format: FormatName,
  options: ReadOptions,
): Promise<Staged> {
  const appender = await store.connection.createAppender("staging", "main", "temp");
  const limits: string[] = [];
  const limited = (item: ParseProblem): ParseProblem => {
    if (item.failed)
      limits.push(item.source.line === null ? item.message : `line ${item.source.line}: ${item.message}`);
    return item;
  };
  if (format === "email") {
    const notes = await stageEmail(appender, path, options, limited);
    appender.closeSync();
    return { notes, limits };
  }
  for await (const batch of readEventBatches(openInput(path), format, path, options)) {
    for (const item of batch) {
      appendRow(
        appender,
        isProblem(item) ? problemRow(limited(item)) : (stagingRow(item, format) ?? noTimeRow(item)),
      );
    }
  }
  appender.closeSync();
  return { notes: [], limits };
}

/**
 * Bounce emails and mboxes: one event per reported recipient; messages that are not bounces (DMARC / TLS
 * reports, auto-replies) are skipped rows, summed up in the notes returned ("2 × a DMARC aggregate report…").
 */
async function stageEmail(
  appender: Appender,
  path: string,
  options: ReadOptions,
  limited: (problem: ParseProblem) => ParseProblem,
): Promise<string[]> {
  const { emailItemBatches, isSkip } = await import("../../events/email.ts");
  const skipped = new Map<string, number>();
  let bytes = 0;
  const counted = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      options.onBytes?.(bytes);
      yield chunk;
    }
  };
  for await (const batch of emailItemBatches(counted(openInput(path)), path)) {
    for (const item of batch) {
      if (isSkip(item)) {
        skipped.set(item.note, (skipped.get(item.note) ?? 0) + 1);
        appendRow(appender, { ...EMPTY, line: item.source.line, skip: true });
      } else if (isProblem(item)) appendRow(appender, problemRow(limited(item)));
      else appendRow(appender, stagingRow(item, "email") ?? noTimeRow(item));
    }
  }
  return [...skipped].map(([note, count]) => (count > 1 ? `${count} × ${note}` : note));
}

const EMPTY: StagingRow = Object.fromEntries(STAGING_COLUMNS.map(([name]) => [name, null])) as StagingRow;

function problemRow(problem: ParseProblem): StagingRow {
  return {
    ...EMPTY,
    line: problem.source.line,
    problem: problem.message,
    raw: problem.raw?.slice(0, MAX_RAW) ?? null,
  };
}

function noTimeRow(event: DeliveryEvent): StagingRow {
  const raw = JSON.stringify({ type: event.type, recipient: event.recipient, time: event.time }).slice(
    0,
    MAX_RAW,
  );
  return { ...EMPTY, line: event.source.line, problem: "no usable timestamp", raw };
}

function appendRow(appender: Appender, row: StagingRow): void {
  for (const [name, type] of STAGING_COLUMNS) {
    const value = row[name];
    if (value === null || value === undefined) appender.appendNull();
    else if (type === "TIMESTAMP")
      appender.appendTimestamp(new DuckDBTimestampValue(BigInt(value as number) * 1000n));
    else if (type === "INTEGER") appender.appendInteger(value as number);
    else if (type === "BIGINT") appender.appendBigInt(BigInt(value as number));
    else if (type === "BOOLEAN") appender.appendBoolean(value as boolean);
    else appender.appendVarchar(String(value));
  }
  appender.endRow();
}
