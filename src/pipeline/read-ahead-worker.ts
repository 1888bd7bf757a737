import { closeSync, constants, openSync, readSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { DONE, NEXT, type ReadAheadShared } from "./read-ahead-layout.ts";

/**
 * The reading thread of read-ahead.ts: takes the next file no thread has taken, reads it from its start
 * into its slot (one read of the whole slot: a file that ends before the slot does is whole), and marks
 * the slot with the file's index. A slot is free again once the classifying thread is past the file it
 * holds. Only node built-ins: the thread starts in a few milliseconds, on the other core.
 */
const { paths, streams, control, slots, bytes, slotBytes } = workerData as ReadAheadShared;
const slotCount = slots.length / 2;
/** A nap while every slot is full: the classifying thread takes ~0.04 ms a file, ~25 of the 64 meanwhile. */
const NAP_MS = 1;

for (;;) {
  const index = Atomics.load(control, NEXT);
  if (index >= paths.length) break;
  const slot = index % slotCount;
  const done = Atomics.load(control, DONE);
  if (Atomics.load(slots, slot) >= done) {
    // The classifying thread has not finished with the file there: nap (only stop() wakes it early).
    Atomics.wait(control, DONE, done, NAP_MS);
    continue;
  }
  // The classifying thread takes a file itself when it gets there first: then this one moves on.
  if (Atomics.compareExchange(control, NEXT, index, index + 1) !== index) continue;
  slots[slotCount + slot] = readInto(paths[index], new Uint8Array(bytes, slot * slotBytes, slotBytes));
  Atomics.store(slots, slot, index);
}

/**
 * How many bytes of the file the slot holds; -1 when the classifying thread must open it (any error). A path
 * named as a stream (a FIFO, a device) is never opened here; any other is opened without blocking all the same
 * (one made a FIFO since the walk would wait for a writer) and read by position (a pipe or terminal then
 * fails, ESPIPE, and gives up none of its bytes).
 */
function readInto(path: string, into: Uint8Array): number {
  if (streams.has(path)) return -1;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      return readSync(fd, into, 0, into.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return -1; // opened again by the classifying thread, as without this one, which reports what it finds
  }
}
