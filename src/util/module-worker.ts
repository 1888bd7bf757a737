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
