import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { RESULTS } from "../src/pipeline/job-frames.ts";

/**
 * Test-only second process for files-in-jobs.ts and mbox-in-jobs.ts: the real one (jobs-process.ts), which
 * holds its first result a second and a half before writing it back.
 */
const write = fs.writeSync;
let first = true;
fs.writeSync = ((fd: number, ...rest: unknown[]) => {
  if (fd === RESULTS && first) {
    first = false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
  }
  return (write as (...args: unknown[]) => number)(fd, ...rest);
}) as typeof fs.writeSync;
syncBuiltinESMExports();

export const { serveJobs } = await import("../src/pipeline/jobs-process.ts");
