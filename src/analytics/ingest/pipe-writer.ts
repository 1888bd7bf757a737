import { constants, openSync } from "node:fs";
import { Socket } from "node:net";
import type { ReaderFailure } from "./csv-staging.ts";

/** How long the writer sleeps when DuckDB has not opened the pipe yet. */
const PIPE_WAIT_MS = 1;
/** How often a write DuckDB does not take looks whether DuckDB failed. */
const FAILURE_POLL_MS = 20;

/**
 * The write end of a named pipe DuckDB reads, on the pipe's feeding thread. Written through libuv (a net.Socket on the
 * descriptor), which writes as soon as DuckDB makes room: sleeping a millisecond whenever the pipe (64 kB)
 * was full left DuckDB and the parser both idle (600k staged rows into one insert: 5.5–6.1 s wall and
 * 2.6 CPU-s that way, 3.4–4.3 s and 2.1 CPU-s through libuv, load 8–9).
 */
export class PipeWriter {
  private readonly path: string;
  private socket: Socket | null = null;
  /** Seconds spent waiting for DuckDB to open or read the pipe. */
  waitedSeconds = 0;
  /** Called with the descriptor once the pipe is open. */
  onOpen: ((fd: number) => void) | null = null;

  constructor(path: string) {
    this.path = path;
  }

  /** Writes whole rows' bytes once DuckDB has read what came before; throws the reader's failure. */
  async write(bytes: Uint8Array, failed: ReaderFailure): Promise<void> {
    const socket = await this.open(failed);
    if (bytes.length === 0) return;
    const started = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        // DuckDB may fail without closing the pipe: then nothing would ever call back.
        const poll = setInterval(() => {
          const failure = failed();
          if (failure) {
            clearInterval(poll);
            reject(failure);
          }
        }, FAILURE_POLL_MS);
        socket.write(bytes, (error) => {
          clearInterval(poll);
          if (error) reject(failed() ?? error);
          else resolve();
        });
      });
    } catch (error) {
      this.destroy();
      throw error;
    } finally {
      this.waitedSeconds += (performance.now() - started) / 1000;
    }
  }

  /**
   * Closes the pipe after what was written (DuckDB's read ends there), or at once with `discard`; opens
   * it first if it never was, so that a reader waiting for it sees its end.
   */
  async end(failed: ReaderFailure, discard = false): Promise<void> {
    const socket = await this.open(failed);
    if (discard || socket.destroyed) {
      this.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.end();
    });
  }

  /** Closes the pipe at once (what was not written yet is dropped). */
  destroy(): void {
    this.socket?.destroy();
  }

  /** Opening a pipe's write end fails (ENXIO) until DuckDB has opened the read end: tried every ms. */
  private async open(failed: ReaderFailure): Promise<Socket> {
    while (this.socket === null) {
      let fd: number;
      try {
        fd = openSync(this.path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENXIO") throw error;
        const failure = failed();
        if (failure) throw failure;
        const started = performance.now();
        await new Promise((resolve) => setTimeout(resolve, PIPE_WAIT_MS));
        this.waitedSeconds += (performance.now() - started) / 1000;
        continue;
      }
      this.socket = new Socket({ fd, readable: false, writable: true });
      // Failures reach the writes' callbacks; the event would otherwise be an uncaught error.
      this.socket.on("error", () => {});
      this.onOpen?.(fd);
    }
    return this.socket;
  }
}
