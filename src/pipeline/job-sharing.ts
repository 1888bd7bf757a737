/**
 * How classify shares jobs with its second process (second-process.ts): jobs are numbered in output order;
 * this process takes the next one itself and gives the second the ones after it, at most GIVEN at a time, and
 * none AHEAD_HERE or more past the job the output waits for, nor any while the output of jobs done and waiting
 * passes AHEAD_BYTES (what waits in memory stays bounded, in jobs and in bytes).
 */

/** Jobs the second process holds at most (given, result not back yet): one to do, the next ones queued. */
export const GIVEN = 3;
/** Jobs done or given past the one the output waits for (its first, cold jobs are slow). */
export const AHEAD_HERE = 32;
/**
 * Output bytes of jobs done and waiting for the output past which no job is taken ahead (a job of 48 logs of
 * 1.3 MB is ~100 MB of JSON lines with --all: 32 of them waited for the output, 2.9 GB, before this bound).
 */
export const AHEAD_BYTES = 64 * 1024 * 1024;
/**
 * A job of files ends after the file that takes the bytes it read and wrote past this (classifyWholeFiles): a
 * job of 48 bounce emails is far below it; one of 48 big logs would be hundreds of MB.
 */
export const JOB_BYTES = 8 * 1024 * 1024;

/** The bytes that bound jobs: AHEAD_BYTES and JOB_BYTES, or smaller ones a test gives. */
export interface JobBudgets {
  aheadBytes: number;
  jobBytes: number;
}
export const BUDGETS: JobBudgets = { aheadBytes: AHEAD_BYTES, jobBytes: JOB_BYTES };

/** How the jobs are split (tests): the second process's module, and a live count of the jobs each did. */
export interface JobsLayout {
  /** A module of this folder run as the second process (one that cannot start leaves every job to this one). */
  worker?: string;
  counts?: JobCounts;
  budgets?: JobBudgets;
}
export interface JobCounts {
  here: number;
  there: number;
  /** The most output bytes of jobs done that waited for the output at once (files-in-jobs.ts). */
  mostWaiting: number;
  /** How many jobs the second process has returned so far, read at any time. */
  posted: () => number;
  /** How many jobs it holds now (given, result not back yet). */
  held: () => number;
  /** Whether it has ended (or never started): it returns no more jobs. */
  ended: () => boolean;
}
/** Counts nobody reads (the default of a layout). */
export function noCounts(): JobCounts {
  return { here: 0, there: 0, mostWaiting: 0, posted: () => 0, held: () => 0, ended: () => false };
}

/** One turn of the event loop: what the second process sent is received meanwhile. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
