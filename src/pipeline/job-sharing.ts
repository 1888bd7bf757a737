import type { MessagePort } from "node:worker_threads";

/**
 * What classify's thread shares with a second classifying thread (second-isolate.ts; files-in-jobs-worker.ts,
 * mbox-in-jobs-worker.ts), and the second thread's side of it. Jobs are numbered in output order; either
 * thread takes the next job no thread has taken (control[NEXT_JOB]). The second posts each of its jobs on
 * `port` and counts it in control[SENT] (notified); control[OUT] is the next job the output waits for, and
 * the second thread takes no job AHEAD or more past it (what waits in memory stays bounded).
 */
export interface JobsShared {
  control: Int32Array;
  port: MessagePort;
}
export const NEXT_JOB = 0;
export const SENT = 1;
export const OUT = 2;
/** Jobs the second thread may be done with past the one the output waits for. */
export const AHEAD = 8;
/**
 * The same for the first thread, which also writes the output: it goes on past a job the second thread
 * still does (its first, cold jobs are slow), yet keeps no more than this many jobs' results waiting.
 */
export const AHEAD_HERE = 4 * AHEAD;
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
/** Counts nobody reads (the default of a layout). */
export function noCounts(): JobCounts {
  return { here: 0, there: 0, posted: () => 0 };
}

/** control[NEXT_JOB] once no more jobs are wanted. */
export const STOPPED = 0x7fffffff;

/** Second thread: waits until job `job` is less than AHEAD past the output; false once stopped. */
function mayTake(control: Int32Array, job: number): boolean {
  for (let out = Atomics.load(control, OUT); job >= out + AHEAD; out = Atomics.load(control, OUT)) {
    if (Atomics.load(control, NEXT_JOB) === STOPPED) return false;
    Atomics.wait(control, OUT, out);
  }
  return Atomics.load(control, NEXT_JOB) !== STOPPED;
}

/** Second thread: the next job no thread has taken, now taken by it; null when none of `jobs` is left. */
export function takeNextJob(control: Int32Array, jobs: number): number | null {
  for (;;) {
    const next = Atomics.load(control, NEXT_JOB);
    if (next >= jobs || !mayTake(control, next)) return null;
    // The first thread takes jobs too: this one moves on when it got there first.
    if (Atomics.compareExchange(control, NEXT_JOB, next, next + 1) === next) return next;
  }
}

/**
 * Second thread, going through the jobs in order itself: whether it takes job `job` (no thread has taken it
 * yet; false when the first thread has, or once stopped).
 */
export function takeJob(control: Int32Array, job: number): boolean {
  if (Atomics.load(control, NEXT_JOB) !== job || !mayTake(control, job)) return false;
  return Atomics.compareExchange(control, NEXT_JOB, job, job + 1) === job;
}

/** Second thread: whether no more jobs are wanted. */
export function stopped(control: Int32Array): boolean {
  return Atomics.load(control, NEXT_JOB) === STOPPED;
}

/** Second thread: job `job` done, its result posted on the port. */
export function post(shared: JobsShared, job: number, result: unknown): void {
  shared.port.postMessage({ job, result });
  Atomics.add(shared.control, SENT, 1);
  Atomics.notify(shared.control, SENT);
}
