import type { SegmentRange } from "./classify-email.ts";
import type { Tasks } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import type { HelperRequest } from "./helper-process.ts";

type FilesModule = typeof import("./classify-files.ts");

/**
 * The second process of `classify` (started by helper-process.ts): does the jobs its parent sends (see
 * classify-parallel.ts), one at a time, in order, and answers each with its result. Listens at once: a job
 * sent while `modules` still load waits in the queue, not lost.
 */
export function serveJobs(modules: Promise<FilesModule>): void {
  /** One options object per distinct options, so each keeps its reply cache across jobs. */
  const optionsSeen = new Map<string, ClassifyOptions>();
  let queue: Promise<unknown> = modules;
  const run = async ({ task, job, options }: HelperRequest): Promise<unknown> => {
    const { classifyWholeFiles } = await modules;
    const key = JSON.stringify(options);
    const shared = optionsSeen.get(key) ?? { ...options };
    optionsSeen.set(key, shared);
    if (task === "mbox") return (await modules).classifySegmentRange(job as SegmentRange);
    if (task !== "files") throw new Error(`no such task: ${task}`);
    return classifyWholeFiles(job as Tasks["files"]["job"], shared);
  };
  process.on("message", (message: HelperRequest) => {
    queue = queue.then(async () => {
      const result = await run(message);
      if (process.connected) process.send?.({ id: message.id, result });
    });
  });
  // When the parent disconnects (done with it, or gone) nothing is left to wait for: the process ends by itself.
}
