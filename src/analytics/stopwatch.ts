import { debugLog } from "../util/debug.ts";

/**
 * With DELIVERLENS_DEBUG set, prints how long each step took (stderr): wall seconds, and the process's CPU
 * seconds (every thread, DuckDB's included: on a shared machine the firmer figure); otherwise silent.
 */
export function stopwatch(): (step: string) => void {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  return (step) => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    debugLog(
      `  ${step}: ${((now - last) / 1000).toFixed(2)} s (${((cpu.user + cpu.system) / 1e6).toFixed(2)} CPU-s)`,
    );
    last = now;
    lastCpu = process.cpuUsage();
  };
}

/** With DELIVERLENS_DEBUG set, prints one line about a step (stderr); otherwise silent. */
export function debugLine(text: string): void {
  debugLog(`  ${text}`);
}
