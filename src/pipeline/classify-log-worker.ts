import { parentPort, receiveMessageOnPort } from "node:worker_threads";
import type { ChunkMemory } from "../bounce/line-bytes.ts";
import type { ShardEnd, ShardJob } from "./classify-log-shard.ts";

/**
 * The second reader of a log (see classify-log-threads.ts): its shard's batches, sent as they are read. It may
 * start before its log is known (log-thread-ahead.ts): it loads its modules, then waits for its job.
 */

/** The job the main thread sends first: the shard, the line index both threads share, how far ahead to go. */
export interface LogThreadSetup {
  job: ShardJob;
  memory: ChunkMemory;
  ahead: number;
  indexAhead: number;
}

// Started by moduleWorker with the disk compile cache on, as bin/deliverlens.js does.
const { shardBatches, threadCpu } = await import("./classify-log-shard.ts");
const { EventClassifier } = await import("./classify-events.ts");
const { newCounters } = await import("../events/source.ts");
const { SharedLineIndex } = await import("../events/line-index.ts");
const { job, memory, ahead, indexAhead } = await new Promise<LogThreadSetup>((resolve) => {
  parentPort?.once("message", resolve);
});
/** The line indexes both threads share, and how far each has read: this thread stays within `ahead` chunks. */
const lines = new SharedLineIndex(memory, job.shard.index, job.shard.count);
const counters = newCounters();
/** Memory of batches the main thread has read, moved back here for the next batches. */
const spares: ArrayBuffer[] = [];
const startCpu = threadCpu();
/** Milliseconds waited for the main thread to come within `ahead` chunks. */
let waited = 0;
let sent = 0;
for (const batch of shardBatches(job, new EventClassifier(), counters, spares, lines)) {
  // Ahead of the main thread by its lead: the chunks it will read next are indexed here meanwhile.
  if (lines.chunksRead(0) < sent - ahead + 1) lines.indexAhead(indexAhead);
  const waiting = performance.now();
  lines.waitFor(0, sent - ahead + 1, Number.POSITIVE_INFINITY);
  waited += performance.now() - waiting;
  parentPort?.postMessage(batch, [
    batch.json.buffer,
    batch.starts.buffer,
    batch.ends.buffer,
    batch.lines.buffer,
    batch.kinds.buffer,
  ]);
  sent++;
  for (let back = receive(); back !== undefined; back = receive()) spares.push(back.message.spare);
}
const end: ShardEnd = { counters, times: { cpu: threadCpu(), startCpu, waited: waited / 1000 } };
parentPort?.postMessage(end);

function receive(): { message: { spare: ArrayBuffer } } | undefined {
  return parentPort ? receiveMessageOnPort(parentPort) : undefined;
}
