import { parentPort, workerData } from "node:worker_threads";
import type { ShardJob, ShardMessage } from "./shard-rows.ts";

/** The second shard of a log being staged (see shard-staging.ts): its CSV bytes, sent as they are made. */

// Started by moduleWorker with the disk compile cache on, as bin/deliverlens.js does.
const { stageShard, workerHand } = await import("./shard-rows.ts");
const { newCounters } = await import("../../events/source.ts");
const { job, flags, ahead } = workerData as { job: ShardJob; flags: SharedArrayBuffer; ahead: number };
const post = (message: ShardMessage, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(message, transfer);
try {
  const hand = workerHand(new Int32Array(flags), ahead, (bytes) => post({ bytes }, [bytes.buffer]));
  post({ staged: await stageShard(job, { index: 1, count: 2 }, newCounters(), hand) });
} catch (error) {
  post({ failed: (error as Error).message });
}
