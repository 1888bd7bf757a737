/** Preloaded by the benchmarks (`node --import bench/peak-rss.ts …`): reports the process's peak RSS at exit. */
process.on("exit", () => {
  process.stderr.write(`DELIVERLENS_PEAK_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
