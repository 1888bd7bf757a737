import type { DeliveryEvent, ParseProblem } from "../../events/event.ts";
import type { FormatName } from "../../events/formats.ts";
import { isProblem, openInput, type ReadOptions, readEventBatches } from "../../events/index.ts";
import { CsvStaging, partSql, type ReaderFailure } from "./csv-staging.ts";
import { MAX_RAW, STAGING_COLUMNS, type StagingRow, stagingRow } from "./staging.ts";

/** What staging a file with the parsers says besides its rows. */
export interface Staged {
  /** What the reader skipped on purpose and why (bounce emails: DMARC / TLS reports, auto-replies). */
  notes: string[];
  /** Problems of a named limit (src/util/limits.ts) that cut the file: the run exits 1. */
  limits: string[];
  /** Rows inserted (what `insert` returned). */
  inserted: number;
  /** Whether DuckDB read the rows while they were parsed (a named pipe), or after. */
  piped: boolean;
  /** Seconds the parsing waited for DuckDB to read, and then for the insert to end. */
  waitedSeconds: number;
  insertTailSeconds: number;
}

/**
 * Any format, through the events parsers (src/events/): each event or problem becomes a staging row; the
 * rows go to DuckDB as CSV (csv-staging.ts) read by one `insert` (a staging-shaped SQL source). Through a
 * named pipe, the insert starts first and reads the rows as they are parsed; otherwise it starts when the
 * file is parsed. `options.onBytes` reports progress.
 */
export async function stageWithParsers(
  path: string,
  format: FormatName,
  options: ReadOptions,
  insert: (sql: string) => Promise<number>,
  pipe = true,
): Promise<Staged> {
  const staging = new CsvStaging(pipe);
  const limits: string[] = [];
  let inserting: Promise<number> | null = null;
  let failure: unknown = null;
  const start = () => {
    inserting = insert(partSql(staging.path));
    inserting.then(
      () => {
        failure ??= new Error("DuckDB ended reading the staged rows before their end");
      },
      (error) => {
        failure = error ?? new Error("DuckDB failed reading the staged rows");
      },
    );
    return inserting;
  };
  const failed = () => failure;
  if (staging.pipe) start();
  const limited = (item: ParseProblem): ParseProblem => {
    if (item.failed)
      limits.push(item.source.line === null ? item.message : `line ${item.source.line}: ${item.message}`);
    return item;
  };
  let ended = false;
  try {
    let notes: string[] = [];
    if (format === "email") notes = await stageEmail(staging, path, options, limited, failed);
    else {
      for await (const batch of readEventBatches(openInput(path), format, path, options)) {
        for (const item of batch) {
          staging.add(
            isProblem(item) ? problemRow(limited(item)) : (stagingRow(item, format) ?? noTimeRow(item)),
          );
        }
        if (staging.full) await staging.drain(failed);
      }
    }
    ended = true;
    await staging.end(failed);
    const tail = performance.now();
    // A file without rows needs no insert; through a pipe, the insert reads none.
    const inserted = await (inserting ?? (staging.rows > 0 ? start() : 0));
    return {
      notes,
      limits,
      inserted,
      piped: staging.pipe,
      waitedSeconds: staging.waitedSeconds,
      insertTailSeconds: (performance.now() - tail) / 1000,
    };
  } finally {
    // A failed parse still ends the pipe, so DuckDB's read (and its statement) ends too, before the
    // caller rolls back on the same connection.
    if (!ended) await staging.end(failed, true);
    await (inserting as Promise<number> | null)?.catch(() => {});
    staging.close();
  }
}

/**
 * Bounce emails and mboxes: one event per reported recipient; messages that are not bounces (DMARC / TLS
 * reports, auto-replies) are skipped rows, summed up in the notes returned ("2 × a DMARC aggregate report…").
 */
async function stageEmail(
  staging: CsvStaging,
  path: string,
  options: ReadOptions,
  limited: (problem: ParseProblem) => ParseProblem,
  failed: ReaderFailure,
): Promise<string[]> {
  const { emailItemBatches, isSkip } = await import("../../pipeline/email-events.ts");
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
        staging.add({ ...EMPTY, line: item.source.line, skip: true });
      } else if (isProblem(item)) staging.add(problemRow(limited(item)));
      else staging.add(stagingRow(item, "email") ?? noTimeRow(item));
    }
    if (staging.full) await staging.drain(failed);
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
