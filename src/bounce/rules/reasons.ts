import type { Reason } from "../vocabulary.ts";

/**
 * STUB (bounce-email work owns this file): generic, provider-independent text patterns → Sisimai reason,
 * ordered (first match wins), each with its source.
 */
export interface ReasonRule {
  id: string;
  reason: Reason;
  /** Matched against the lower-cased, unfolded reply text. */
  pattern: RegExp;
  source: string;
  example: string;
}

export const REASON_RULES: readonly ReasonRule[] = [];

export function matchReasonRule(lowerText: string): ReasonRule | null {
  return REASON_RULES.find((rule) => rule.pattern.test(lowerText)) ?? null;
}
