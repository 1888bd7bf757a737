import type { BounceRecord } from "./record.ts";
import type { Reason } from "./vocabulary.ts";

/** What the classifier knows about one reply. Everything but `text` is optional context. */
export interface ReplyInput {
  /** The SMTP reply / diagnostic text (multi-line replies already joined). */
  text: string;
  replyCode?: number | null;
  status?: string | null;
  remoteMta?: string | null;
  recipient?: string | null;
  /** DSN Action (failed, delayed, delivered, relayed, expanded) or event type, when known. */
  action?: string | null;
  /** A reason the container already implies (e.g. ARF → feedback, auto-reply → vacation). */
  hintReason?: Reason | null;
}

/** The classification of one reply: a BounceRecord without the per-recipient/per-source fields. */
export type Classification = Omit<BounceRecord, "recipient" | "source" | "format" | "time" | "feedbackType">;

/** STUB — owned by the bounce-rules work; see src/bounce/rules/. */
export function classifyReply(input: ReplyInput): Classification {
  return {
    provider: "unknown",
    remoteMta: input.remoteMta ?? null,
    replyCode: input.replyCode ?? null,
    status: input.status ?? null,
    providerCode: null,
    reason: input.hintReason ?? "undefined",
    category: "unknown",
    permanent: false,
    retryable: false,
    suppressRecipient: false,
    action: "",
    diagnostic: input.text,
    rule: { id: "stub", source: "" },
  };
}
