import { closeSync, openSync, readSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { splitMbox } from "../bounce/email/mbox.ts";
import { AHEAD, type MboxReaderShared, STOP, TAKEN } from "./mbox-read-ahead-layout.ts";
import { MboxSegmenter, type Segment } from "./mbox-segmenter.ts";

/**
 * The reading thread of a big mbox (mbox-read-ahead.ts): reads the file, cuts it into segments of whole
 * messages (MboxSegmenter, as the classifying thread would) and sends each, its bytes moved, not copied
 * again; at most AHEAD segments sent and not yet taken. Ends with `{ end: true }`, or the read error. Loads
 * only the segmenter (and limits.ts): not the classifier.
 */
const { file, control, chunkBytes } = workerData as MboxReaderShared;
const port = parentPort;
let sent = 0;

/** Sends the message once fewer than AHEAD are waiting; false when the classifying thread wants no more. */
function send(message: unknown, transfer: ArrayBuffer[] = []): boolean {
  for (
    let taken = Atomics.load(control, TAKEN);
    sent - taken >= AHEAD;
    taken = Atomics.load(control, TAKEN)
  ) {
    if (Atomics.load(control, STOP) !== 0) return false;
    Atomics.wait(control, TAKEN, taken, 100);
  }
  if (Atomics.load(control, STOP) !== 0) return false;
  port?.postMessage({ index: sent, ...(message as object) }, transfer);
  sent++;
  return true;
}

/**
 * Each segment in a buffer of its own (a segment's bytes may share theirs with the bytes still pending), with
 * its messages as splitMbox cuts them (where each starts in the segment, the line it starts on): the
 * classifying thread then only classifies.
 */
function sendAll(segments: Segment[]): boolean {
  for (const segment of segments) {
    const raw = new Uint8Array(segment.raw.length);
    raw.set(segment.raw);
    const messages = segment.raw.length > 0 ? splitMbox(segment.raw) : [];
    const starts = Int32Array.from(messages, (message) => message.raw.byteOffset - segment.raw.byteOffset);
    const lines = Int32Array.from(messages, (message) => message.line);
    const { line, problem } = segment;
    const message = problem ? { raw, line, starts, lines, problem } : { raw, line, starts, lines };
    if (!send(message, [raw.buffer, starts.buffer, lines.buffer])) return false;
  }
  return true;
}

function readAll(): boolean {
  const segmenter = new MboxSegmenter(file);
  const fd = openSync(file, "r");
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const got = readSync(fd, chunk, 0, chunkBytes, null);
      if (got === 0) break;
      if (!sendAll(segmenter.push(got < chunkBytes ? chunk.subarray(0, got) : chunk))) return false;
      if (segmenter.done) break;
    }
  } finally {
    closeSync(fd);
  }
  return sendAll(segmenter.finish());
}

try {
  if (readAll()) send({ end: true });
} catch (error) {
  // What describeError needs to word it as the classifying thread's own read would have been.
  const { message, code } = error as NodeJS.ErrnoException;
  send({ error: { message: String(message ?? error), code } });
}
