/** Exit codes shared by every command. */
export const EXIT = {
  /** Done (findings or not). */
  ok: 0,
  /** The input could not be read at all / the command could not run. */
  failed: 1,
  /** Usage error. */
  usage: 2,
  /** `audit --fail-on`: a finding at or above the threshold exists. */
  findingsAtThreshold: 3,
} as const;

/**
 * Thrown for a bad option value or combination that commander itself cannot detect: the same class as
 * the capabilities' `InputError`, so an error a capability throws for a bad input exits 2 as well.
 */
export { InputError as UsageError } from "../util/errors.ts";
