import { closeSync, fstatSync, openSync } from "node:fs";
import { newCounters, type ParseCounters } from "../src/events/source.ts";
import type { EventClassifier } from "../src/pipeline/classify-events.ts";
import { shardBatches } from "../src/pipeline/classify-log-shard.ts";

/**
 * The NDJSON records a Postfix log gives as one whole shard read on its bytes with `classifier` (what the
 * parser forgot counted in `counters`; `lanes` false: no delivery written by its template's lane).
 */
export function shardRecords(
  path: string,
  classifier: EventClassifier,
  all: boolean,
  counters: ParseCounters = newCounters(),
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
    for (const batch of shardBatches(job, classifier, counters, [], null, lanes)) {
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
