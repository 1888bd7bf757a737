import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { topTierOn } from "../src/pipeline/compiler-tier.ts";
import { RESULTS } from "../src/pipeline/job-frames.ts";

/**
 * Test-only second process for files-in-jobs.ts: the real one (jobs-process.ts), which ends instead of writing
 * a result when its compiler tier (compiler-tier.ts) is not the one DELIVERLENS_TEST_TOP_TIER says ("on" or
 * "off"): the jobs it took are then lost, and the first process does them itself.
 */
const write = fs.writeSync;
fs.writeSync = ((fd: number, ...rest: unknown[]) => {
  if (fd === RESULTS && topTierOn() !== (process.env.DELIVERLENS_TEST_TOP_TIER === "on")) process.exit(3);
  return (write as (...args: unknown[]) => number)(fd, ...rest);
}) as typeof fs.writeSync;
syncBuiltinESMExports();

export const { serveJobs } = await import("../src/pipeline/jobs-process.ts");
