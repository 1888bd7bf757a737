/** With DELIVERLENS_DEBUG set, prints how long each step took (stderr); otherwise silent. */
export function stopwatch(): (step: string) => void {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    if (process.env.DELIVERLENS_DEBUG)
      process.stderr.write(`  ${step}: ${((now - last) / 1000).toFixed(2)} s\n`);
    last = now;
  };
}

/** With DELIVERLENS_DEBUG set, prints one line about a step (stderr); otherwise silent. */
export function debugLine(text: string): void {
  if (process.env.DELIVERLENS_DEBUG) process.stderr.write(`  ${text}\n`);
}
