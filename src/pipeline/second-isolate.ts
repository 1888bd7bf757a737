import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import { moduleWorker } from "../util/module-worker.ts";
import { type JobsShared, NEXT_JOB, OUT, SENT, STOPPED } from "./job-sharing.ts";

/**
 * A second classifying thread (a second V8 isolate: its own heap, its own compiled code) running the module
 * `module` of this folder, which shares jobs with this thread as job-sharing.ts says; seen from this thread.
 * It keeps the process alive until it ends or stop() is called.
 */
export class SecondIsolate<Result> {
  private readonly control = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private readonly gone: Promise<void>;
  private ended = false;
  /** Jobs received from the other thread so far. */
  private received = 0;

  /** `data`: the rest of what the thread is given (its workerData, with the control and port of JobsShared). */
  constructor(module: string, data: object) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const shared: JobsShared = { ...data, control: this.control, port: port2 };
    this.worker = moduleWorker(import.meta.url, module, shared, [port2]);
    // A thread that cannot start, or stops, leaves its jobs to this one.
    this.gone = new Promise<void>((resolve) => {
      this.worker.on("error", () => resolve());
      this.worker.on("exit", () => resolve());
    }).then(() => {
      this.ended = true;
    });
  }

  /** How many jobs the other thread has posted so far. */
  get posted(): number {
    return Atomics.load(this.control, SENT);
  }

  /**
   * The next job no thread has taken, now taken by this thread; null when none before `end` is left (the
   * last job, or the bound of what may wait for the output).
   */
  takeNext(end: number): number | null {
    for (;;) {
      const next = Atomics.load(this.control, NEXT_JOB);
      if (next >= end) return null;
      if (Atomics.compareExchange(this.control, NEXT_JOB, next, next + 1) === next) return next;
    }
  }

  /** Whether this thread takes job `job` (false: the other thread has). Jobs are taken in order. */
  take(job: number): boolean {
    return Atomics.compareExchange(this.control, NEXT_JOB, job, job + 1) === job;
  }

  /** The jobs the other thread has posted, into `ready`. */
  receive(ready: Map<number, Result>, convert: (result: Result) => Result = (result) => result): void {
    for (let message = receiveMessageOnPort(this.port); message; message = receiveMessageOnPort(this.port)) {
      this.received++;
      const { job, result } = message.message as { job: number; result: Result };
      ready.set(job, convert(result));
    }
  }

  /**
   * Waits until the other thread posts another job (true), or has ended (false: what it took and did not post
   * is for this thread to do).
   */
  async sent(): Promise<boolean> {
    for (;;) {
      // The count may lag a message already received (it is counted just after it is posted).
      const posted = Atomics.load(this.control, SENT);
      if (posted > this.received) return true;
      if (this.ended) return false;
      const wait = Atomics.waitAsync(this.control, SENT, posted);
      if (wait.async) await Promise.race([wait.value, this.gone]);
    }
  }

  /** The output waits for job `job` now. */
  output(job: number): void {
    Atomics.store(this.control, OUT, job);
    Atomics.notify(this.control, OUT);
  }

  /** No more jobs are wanted: the other thread ends after the one it does. */
  stop(): void {
    Atomics.store(this.control, NEXT_JOB, STOPPED);
    Atomics.store(this.control, OUT, STOPPED);
    Atomics.notify(this.control, OUT);
    this.port.close();
    this.worker.unref();
  }
}
