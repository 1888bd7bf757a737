import { availableParallelism } from "node:os";
import { turn } from "./job-sharing.ts";
import { dropLogThread, startLogThreadAhead } from "./log-thread-ahead.ts";
import {
  dropAhead as dropProcessAhead,
  dropStartedByBin,
  killAhead,
  startAhead,
  startedByBin,
} from "./second-process.ts";

/** Whether a second thread or process may be used at all (DELIVERLENS_THREADS=1 turns it off). */
export function threadsAllowed(): boolean {
  return process.env.DELIVERLENS_THREADS !== "1" && availableParallelism() > 1;
}

/**
 * Below this many input files a second classifying process (files-in-jobs.ts) does not pay for its start
 * and its own warm-up (its JIT, its memo of replies).
 */
export const MANY_FILES = 960;

/**
 * Whether these inputs are many files, classified whole in jobs (files-in-jobs.ts), by two processes when
 * allowed.
 */
export function manyFiles(paths: readonly string[]): boolean {
  return paths.length >= MANY_FILES;
}

/**
 * A progress callback for the walk of the inputs (expandInputs) that starts classify's second process
 * (second-process.ts) as soon as MANY_FILES files are found, so that it starts while the rest is listed; or
 * undefined when no second process may run. dropAhead() ends one no job needed.
 */
export function secondProcessAhead(): ((found: number) => void) | undefined {
  if (!threadsAllowed()) return undefined;
  let started = false;
  return (found) => {
    if (started || found < MANY_FILES) return;
    started = true;
    startAhead();
  };
}

/**
 * Connects now, before the walk, to the second process bin/ started ahead (bin/ does for a folder read as JSON:
 * second-process.ts adoptStartedAhead), and turns the event loop twice, so that the connection opens and sends
 * its token: the walk of a big folder runs without a turn (~15–40 ms for 14,000 files), and the process answers
 * meanwhile. Otherwise the connection would open only after the walk, and its answer come back only after this
 * process's first job: the second process's first job left ~10–30 ms after this one's (an instrumented run,
 * 14,000 bounce emails), its core idle meanwhile. Nothing when bin/ started none: one is started during the walk
 * (secondProcessAhead), only once many files are found.
 */
export async function connectAhead(): Promise<void> {
  if (!threadsAllowed() || !startedByBin()) return;
  startAhead();
  await turn();
  await turn();
}

/**
 * The walk of the inputs is over, `found` files: a second process started ahead (bin/'s, connected or not) that
 * no job will take (fewer than MANY_FILES files) is ended now, not at the end of the run.
 */
export function walked(found: number): void {
  dropStartedByBin();
  if (found < MANY_FILES) killAhead();
}

/**
 * Starts a big log's second thread now when `paths` is one big plain file (log-thread-ahead.ts), so that its
 * start overlaps the main thread's; dropAhead() ends one no log took.
 */
export function logThreadAhead(paths: readonly string[]): void {
  if (threadsAllowed()) startLogThreadAhead(paths);
}

/** Ends what was started ahead and not used: a second process (second-process.ts), a log thread. */
export async function dropAhead(): Promise<void> {
  await Promise.all([dropProcessAhead(), dropLogThread()]);
}
