import { closeSync, statSync } from "node:fs";
import { startsReaderThreads } from "../../dmarc/read-pool.ts";
import { openInputWithHead } from "../../events/index.ts";
import { duckdbMayRead, formatOf, type IngestOptions } from "./ingest.ts";
import { openForShards } from "./shard-staging.ts";

/**
 * Whether an `ingest` of `paths` (the files its inputs expand to) is one DuckDB's readers do with this thread
 * alone: too few files for the report readers' threads (read-pool.ts), and every one a regular file of a format
 * DuckDB's readers take (not stdin, a pipe, an email, a report, a log) that the parsers, should DuckDB leave it
 * to them, would not read on two threads either (shard-staging.ts: a big plain log; its pipe's feeding thread,
 * pipe-feed.ts, starts only for those). Asked with the very functions and limits those use, so a change to
 * one of them changes the answer too. False when in doubt (a file it cannot open or tell the format of).
 *
 * What it is for: ingest's startup snapshot (src/cli/ingest-snapshot.ts) runs only such an ingest. A worker
 * thread of a process started from a user-land snapshot aborts the whole process (SIGABRT) when it initialises a
 * binding with per-isolate templates the snapshot's build initialised already (stream_wrap, crypto…: Node 24's
 * IsolateData asserts they are unset), and every reader and parser thread of the ingest path loads one.
 */
export async function duckdbOnly(
  paths: readonly string[],
  options: Pick<IngestOptions, "format" | "fastPath">,
): Promise<boolean> {
  if (paths.length === 0 || startsReaderThreads(paths.length)) return false;
  for (const path of paths) {
    if (path === "-" || statSync(path, { throwIfNoEntry: false })?.isFile() !== true) return false;
    let head: string;
    try {
      const opened = await openInputWithHead(path);
      opened.stream.destroy();
      head = opened.head;
    } catch {
      return false;
    }
    const format = formatOf(head, path, options);
    if (format === null || format === "email" || !duckdbMayRead(format, options)) return false;
    const shards = openForShards(path, format);
    if (shards) {
      closeSync(shards.fd);
      return false;
    }
  }
  return true;
}
