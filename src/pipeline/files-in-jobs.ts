import { MessageChannel, receiveMessageOnPort, type Worker } from "node:worker_threads";
import { moduleWorker } from "../util/module-worker.ts";
import { classifyWholeFiles, type FilesDone } from "./classify-files.ts";
import { threadsAllowed } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { AHEAD, type FilesJobsShared, NEXT_JOB, OUT, SENT } from "./files-in-jobs-layout.ts";

/** Files per job: the records of a job are handed to the output at once. */
export const JOB_FILES = 48;

const NO_STREAMS: ReadonlySet<string> = new Set();

/** How the jobs are split (tests): the second thread's module, and a live count of the jobs each thread did. */
export interface JobsLayout {
  /** A module of this folder run as the second thread (one that cannot start leaves every job to this one). */
  worker?: string;
  counts?: JobCounts;
}
export interface JobCounts {
  here: number;
  there: number;
  /** How many jobs the second thread has posted so far, read at any time. */
  posted: () => number;
}

/**
 * Every path's result, a job of files at a time (classifyWholeFiles), in order; `streamed` ones are left to
 * the caller. When a second thread is allowed, a second isolate classifies jobs too (files-in-jobs-worker.ts):
 * each thread takes the next job no thread has taken, reads its files and classifies them, so both cores
 * classify; this thread hands the jobs to the output in order.
 */
export async function* classifyFilesInJobs(
  paths: readonly string[],
  options: ClassifyOptions,
  streams: ReadonlySet<string> = NO_STREAMS,
  { worker = "files-in-jobs-worker", counts = { here: 0, there: 0, posted: () => 0 } }: JobsLayout = {},
): AsyncGenerator<FilesDone> {
  const jobs = Math.ceil(paths.length / JOB_FILES);
  const here = (job: number) => {
    counts.here++;
    return classifyWholeFiles(paths.slice(job * JOB_FILES, (job + 1) * JOB_FILES), options, streams);
  };
  if (!threadsAllowed() || jobs < 2) {
    for (let job = 0; job < jobs; job++) yield await here(job);
    return;
  }
  const second = new SecondClassifier(paths, options, streams, worker, counts);
  const ready = new Map<number, FilesDone>();
  try {
    for (let job = 0; job < jobs; job++) {
      while (!ready.has(job)) {
        second.receive(ready);
        if (ready.has(job)) break;
        const next = second.take(jobs);
        if (next !== null) ready.set(next, await here(next));
        // Every job is taken and this one by the other thread: wait for it (done here if that thread is gone).
        else if (!(await second.sent())) ready.set(job, await here(job));
      }
      const done = ready.get(job) as FilesDone;
      ready.delete(job);
      second.output(job + 1);
      yield done;
    }
  } finally {
    second.stop(jobs);
  }
}

/** The second classifying thread, seen from this one. */
class SecondClassifier {
  private readonly control = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  private readonly port: MessageChannel["port1"];
  private readonly worker: Worker;
  private readonly gone: Promise<void>;
  private readonly counts: JobCounts;
  private ended = false;
  /** Jobs received from the other thread so far. */
  private received = 0;

  constructor(
    paths: readonly string[],
    options: ClassifyOptions,
    streams: ReadonlySet<string>,
    module: string,
    counts: JobCounts,
  ) {
    this.counts = counts;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const shared: FilesJobsShared = {
      paths,
      streams,
      options: { format: options.format, all: options.all },
      jobFiles: JOB_FILES,
      control: this.control,
      port: port2,
    };
    this.worker = moduleWorker(import.meta.url, module, shared, [port2]);
    counts.posted = () => Atomics.load(this.control, SENT);
    // A thread that cannot start, or stops, leaves its jobs to this one.
    this.gone = new Promise<void>((resolve) => {
      this.worker.on("error", () => resolve());
      this.worker.on("exit", () => resolve());
    }).then(() => {
      this.ended = true;
    });
  }

  /** The next job no thread has taken (this thread takes it), or null when none is left. */
  take(jobs: number): number | null {
    const next = Atomics.add(this.control, NEXT_JOB, 1);
    return next < jobs ? next : null;
  }

  /** Jobs the other thread has posted, into `ready`. */
  receive(ready: Map<number, FilesDone>): void {
    for (let message = receiveMessageOnPort(this.port); message; message = receiveMessageOnPort(this.port)) {
      this.received++;
      this.counts.there++;
      const { job, done } = message.message as { job: number; done: FilesDone };
      // Structured clone gives a plain Uint8Array.
      ready.set(job, {
        files: done.files,
        json: Buffer.from(done.json.buffer, done.json.byteOffset, done.json.length),
      });
    }
  }

  /**
   * Waits until the other thread posts another job (true), or has ended (false: what it took and did not post
   * is done here).
   */
  async sent(): Promise<boolean> {
    // Returns at once when a job was posted since the last receive().
    const wait = Atomics.waitAsync(this.control, SENT, this.received);
    if (wait.async && !this.ended) await Promise.race([wait.value, this.gone]);
    return Atomics.load(this.control, SENT) !== this.received || !this.ended;
  }

  /** The output waits for job `job` now. */
  output(job: number): void {
    Atomics.store(this.control, OUT, job);
    Atomics.notify(this.control, OUT);
  }

  /** No more jobs are wanted: the other thread ends after the one it does. */
  stop(jobs: number): void {
    Atomics.store(this.control, NEXT_JOB, jobs);
    Atomics.store(this.control, OUT, jobs + AHEAD);
    Atomics.notify(this.control, OUT);
    this.port.close();
    this.worker.unref();
  }
}
