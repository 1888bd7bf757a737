import module from "node:module";
import { parentPort } from "node:worker_threads";

/** A reader thread of `ingest` (src/dmarc/read-pool.ts): reads, validates and prepares the report files it is sent. */

// As bin/deliverlens.js does for the main thread: compiled modules from the disk cache (start-up CPU).
module.enableCompileCache?.();
const { readPrepared } = await import("./read-pool.ts");

parentPort?.on("message", (message: { id: number; path: string }) => {
  void readPrepared(message.path).then((result) => parentPort?.postMessage({ id: message.id, result }));
});
