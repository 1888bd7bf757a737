import type { SegmentRange } from "./classify-email.ts";
import type { HelperRequest } from "./helper-process.ts";

type SegmentsModule = Pick<typeof import("./classify-email.ts"), "classifySegmentRange">;

/**
 * The second process of `classify` (started by helper-process.ts): does the jobs its parent sends (an mbox's
 * segments, see classify-parallel.ts), one at a time, in order, and answers each with its result. Listens at
 * once: a job sent while `modules` still load waits in the queue, not lost.
 */
export function serveJobs(modules: Promise<SegmentsModule>): void {
  let queue: Promise<unknown> = modules;
  const run = async ({ task, job }: HelperRequest): Promise<unknown> => {
    if (task !== "mbox") throw new Error(`no such task: ${task}`);
    return (await modules).classifySegmentRange(job as SegmentRange);
  };
  process.on("message", (message: HelperRequest) => {
    queue = queue.then(async () => {
      const result = await run(message);
      if (process.connected) process.send?.({ id: message.id, result });
    });
  });
  // When the parent disconnects (done with it, or gone) nothing is left to wait for: the process ends by itself.
}
