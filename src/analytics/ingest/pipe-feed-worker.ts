import { parentPort, workerData } from "node:worker_threads";
import type { ChunkMessage, FeedMessage, FeedPort } from "./pipe-feed.ts";

/**
 * The thread that feeds one named pipe (see pipe-feed.ts): writes the parsers' chunks in the order they
 * come, frees each slot once DuckDB took its bytes, and closes the pipe after every parser's end.
 */

// Started by moduleWorker with the disk compile cache on, as bin/deliverlens.js does.
const { PipeWriter } = await import("./pipe-writer.ts");
const { BIG, FEED_STOP, FEED_WRITTEN, SLOT_BYTES } = await import("./pipe-feed.ts");
const { path, feeds, flags } = workerData as { path: string; feeds: FeedPort[]; flags: SharedArrayBuffer };
const shared = new Int32Array(flags);
const stopped = () => (Atomics.load(shared, FEED_STOP) === 1 ? new Error("stopped") : null);
const post = (message: FeedMessage) => parentPort?.postMessage(message);
const writer = new PipeWriter(path);
const ended = new Set<FeedPort>();
// One write at a time, in arrival order: each starts as the one before is taken by DuckDB.
let writing: Promise<void> = Promise.resolve();
let failed = false;

const fail = (error: unknown) => {
  if (failed) return;
  failed = true;
  writer.destroy();
  post({ failed: (error as Error).message });
};

// Chunks handed over and not written yet; since when none were (the pipe's reader waits for the parsers).
let pending = 0;
let emptySince: number | null = null;
let emptySeconds = 0;

const write = (bytes: Uint8Array, done: () => void) => {
  if (emptySince !== null) emptySeconds += (performance.now() - emptySince) / 1000;
  emptySince = null;
  pending++;
  writing = writing.then(async () => {
    if (failed) return;
    await writer.write(bytes, stopped);
    done();
    if (--pending === 0) emptySince = performance.now();
  });
  writing.catch(fail);
};

for (const feed of feeds) {
  const slots = Buffer.from(feed.slots);
  const states = new Int32Array(feed.states);
  feed.port.on("message", (message: ChunkMessage) => {
    if ("slot" in message) {
      const at = message.slot * SLOT_BYTES;
      write(slots.subarray(at, at + message.length), () => free(states, message.slot));
    } else if ("bytes" in message) write(new Uint8Array(message.bytes), () => free(states, BIG));
    else end(feed);
  });
  // A parsing thread that stops without its end message (it died: its port closes with it) ends too; the
  // main thread fails the staging then.
  feed.port.on("close", () => end(feed));
}

/** A slot (or the big chunk's place) written: the parser may fill it again. */
function free(states: Int32Array, slot: number): void {
  Atomics.store(states, slot, 0);
  Atomics.notify(states, slot);
}

/** A parser's end; after the last one's, the pipe closes once every chunk before is written. */
function end(feed: FeedPort): void {
  if (ended.has(feed)) return;
  ended.add(feed);
  feed.port.close();
  if (ended.size < feeds.length) return;
  writing = writing.then(async () => {
    if (failed) return;
    Atomics.store(shared, FEED_WRITTEN, 1);
    await writer.end(stopped);
    post({ ended: true, waitedSeconds: writer.waitedSeconds, emptySeconds });
  });
  writing.catch(fail);
}
