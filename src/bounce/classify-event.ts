import { type Classification, classifyReply } from "./classify.ts";
import { EVENT_ACTIONS, FAILURE_TYPES } from "./event-actions.ts";
import type { Reason } from "./vocabulary.ts";

/**
 * The one classification of a delivery event, for `classify` (src/pipeline/classify-events.ts) and the
 * store (`ingest`, src/analytics/ingest/finalize.ts) alike: its reply with everything around it that
 * changes the meaning — reply code, enhanced status, remote host, recipient (its domain), the event
 * type (as a DSN action) and the source's own hint (Postfix `status=expired`, an ESP's suppression or
 * complaint). test/events/one-path.test.ts runs every fixture through both and compares.
 */
export interface EventFacts {
  /** deliverlens event type (src/events/event.ts). */
  type: string;
  reply: string | null;
  replyCode: number | null;
  status: string | null;
  remoteMta: string | null;
  recipient: string | null;
  /** A reason the source implies (`expired`, `feedback`, `suppressed`…); unknown names are ignored. */
  hint: string | null;
}

export { EVENT_ACTIONS, FAILURE_TYPES };

/** The classification of an event, null for types that have none (sent, open, click, unsubscribe). */
export function classifyEvent(facts: EventFacts): Classification | null {
  const action = Object.hasOwn(EVENT_ACTIONS, facts.type) ? EVENT_ACTIONS[facts.type] : undefined;
  if (action === undefined) return null;
  return classifyReply({
    // A copy: the classifier's memo must not keep a slice of a whole decoded input chunk alive.
    text: copy(facts.reply ?? ""),
    replyCode: facts.replyCode,
    status: facts.status,
    remoteMta: facts.remoteMta,
    recipient: facts.recipient,
    action,
    hintReason: (facts.hint as Reason | null) ?? null,
  });
}

function copy(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
