/**
 * Preloaded by the benchmarks (`node --require bench/peak-rss.cjs …`, or `--import bench/peak-rss.ts`): reports
 * the process's peak RSS and CPU time at exit (CPU time tells what a quiet machine would take when the machine
 * is busy), and the kernel's part of it with the minor page faults behind much of that part (valgrind, which
 * the benches' instruction counts come from, sees none of it: a process's start is mostly faults). CommonJS so that `--require` takes it: a process started from a startup snapshot (classify's
 * helper) runs `--require` preloads but not `--import` ones.
 */
// Once per process: a worker thread runs preloads too, and its report (the whole process's usage, so far)
// would be counted twice by a bench that sums, or taken instead of the final one by a bench that reads the first.
if (require("node:worker_threads").isMainThread) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    process.stderr.write(
      `DELIVERLENS_PEAK_RSS_KB=${usage.maxRSS}\nDELIVERLENS_CPU_US=${usage.userCPUTime + usage.systemCPUTime}\n` +
        `DELIVERLENS_SYS_US=${usage.systemCPUTime}\nDELIVERLENS_MINOR_FAULTS=${usage.minorPageFault}\n`,
    );
  });
}
