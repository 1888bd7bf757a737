import { debugLog } from "../util/debug.ts";

/** With DELIVERLENS_DEBUG set, prints how long each step took (stderr); otherwise silent. */
export function stopwatch(): (step: string) => void {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    debugLog(`  ${step}: ${((now - last) / 1000).toFixed(2)} s`);
    last = now;
  };
}

/** With DELIVERLENS_DEBUG set, prints one line about a step (stderr); otherwise silent. */
export function debugLine(text: string): void {
  debugLog(`  ${text}`);
}
