/**
 * Detaches an empty ArrayBuffer, the first time it is called in a thread. A thread's first detach (a
 * postMessage transfer, a WebAssembly memory's grow) invalidates a V8 protector that optimized code reading
 * typed arrays relies on: when that came mid-run, every such function was thrown away at once (--trace-deopt
 * "dependent property cell changed": 29 at 4M log lines; 9 in each process of a folder of bounce emails, when
 * header-bytes.ts's memory first grew) and compiled again. Done first, before any of them is optimized,
 * nothing depends on it.
 */
export function detachFirst(): void {
  if (detached) return;
  detached = true;
  new ArrayBuffer(0).transfer();
}

let detached = false;
