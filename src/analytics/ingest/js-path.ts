import { DuckDBTimestampValue } from "@duckdb/node-api";
import type { DeliveryEvent, ParseProblem } from "../../events/event.ts";
import type { FormatName } from "../../events/formats.ts";
import { isProblem, openInput, type ReadOptions, readEventBatches } from "../../events/index.ts";
import type { Store } from "../../store/index.ts";
import { MAX_RAW, STAGING_COLUMNS, type StagingRow, stagingRow } from "./staging.ts";

type Appender = Awaited<ReturnType<Store["connection"]["createAppender"]>>;

/**
 * Any format, through the events parsers (src/events/): each event or problem becomes a staging row via
 * the DuckDB appender (`options.onBytes` reports progress).
 */
export async function stageWithParsers(
  store: Store,
  path: string,
  format: FormatName,
  options: ReadOptions,
): Promise<void> {
  const appender = await store.connection.createAppender("staging", "main", "temp");
  for await (const batch of readEventBatches(openInput(path), format, path, options)) {
    for (const item of batch) {
      appendRow(appender, isProblem(item) ? problemRow(item) : (stagingRow(item, format) ?? noTimeRow(item)));
    }
  }
  appender.closeSync();
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
