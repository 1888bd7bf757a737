import { closeSync, statSync } from "node:fs";
import { startsReaderThreads } from "../../dmarc/read-pool.ts";
import { openInputWithHead } from "../../events/index.ts";
import { formatOf, type IngestOptions } from "./ingest.ts";
import { openForShards } from "./shard-staging.ts";

/**
 * Whether an `ingest` of `paths` (the files its inputs expand to) starts no worker thread: too few files for the
 * report readers' threads (read-pool.ts), and every one a regular file of a format it can tell (not stdin or a
 * pipe) that the parsers, whether DuckDB's readers take it or leave it to them, would not read on two threads
 * (shard-staging.ts: a big plain log; its pipe's feeding thread, pipe-feed.ts, starts only for those). Asked
 * with the very functions and limits those use, so a change to one of them changes the answer too. False when
 * in doubt (a file it cannot open or tell the format of).
 *
 * What it is for: ingest's startup snapshot (src/cli/ingest-snapshot.ts) runs only such an ingest. A worker
 * thread of a process started from a user-land snapshot aborts the whole process (SIGABRT) when it initialises a
 * binding with per-isolate templates the snapshot's build initialised already (stream_wrap, crypto…: Node 24's
 * IsolateData asserts they are unset), and every reader and parser thread of the ingest path loads one. A log
 * or an email its parsers read on this thread runs there too: running bin/ again from the plain modules cost
 * such an ingest ~0.15 CPU-s and its modules' load.
 */
export async function startsNoThreads(
  paths: readonly string[],
  options: Pick<IngestOptions, "format">,
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
    if (format === null) return false;
    const shards = openForShards(path, format);
    if (shards) {
      closeSync(shards.fd);
      return false;
    }
  }
  return true;
}
