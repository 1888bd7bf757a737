import type { SourceRef } from "../util/problem.ts";
import type { Category, Provider, Reason } from "./vocabulary.ts";

export type { SourceRef };

/** Which rule decided the classification and where its knowledge comes from. */
export interface RuleRef {
  id: string;
  source: string;
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
