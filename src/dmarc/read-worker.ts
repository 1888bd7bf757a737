import module from "node:module";
import { parentPort } from "node:worker_threads";

/** A reader thread of `ingest` (src/dmarc/read-pool.ts): reads, validates and prepares the report files it is sent. */

// As bin/deliverlens.js does for the main thread: compiled modules from the disk cache (start-up CPU).
module.enableCompileCache?.();
const { lowerReaderPriority, readPrepared } = await import("./read-pool.ts");
lowerReaderPriority();

parentPort?.on("message", (message: { id: number; path: string; route: boolean }) => {
  void readPrepared(message.path, message.route).then((result) => {
    // The rows' CSV bytes move to the main thread instead of being copied (each has its own buffer).
    const transfer: ArrayBuffer[] = [];
    for (const report of result.reports)
      if (report.kind === "dmarc-aggregate") transfer.push(report.stored.rowsCsv.buffer as ArrayBuffer);
    parentPort?.postMessage({ id: message.id, result }, transfer);
  });
});
