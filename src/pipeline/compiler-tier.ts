import { setFlagsFromString } from "node:v8";

/**
 * Bounce emails are read without V8's top-tier compiler (TurboFan): reading them is mostly regular
 * expressions and string built-ins, where its code is no faster than Maglev's, and compiling it costs ~20 % of
 * a run's CPU. A long log is the opposite, so the CLI turns it off only for a run of email
 * (src/cli/run/classify.ts); classify's second process follows the first (second-process.ts), else it alone
 * would compile its hot code twice over (valgrind, a folder of 14,000 bounce emails: its TurboFan ~0.86 G
 * of its 2.9 G instructions).
 *
 * Such a run is short for a JIT: each of its processes compiles its few hundred hot functions once, and those
 * compiles are a tenth of the run. So Maglev compiles them without peeling their loops' first iteration (V8's
 * --maglev-loop-peeling, which lets a loop's body be compiled for the types its first pass saw, at the price of
 * compiling that body twice): valgrind, the whole two-process run over the bench's 14,000 files, Maglev
 * 579 → 484 M instructions and everything else 4,216 → 4,209 M (its code is no slower).
 */
let topTier = true;

/** Turns V8's top tier off in this process for the rest of its life, and Maglev's loop peeling with it. */
export function withoutTopTier(): void {
  if (!topTier) return;
  topTier = false;
  setFlagsFromString("--no-turbofan");
  setFlagsFromString("--no-maglev-loop-peeling");
}

/** Whether this process still uses V8's top tier (withoutTopTier was not called). */
export function topTierOn(): boolean {
  return topTier;
}
