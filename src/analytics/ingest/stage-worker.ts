import { parentPort, workerData } from "node:worker_threads";
import type { ShardJob, ShardMessage, ShardOutput } from "./shard-rows.ts";

/** The second shard of a log being staged (see shard-staging.ts): its rows written to its own output. */

// Started by moduleWorker with the disk compile cache on, as bin/deliverlens.js does.
const { OutputWriter, STOP, stageShard } = await import("./shard-rows.ts");
const { newCounters } = await import("../../events/source.ts");
const { SharedLineIndex } = await import("../../events/line-index.ts");
const { job, output, flags, lines } = workerData as {
  job: ShardJob;
  output: ShardOutput;
  flags: SharedArrayBuffer;
  lines: SharedArrayBuffer;
};
const post = (message: ShardMessage) => parentPort?.postMessage(message);
const stop = new Int32Array(flags);
const stopped = () => (Atomics.load(stop, STOP) === 1 ? new Error("stopped") : null);
const writer = new OutputWriter(output, stopped, (fd) => post({ opened: fd }));
let last: ShardMessage;
try {
  const staged = await stageShard(
    job,
    { index: 1, count: 2 },
    newCounters(),
    (bytes) => writer.write(bytes),
    undefined,
    new SharedLineIndex(lines, 1, 2),
  );
  writer.end();
  last = { staged: { ...staged, waitedSeconds: writer.waitedSeconds } };
} catch (error) {
  writer.end();
  last = { failed: (error as Error).message };
}
post(last);
