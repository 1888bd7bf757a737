/**
 * Preloaded by the benchmarks (`node --import bench/peak-rss.ts …`): reports the process's peak RSS and
 * CPU time at exit (CPU time tells what a quiet machine would take when the machine is busy).
 */
process.on("exit", () => {
  const usage = process.resourceUsage();
  process.stderr.write(
    `DELIVERLENS_PEAK_RSS_KB=${usage.maxRSS}\nDELIVERLENS_CPU_US=${usage.userCPUTime + usage.systemCPUTime}\n`,
  );
});
