import module from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type { ClassifyOptions } from "./classify-source.ts";

/** The second thread of `classify`: classifies the chunks of files it is sent, one at a time, in order. */

// As bin/deliverlens.js does for the main thread: compiled modules from the disk cache (start-up CPU).
module.enableCompileCache?.();
const { classifyWholeFiles } = await import("./classify-files.ts");
const options: ClassifyOptions = { ...(workerData as ClassifyOptions) };
let queue = Promise.resolve();
parentPort?.on("message", (job: { id: number; paths: string[] }) => {
  queue = queue.then(async () => {
    parentPort?.postMessage({ id: job.id, results: await classifyWholeFiles(job.paths, options) });
  });
});
