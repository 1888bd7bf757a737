import type { DeliveryEvent, ParseProblem } from "../../events/event.ts";
import type { FormatName } from "../../events/formats.ts";
import { isProblem, openInput, type ReadOptions, readEventBatches } from "../../events/index.ts";
import { CsvStaging, PART_ROWS, partSql } from "./csv-staging.ts";
import { MAX_RAW, STAGING_COLUMNS, type StagingRow, stagingRow } from "./staging.ts";

/** What staging a file with the parsers says besides its rows. */
export interface Staged {
  /** What the reader skipped on purpose and why (bounce emails: DMARC / TLS reports, auto-replies). */
  notes: string[];
  /** Problems of a named limit (src/util/limits.ts) that cut the file: the run exits 1. */
  limits: string[];
  /** Rows inserted (what `insert` returned, summed). */
  inserted: number;
  /** Seconds DuckDB spent inserting parts, and of those, seconds the parsing waited for it. */
  insertSeconds: number;
  waitedSeconds: number;
}

/**
 * Any format, through the events parsers (src/events/): each event or problem becomes a staging row; the
 * rows go to DuckDB in CSV parts (csv-staging.ts), each handed to `insert` (a staging-shaped SQL source)
 * as soon as it is complete (every `partRows` rows), so DuckDB inserts one part while the next is parsed.
 * `options.onBytes` reports progress.
 */
export async function stageWithParsers(
  path: string,
  format: FormatName,
  options: ReadOptions,
  insert: (sql: string) => Promise<number>,
  partRows = PART_ROWS,
): Promise<Staged> {
  const staging = new CsvStaging();
  const limits: string[] = [];
  let inserted = 0;
  let insertSeconds = 0;
  let waitedSeconds = 0;
  // One insert at a time (one connection); the next part is parsed meanwhile.
  let pending: Promise<void> = Promise.resolve();
  const settle = async () => {
    const started = performance.now();
    await pending;
    waitedSeconds += (performance.now() - started) / 1000;
  };
  const endPart = async () => {
    const part = staging.endPart();
    if (part === null) return;
    await settle();
    const started = performance.now();
    pending = insert(partSql(part)).then((rows) => {
      insertSeconds += (performance.now() - started) / 1000;
      inserted += rows;
      staging.drop(part);
    });
    pending.catch(() => {}); // awaited (and thrown) by the next endPart or at the end
  };
  const limited = (item: ParseProblem): ParseProblem => {
    if (item.failed)
      limits.push(item.source.line === null ? item.message : `line ${item.source.line}: ${item.message}`);
    return item;
  };
  try {
    let notes: string[] = [];
    if (format === "email") notes = await stageEmail(staging, path, options, limited);
    else {
      for await (const batch of readEventBatches(openInput(path), format, path, options)) {
        for (const item of batch) {
          staging.add(
            isProblem(item) ? problemRow(limited(item)) : (stagingRow(item, format) ?? noTimeRow(item)),
          );
          if (staging.rows >= partRows) await endPart();
        }
      }
    }
    await endPart();
    await settle();
    return { notes, limits, inserted, insertSeconds, waitedSeconds };
  } finally {
    await pending.catch(() => {}); // never delete a part DuckDB is reading
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
