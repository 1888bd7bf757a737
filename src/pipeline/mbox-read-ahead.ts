import type { Worker } from "node:worker_threads";
import { CHUNK_BYTES } from "../events/input.ts";
import { moduleWorker } from "../util/module-worker.ts";
import { type MboxReaderShared, STOP, TAKEN } from "./mbox-read-ahead-layout.ts";
import type { Segment } from "./mbox-segmenter.ts";

type Message =
  | { raw: Uint8Array; line: number; starts: Int32Array; lines: Int32Array; problem?: Segment["problem"] }
  | { end: true }
  | { error: { message: string; code?: string } };

/**
 * A big mbox's segments (MboxSegmenter), read and cut on a second thread (mbox-reader-worker.ts) while this
 * thread classifies the ones before, each with its messages (splitMbox): the file's reading, the boundary
 * search, line counting and copying leave this thread, and no second isolate repeats the classifier's warm-up (a second process did). The
 * same segments, in the same order, as MboxSegmenter over the file's chunks here; a read error ends them as
 * it would here (same message and code).
 */
export async function* segmentsReadAhead(file: string): AsyncGenerator<Segment> {
  const reader = new MboxReader(file);
  try {
    for (;;) {
      const message = await reader.next();
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
    reader.stop();
  }
}

class MboxReader {
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

  /** The next message, waited for; taking it lets the reader send one more. */
  async next(): Promise<Message> {
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
    Atomics.add(this.control, TAKEN, 1);
    Atomics.notify(this.control, TAKEN);
    return this.received.shift() as Message;
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
