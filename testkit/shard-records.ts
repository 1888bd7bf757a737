import { closeSync, fstatSync, openSync } from "node:fs";
import { newLineIndexMemory, SharedLineIndex } from "../src/events/line-index.ts";
import { newCounters, type ParseCounters } from "../src/events/source.ts";
import type { EventClassifier } from "../src/pipeline/classify-events.ts";
import { shardBatches } from "../src/pipeline/classify-log-shard.ts";

/**
 * The NDJSON records a Postfix log gives as one whole shard read on its bytes with `classifier` (what the
 * parser forgot counted in `counters`). With `chunks`, its chunks are read into a chunk memory (through a
 * line index, as the CLI's threads read a big log: its lines are then read in WebAssembly), else into a
 * buffer of their own (a log of a chunk or less: in JavaScript). `lanes` false: no delivery written by its
 * line template's lane (shardBatches).
 */
export function shardRecords(
  path: string,
  classifier: EventClassifier,
  all: boolean,
  counters: ParseCounters = newCounters(),
  chunks = false,
  lanes = true,
): string[] {
  const fd = openSync(path, "r");
  const out: string[] = [];
  try {
    const job = {
      path,
      fd,
      size: fstatSync(fd).size,
      format: "postfix" as const,
      modified: null,
      all,
      shard: { index: 0, count: 1 },
    };
    const lines = chunks ? new SharedLineIndex(newLineIndexMemory(1), 0, 1) : null;
    for (const batch of shardBatches(job, classifier, counters, [], lines, lanes)) {
      const json = Buffer.from(batch.json);
      for (let i = 0; i < batch.kinds.length; i++) {
        if (batch.kinds[i] === 0) out.push(json.toString("utf8", batch.starts[i], batch.ends[i]));
      }
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
