import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import { moduleWorker } from "../../util/module-worker.ts";
import { Wakeup } from "../../util/wakeup.ts";
import type { ReaderFailure } from "./csv-staging.ts";

/**
 * One named pipe fed by its own thread (pipe-feed-worker.ts) with the CSV chunks of every parsing thread.
 * DuckDB's CSV reader takes a pipe 32 MB at a time and inserts them reading nothing meanwhile; a parser
 * writing the pipe itself stalled then (one thread, 4M lines: it waited 14 s of 31), and two parsers with
 * a pipe each took turns, since DuckDB reads a second pipe only once the first has ended (near-quiet 4M:
 * the pipes ended at 13.8 s and 26.4 s). Here each parser copies its chunks into a few shared slots and
 * goes on parsing; the feeding thread, idle but for libuv's writes, writes them as soon as DuckDB reads,
 * whichever parser made them (rows need no order: each keeps its line).
 */

/** Bytes a slot holds: a CsvRows chunk (handed over from 1 MB) with a row or more past it. */
export const SLOT_BYTES = 2 << 20;
/** Slots per parsing thread: what DuckDB takes in one read (32 MB) spread over two parsers' chunks. */
export const SLOTS = 16;
/**
 * The state after the slots: a chunk larger than a slot (a row of several MB) goes as its own buffer, one
 * at a time per thread, so that rows of hostile size cannot pile up in the feeding thread.
 */
export const BIG = SLOTS;
/** How often a parser waiting for a free slot looks whether it should stop (the reader failed). */
const STOP_POLL_MS = 20;
/** A timer that outlasts any wait for a slot (cleared when the wait ends). */
const KEEP_ALIVE_MS = 60_000;

/**
 * Flags shared by the feeding thread and the main thread: [stop] (set: close the pipe at once), [written]
 * (set: every chunk is written, the pipe is being closed: DuckDB may end its read without a failure).
 */
export const FEED_STOP = 0;
export const FEED_WRITTEN = 1;

/** What a parsing thread needs to hand its chunks to the feeding thread (posted to it, `port` transferred). */
export interface FeedPort {
  port: MessagePort;
  /** SLOTS × SLOT_BYTES of chunk bytes. */
  slots: SharedArrayBuffer;
  /** Int32 per slot, and for the big chunk (BIG): 0 free, 1 handed over (freed once written). */
  states: SharedArrayBuffer;
}

/** A parser's message to the feeding thread. */
export type ChunkMessage = { slot: number; length: number } | { bytes: ArrayBuffer } | { end: true };

/**
 * The feeding thread's message: the pipe is closed (`ended`) after every chunk — having waited
 * `waitedSeconds` for DuckDB to read, and `emptySeconds` with nothing to write (DuckDB waiting for the
 * parsers) — or it failed.
 */
export type FeedMessage = { ended: true; waitedSeconds: number; emptySeconds: number } | { failed: string };

/** What the feeding thread waited for: DuckDB to read, the parsers to hand rows over. */
export interface FeedWaits {
  waitedSeconds: number;
  emptySeconds: number;
}

/**
 * A parsing thread's side (any thread): `send` copies a chunk into a free slot and returns, waiting only
 * while all of its slots are still being written.
 */
export class ChunkSender {
  private readonly port: MessagePort;
  private readonly slots: Buffer;
  private readonly states: Int32Array;
  private next = 0;
  /** Seconds spent waiting for a free slot (DuckDB reading behind). */
  waitedSeconds = 0;

  constructor(feed: FeedPort) {
    this.port = feed.port;
    this.slots = Buffer.from(feed.slots);
    this.states = new Int32Array(feed.states);
  }

  /**
   * Hands whole rows' bytes over (copied: the caller may reuse its buffer); while it waits for a slot,
   * throws `stopped`'s failure (the reader's, the feeding thread's, or a stop).
   */
  async send(bytes: Uint8Array, stopped: ReaderFailure): Promise<void> {
    if (bytes.length === 0) return;
    if (bytes.length > SLOT_BYTES) {
      // A chunk ending in a row of several MB: rare, sent as its own buffer once the last one is written.
      await this.free(BIG, stopped);
      Atomics.store(this.states, BIG, 1);
      const copy = new Uint8Array(bytes);
      this.port.postMessage({ bytes: copy.buffer } satisfies ChunkMessage, [copy.buffer]);
      return;
    }
    const slot = this.next;
    await this.free(slot, stopped);
    this.slots.set(bytes, slot * SLOT_BYTES);
    Atomics.store(this.states, slot, 1);
    this.port.postMessage({ slot, length: bytes.length } satisfies ChunkMessage);
    this.next = (slot + 1) % SLOTS;
  }

