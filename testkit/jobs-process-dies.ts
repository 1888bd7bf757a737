import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { RESULTS } from "../src/pipeline/job-frames.ts";

/**
 * Test-only second process for files-in-jobs.ts and mbox-in-jobs.ts: the real one (jobs-process.ts), which
 * writes back its first result, then dies (exit 3) instead of writing the second, holding what it was given.
 */
const write = fs.writeSync;
let results = 0;
fs.writeSync = ((fd: number, ...rest: unknown[]) => {
  if (fd === RESULTS && results++ === 1) process.exit(3);
  return (write as (...args: unknown[]) => number)(fd, ...rest);
}) as typeof fs.writeSync;
syncBuiltinESMExports();

export const { serveJobs } = await import("../src/pipeline/jobs-process.ts");
