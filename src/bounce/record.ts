import type { SourceRef } from "../util/problem.ts";
import type { Category, Provider, Reason } from "./vocabulary.ts";

export type { SourceRef };

/** Which rule decided the classification and where its knowledge comes from. */
export interface RuleRef {
  id: string;
  source: string;
}

/** Rule references made so far, by id: one object per rule, shared by its records (never mutated). */
const RULE_REFS = new Map<string, RuleRef>();
/** Ids kept, at most: status ids come from the input ("status:5.123.456"), so their number is not bounded. */
const MAX_RULE_REFS = 4096;

/**
 * The reference to a rule: the same object for every record it decides, so what is worked out per rule
 * object (its JSON, render-output.ts) is worked out once, and no object is made per record.
 */
export function ruleRef(id: string, source: string): RuleRef {
  const known = RULE_REFS.get(id);
  if (known !== undefined && known.source === source) return known;
  const ref: RuleRef = { id, source };
  if (known === undefined && RULE_REFS.size < MAX_RULE_REFS) RULE_REFS.set(id, ref);
  return ref;
}

/** One classified recipient outcome: the unit every input kind produces. */
export interface BounceRecord {
  recipient: string | null;
  source: SourceRef;
  /** Input format name (see src/events/formats.ts). */
  format: string;
  time: string | null;
  provider: Provider;
  remoteMta: string | null;
  replyCode: number | null;
  /** Real enhanced status code (e.g. 5.7.1) or null; never a placeholder. */
  status: string | null;
  providerCode: string | null;
  reason: Reason;
  category: Category;
  permanent: boolean;
  retryable: boolean;
  suppressRecipient: boolean;
  action: string;
  /** The reply text, unfolded to one line. */
  diagnostic: string;
  rule: RuleRef;
  /** ARF feedback type (abuse, opt-out, …) for complaint records. */
  feedbackType?: string | null;
}
