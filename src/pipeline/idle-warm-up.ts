import { jsonRecord } from "../bounce/render-output.ts";
import { emailItems } from "./classify-email.ts";
import { isProblem } from "./classify-source.ts";
import { warmUpSamples } from "./snapshot-warm-up.ts";

/** Rounds over the snapshot's warm-up emails at most (70 emails: ~200 classified, ~0.1 CPU-s while code is cold). */
export const IDLE_ROUNDS = 3;

/** A warm-up running (warmUpWhileIdle). */
export interface IdleWarmUp {
  /** Stops it: the email being classified is the last. */
  stop(): void;
  /** How many emails it has classified. */
  readonly classified: number;
}

/**
 * Classifies the snapshot's warm-up emails (snapshot-warm-up.ts), one per turn of the event loop, results thrown
 * away, until stopped or IDLE_ROUNDS rounds are done. For classify's second process started ahead by bin/: it
 * is ready tens of milliseconds before its first job (the first process still starts and walks the folder), on
 * a core otherwise idle, while its own first files would each cost ~5–10× a warm one (interpreted code, feedback
 * still to collect, regular expressions and Maglev code still to compile: an instrumented run, 14,000 bounce
 * emails, took ~480 ms for a process's first 1,000 files, ~55 ms per 1,000 after 3,000). The snapshot keeps only
 * bytecode, so each process warms anew; this one does it before its jobs come. A job waits for at most the one
 * email being classified. Nothing it does changes a result: a process's results never depend on what it
 * classified before (either process may be given any job), and the replies it memoises are never sent to the
 * first process (second-process.ts shares only those kept after its setup frame).
 */
export function warmUpWhileIdle(): IdleWarmUp {
  let stopped = warmUpSamples.length === 0;
  let classified = 0;
  const step = () => {
    if (stopped) return;
    const sample = warmUpSamples[classified % warmUpSamples.length];
    try {
      for (const item of emailItems(Buffer.from(sample.text, "latin1"), sample.name))
        if (!isProblem(item)) jsonRecord(item);
    } catch {
      // A result thrown away: so is its error.
    }
    classified++;
    if (classified < IDLE_ROUNDS * warmUpSamples.length) setImmediate(step);
  };
  setImmediate(step);
  return {
    stop: () => {
      stopped = true;
    },
    get classified() {
      return classified;
    },
  };
}
