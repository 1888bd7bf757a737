import { parentPort } from "node:worker_threads";
import type { Tasks } from "./classify-parallel.ts";

/**
 * The second thread of `classify` for a big mbox (see classify-parallel.ts): classifies the segments it is
 * sent, one at a time, in order. A thread, not the helper process: a segment's megabytes reach a thread by
 * postMessage at once, while down a pipe they move only as both event loops turn (the helper was left a quarter
 * of the segments, measured).
 */

// Started by classify-parallel.ts with the disk compile cache on (start-up CPU), as bin/deliverlens.js does.
const { classifySegment } = await import("./classify-email.ts");

let queue = Promise.resolve();
parentPort?.on("message", (message: { id: number; job: Tasks["mbox"]["job"] }) => {
  queue = queue.then(() => {
    const { raw, file, line, problem } = message.job;
    const result = classifySegment(
      Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
      file,
      line,
      problem,
    );
    parentPort?.postMessage({ id: message.id, result });
  });
});
