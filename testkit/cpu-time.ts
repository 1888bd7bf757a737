/**
 * CPU milliseconds (user + system) this process spends running `work`. Tests bound this instead of wall
 * time: another process's load on a shared machine (CI, parallel test files) does not count, so a bound
 * that catches a quadratic parser never flakes because the machine was busy. Each test file runs in its
 * own process and its tests run one at a time, so the delta is this work's own.
 */
export function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** `work`'s result and the CPU milliseconds this process spent until it settled. */
export async function withCpuMs<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const before = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(before);
  return { value, ms: (used.user + used.system) / 1000 };
}
