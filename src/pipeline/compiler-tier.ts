import { setFlagsFromString } from "node:v8";

/**
 * Bounce emails are read without V8's top-tier compiler (TurboFan): reading them is mostly regular
 * expressions and string built-ins, where its code is no faster than Maglev's, and compiling it costs ~20 % of
 * a run's CPU. A long log is the opposite, so the CLI turns it off only for a run of email
 * (src/cli/run/classify.ts); classify's second process follows the first (second-process.ts), else it alone
 * would compile its hot code twice over (valgrind, a folder of 14,000 bounce emails: its TurboFan ~0.86 G
 * of its 2.9 G instructions).
 */
let topTier = true;

/** Turns V8's top tier off in this process for the rest of its life. */
export function withoutTopTier(): void {
  if (!topTier) return;
  topTier = false;
  setFlagsFromString("--no-turbofan");
}

/** Whether this process still uses V8's top tier (withoutTopTier was not called). */
export function topTierOn(): boolean {
  return topTier;
}