  /** No more chunks from this thread. */
  end(): void {
    this.port.postMessage({ end: true } satisfies ChunkMessage);
    this.port.close();
  }

  private async free(slot: number, stopped: ReaderFailure): Promise<void> {
    if (Atomics.load(this.states, slot) === 0) return;
    const started = performance.now();
    try {
      while (Atomics.load(this.states, slot) !== 0) {
        const failure = stopped();
        if (failure) throw failure;
        const wait = Atomics.waitAsync(this.states, slot, 1, STOP_POLL_MS);
        if (!wait.async) continue;
        // A pending waitAsync does not keep a thread's event loop alive; a timer does, as long as it is
        // pending itself (one as long as the wait could run out first and leave the loop empty).
        const alive = setTimeout(() => {}, KEEP_ALIVE_MS);
        await wait.value;
        clearTimeout(alive);
      }
    } finally {
      this.waitedSeconds += (performance.now() - started) / 1000;
    }
  }
}

/**
 * The feeding thread of the pipe at `path`, for `producers` parsing threads (`ports`: one each; this
 * thread's is sent from here, another thread's is posted to it). `finish` waits for the pipe's end.
 */
export class PipeFeed {
  readonly ports: FeedPort[];
  private readonly flags = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;
  private result: FeedMessage | null = null;
  private readonly wakeup = new Wakeup();

  constructor(path: string, producers: number) {
    const channels = Array.from({ length: producers }, () => new MessageChannel());
    this.ports = channels.map((channel) => ({
      port: channel.port1,
      slots: new SharedArrayBuffer(SLOTS * SLOT_BYTES),
      states: new SharedArrayBuffer(4 * (SLOTS + 1)),
    }));
    const feeds = channels.map((channel, i) => ({ ...this.ports[i], port: channel.port2 }));
    this.worker = moduleWorker(
      import.meta.url,
      "pipe-feed-worker",
      { path, feeds, flags: this.flags.buffer },
      feeds.map((feed) => feed.port),
    );
    // Whoever waits for the pipe polls (finish): the thread alone does not keep a process alive.
    this.worker.unref();
    this.worker.on("message", (message: FeedMessage) => this.done(message));
    this.worker.on("error", (error) => this.done({ failed: `the pipe's thread stopped: ${error.message}` }));
    // A thread that dies has its pipe closed with it (Node closes a worker's handles as it exits).
    this.worker.on("exit", () => this.done({ failed: "the pipe's thread stopped: it exited" }));
  }

  /**
   * Waits until the pipe is closed after every parser's chunks (returns what the feeding thread waited
   * for); throws its failure, or the reader's (the pipe is then closed at once).
   */
  async finish(failed: ReaderFailure): Promise<FeedWaits> {
    for (;;) {
      const result = this.result;
      if (result) {
        if ("failed" in result) throw failed() ?? new Error(result.failed);
        return { waitedSeconds: result.waitedSeconds, emptySeconds: result.emptySeconds };
      }
      // DuckDB's read may end before the message that the pipe is closed comes.
      const failure = Atomics.load(this.flags, FEED_WRITTEN) === 1 ? null : failed();
      if (failure) {
        await this.stop();
        throw failure;
      }
      await this.wakeup.sleep(STOP_POLL_MS);
    }
  }

  /** The feeding thread's failure, if it failed. */
  failure(): Error | null {
    const result = this.result;
    return result && "failed" in result ? new Error(result.failed) : null;
  }

  /** Closes the pipe at once (what was not written yet is dropped) and ends the thread. */
  async stop(): Promise<void> {
    Atomics.store(this.flags, FEED_STOP, 1);
    await this.worker.terminate();
  }

  private done(message: FeedMessage): void {
    this.result ??= message;
    this.wakeup.wake();
  }
}
