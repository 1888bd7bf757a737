import { parentPort, workerData } from "node:worker_threads";
import type { TaskName, Tasks } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";

/** The second thread of `classify`: does the jobs it is sent (see classify-parallel.ts), one at a time, in order. */

// Started by classify-parallel.ts with the disk compile cache on (start-up CPU), as bin/deliverlens.js does.
const { classifyWholeFiles } = await import("./classify-files.ts");
const { classifySegment } = await import("./classify-email.ts");
const options: ClassifyOptions = { ...(workerData as ClassifyOptions) };

function run(task: TaskName, job: unknown): Promise<unknown> | unknown {
  if (task === "files") return classifyWholeFiles(job as Tasks["files"]["job"], options);
  const { raw, file, line, problem } = job as Tasks["mbox"]["job"];
  return classifySegment(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), file, line, problem);
}

let queue = Promise.resolve();
parentPort?.on("message", (message: { task: TaskName; id: number; job: unknown }) => {
  queue = queue.then(async () => {
    parentPort?.postMessage({ id: message.id, result: await run(message.task, message.job) });
  });
});
