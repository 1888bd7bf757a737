import { setFlagsFromString } from "node:v8";
import { type TransferListItem, Worker } from "node:worker_threads";

/**
 * A worker thread running the module `name` of the folder of `folderUrl` (a module's `import.meta.url`)
 * with `workerData` (`transferList`: what in it is moved, not copied): `name.ts` in a checkout, `name.js` in
 * the compiled package.
 */
export function moduleWorker(
  folderUrl: string,
  name: string,
  workerData: unknown,
  transferList: readonly TransferListItem[] = [],
): Worker {
  const extension = folderUrl.endsWith(".ts") ? "ts" : "js";
  const entry = new URL(`./${name}.${extension}`, folderUrl).href;
  // A worker does not inherit the main thread's disk compile cache (bin/deliverlens.js): it is turned on
  // before the worker's first module loads, so even that one is not compiled (and type-stripped) afresh.
  return new Worker(`require("node:module").enableCompileCache?.(); import(${JSON.stringify(entry)});`, {
    eval: true,
    workerData,
    transferList: [...transferList],
  });
}

/**
 * The young generation (V8's semi-space, MB) the heaps of workers started from now on begin with: what
 * classify's startup-snapshot process starts its own with (bin/deliverlens.js), for a worker that allocates as
 * fast (a big log's parsing thread: each message's parse, each record's JSON or CSV row). From V8's default
 * (1 MB, grown as it scavenges) classify's log thread collected 12–13 times over a 1M-line grep'd log, from
 * 16 MB 4 times (--trace-gc). V8's flags hold for the whole process and are read when a heap is made: call it
 * just before starting such a worker. A semi-space size this process was given (its options or NODE_OPTIONS)
 * is kept.
 */
const BUSY_SEMI_SPACE_MB = 16;

export function busyWorkerHeaps(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  if (given.some((arg) => /^--(?:min|max)-semi-space-size\b/.test(arg))) return;
  setFlagsFromString(`--min-semi-space-size=${BUSY_SEMI_SPACE_MB}`);
}
