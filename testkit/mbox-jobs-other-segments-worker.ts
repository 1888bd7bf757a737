import { workerData } from "node:worker_threads";

/**
 * Test-only second thread for mbox-in-jobs.ts: the real one (src/pipeline/mbox-in-jobs-worker.ts) cutting
 * the mbox into segments of another size, so that none of its segments is the first thread's.
 */
(workerData as { segmentBytes: number }).segmentBytes *= 2;
await import("../src/pipeline/mbox-in-jobs-worker.ts");
