/**
 * How classify shares jobs with its second process (second-process.ts): jobs are numbered in output order;
 * this process takes the next one itself and gives the second the ones after it, at most GIVEN at a time, and
 * none AHEAD_HERE or more past the job the output waits for (what waits in memory stays bounded).
 */

/** Jobs the second process holds at most (given, result not back yet): one to do, the next ones queued. */
export const GIVEN = 3;
/** Jobs done or given past the one the output waits for (its first, cold jobs are slow). */
export const AHEAD_HERE = 32;

/** How the jobs are split (tests): the second process's module, and a live count of the jobs each did. */
export interface JobsLayout {
  /** A module of this folder run as the second process (one that cannot start leaves every job to this one). */
  worker?: string;
  counts?: JobCounts;
}
export interface JobCounts {
  here: number;
  there: number;
  /** How many jobs the second process has returned so far, read at any time. */
  posted: () => number;
  /** How many jobs it holds now (given, result not back yet). */
  held: () => number;
  /** Whether it has ended (or never started): it returns no more jobs. */
  ended: () => boolean;
}
/** Counts nobody reads (the default of a layout). */
export function noCounts(): JobCounts {
  return { here: 0, there: 0, posted: () => 0, held: () => 0, ended: () => false };
}

/** One turn of the event loop: what the second process sent is received meanwhile. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
