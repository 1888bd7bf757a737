import type { Worker } from "node:worker_threads";
import { CHUNK_BYTES } from "../events/input.ts";
import { moduleWorker } from "../util/module-worker.ts";
import { type MboxReaderShared, STOP, TAKEN } from "./mbox-read-ahead-layout.ts";
import type { Segment } from "./mbox-segmenter.ts";

/** Each message carries the index of the segment it is (the end and a read error: the index after the last). */
type Message = { index: number } & (
  | { raw: Uint8Array; line: number; starts: Int32Array; lines: Int32Array; problem?: Segment["problem"] }
  | { end: true }
  | { error: { message: string; code?: string } }
);

/**
 * A big mbox's segments (MboxSegmenter), read and cut on a second thread (mbox-reader-worker.ts) while this
 * thread classifies the ones before, each with its messages (splitMbox): the file's reading, the boundary
 * search, line counting and copying leave this thread, and no second isolate repeats the classifier's
 * warm-up (a second process did). The same segments, in the same order, as MboxSegmenter over the file's
 * chunks here; a read error ends them as it would here (same message and code). `here`: those segments cut
 * on this thread, taken while the reader starts (tens of milliseconds in which this thread would wait): from
 * the first segment the reader has sent that this thread has not done, the reader's are taken.
 */
export async function* segmentsReadAhead(file: string, here?: Iterator<Segment>): AsyncGenerator<Segment> {
  const reader = new MboxReader(file);
  let index = 0;
  try {
    for (; here !== undefined; index++) {
      // One turn of the event loop: the reader's messages come in.
      await new Promise(setImmediate);
      if (reader.has(index)) break;
      const next = here.next();
      if (next.done) return;
      yield next.value;
    }
    here?.return?.();
    for (; ; index++) {
      const message = await reader.next(index);
      if ("end" in message) return;
      if ("error" in message)
        throw Object.assign(new Error(message.error.message), { code: message.error.code });
      const { raw, line, starts, lines, problem } = message;
      const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
      const messages = Array.from(starts, (start, at) => ({
        raw: bytes.subarray(start, at + 1 < starts.length ? starts[at + 1] : bytes.length),
        line: lines[at],
      }));
      yield problem ? { raw: bytes, line, problem, messages } : { raw: bytes, line, messages };
    }
  } finally {
    here?.return?.();
    reader.stop();
  }
}

/** The reading thread of one mbox and the messages it has sent (exported for its tests). */
export class MboxReader {
  private readonly control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private readonly worker: Worker;
  private readonly received: Message[] = [];
  private stopped: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(file: string) {
    const shared: MboxReaderShared = { file, control: this.control, chunkBytes: CHUNK_BYTES };
    this.worker = moduleWorker(import.meta.url, "mbox-reader-worker", shared);
    // It keeps the process alive only while this thread waits for it (next).
    this.worker.unref();
    this.worker.on("message", (message: Message) => this.arrived(message));
    this.worker.on("error", (error) => this.arrived(null, error));
    // Every message the reader sent is delivered before its exit is.
    this.worker.on("exit", () => this.arrived(null, new Error("the mbox reader thread stopped")));
  }

  /** Messages sent and not yet taken: at most AHEAD (mbox-read-ahead-layout.ts). */
  get waiting(): number {
    return this.received.length;
  }

  /**
   * Whether segment `index` (or the end after it) has come from the reader; those before are dropped. Not a
   * read error: this thread, cutting its own, meets it itself (or has not, the reader's own failure).
   */
  has(index: number): boolean {
    this.dropBefore(index);
    return this.received.length > 0 && !("error" in this.received[0]);
  }

  /** The message of segment `index`, waited for; taking it (or dropping one) lets the reader send one more. */
  async next(index: number): Promise<Message> {
    this.dropBefore(index);
    if (this.received.length === 0) {
      this.worker.ref();
      try {
        while (this.received.length === 0) {
          if (this.stopped !== null) throw this.stopped;
          await new Promise<void>((resume) => {
            this.wake = resume;
          });
        }
      } finally {
        this.worker.unref();
      }
    }
    this.took();
    return this.received.shift() as Message;
  }

  /** Segments this thread has done itself. */
  private dropBefore(index: number): void {
    while (this.received.length > 0 && this.received[0].index < index) {
      this.received.shift();
      this.took();
    }
  }

  private took(): void {
    Atomics.add(this.control, TAKEN, 1);
    Atomics.notify(this.control, TAKEN);
  }

  /** No more segments are wanted: the reader ends. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, TAKEN);
    void this.worker.terminate();
  }

  private arrived(message: Message | null, error: Error | null = null): void {
    if (message !== null) this.received.push(message);
    this.stopped ??= error;
    this.wake?.();
    this.wake = null;
  }
}
