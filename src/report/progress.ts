/**
 * A progress line (done/total, rate, ETA) on stderr when it is a terminal; silent otherwise.
 * Redraws at most every 100 ms so hot loops can call `tick` freely.
 */
export interface Progress {
  tick(done: number): void;
  finish(): void;
}

export function createProgress(label: string, total: number | null, unit = "items"): Progress {
  const stream = process.stderr;
  if (!stream.isTTY || process.env.CI) return { tick() {}, finish() {} };
  const started = performance.now();
  let lastDraw = 0;
  let latest = 0;
  const draw = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? latest / seconds : 0;
    const parts = [
      `${label}: ${latest.toLocaleString("en-US")}${total ? `/${total.toLocaleString("en-US")}` : ""} ${unit}`,
    ];
    parts.push(`${Math.round(rate).toLocaleString("en-US")} ${unit}/s`);
    if (total && rate > 0) parts.push(`ETA ${formatSeconds(Math.max(0, (total - latest) / rate))}`);
    if (total) parts.unshift(`${Math.min(100, Math.floor((latest / total) * 100))}%`);
    stream.write(`\r\u001b[2K${parts.join("  ")}`);
  };
  return {
    tick(done) {
      latest = done;
      const now = performance.now();
      if (now - lastDraw >= 100) {
        lastDraw = now;
        draw();
      }
    },
    finish() {
      draw();
      stream.write("\n");
    },
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`;
}
