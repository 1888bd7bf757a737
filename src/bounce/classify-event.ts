import { trimAscii } from "../util/ascii.ts";
import { type Classification, classifyDelivery, classifyReply, type ReplyInput } from "./classify.ts";
import { phaseHint } from "./email/smtp-phase.ts";
import { EVENT_ACTIONS, FAILURE_TYPES } from "./event-actions.ts";
import { leadingReplyCode } from "./reply.ts";
import { maskedReply } from "./reply-key.ts";
import { SMTP_COMMANDS, type SmtpCommand } from "./smtp-command.ts";
import type { Reason } from "./vocabulary.ts";

/**
 * The one classification of a delivery event, for `classify` (src/pipeline/classify-events.ts) and the
 * store (`ingest`, src/analytics/ingest/finalize.ts) alike: its reply with everything around it that
 * changes the meaning — reply code, enhanced status, remote host, recipient (its domain), the event
 * type (as a DSN action), the source's own hint (Postfix `status=expired`, an ESP's suppression or
 * complaint) and the SMTP command the reply answered (a Postfix or Exim log line shows it: the phase
 * rules of src/bounce/email/smtp-phase.ts apply as to a bounce report's). test/events/one-path.test.ts
 * runs every fixture through both and compares.
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
  /** The SMTP command the reply answered, where the source shows it (null: it does not). */
  smtpCommand?: SmtpCommand | null;
}

export { EVENT_ACTIONS, FAILURE_TYPES };

/** The classification of an event, null for types that have none (sent, open, click, unsubscribe). */
export function classifyEvent(facts: EventFacts): Classification | null {
  const action = Object.hasOwn(EVENT_ACTIONS, facts.type) ? EVENT_ACTIONS[facts.type] : undefined;
  if (action === undefined) return null;
  const reply = facts.reply ?? "";
  const input: ReplyInput = {
    text: reply,
    replyCode: facts.replyCode,
    status: facts.status,
    remoteMta: facts.remoteMta,
    recipient: facts.recipient,
    action,
    hintReason: (facts.hint as Reason | null) ?? null,
  };
  // A delivery's verdict reads only what classifyDelivery reads (not kept). A reply the memo may keep is a
  // copy: the memo must not keep a slice of a whole decoded input chunk alive.
  const classification = classifyDelivery(input) ?? classifyReply({ ...input, text: copy(reply) });
  const command = facts.smtpCommand ?? null;
  // A source that shows no phase (an ESP's event, a log line without one) leaves the words to decide. The phase
  // rules read the reply as its key does, as the classification does (classify.ts readReply): a phase word inside
  // an id the key masks ("batv…7") must not give one line a hint its key's other lines lack (review R127).
  const hint =
    command === null || input.hintReason !== null
      ? null
      : phaseHint(classification, maskedReply(reply).toLowerCase(), input, () => command);
  const result =
    hint === null ? classification : classifyReply({ ...input, text: copy(reply), hintReason: hint });
  return asStored(result, facts);
}

/**
 * An event's reply code is the one its source gives, else the one its reply leads with (RFC 5321 §4.2: a reply
 * starts with its code), as the store keeps it (src/analytics/ingest/staging.ts, field-sql.ts REPLY_CODE_SQL);
 * its status is the one its reader gives (a log's `dsn=`, a field table's `cleanStatus` or `leadingStatus`), as
 * the store keeps it. A code or status the classifier found further in ("said: status=sent 250 ok", "x said: 550
 * 5.7.1 …", review R95) still weighs in its verdict, but `classify` shows what `ingest` stores.
 */
function asStored(classification: Classification, facts: EventFacts): Classification {
  const status = facts.status ?? null;
  // Most events: the source's code is the classification's, or neither the source nor the reply gives one.
  const code =
    facts.replyCode !== null || classification.replyCode === null || facts.reply === null
      ? classification.replyCode
      : leadingReplyCode(trimAscii(facts.reply));
  return classification.replyCode === code && classification.status === status
    ? classification
    : { ...classification, replyCode: code, status };
}

/**
 * What a source says besides the reply that the classifier reads, as one string: its hint, else the SMTP
 * command the reply answered (a hint leaves the phase unread). `classify`'s memo keys on it, and the store
 * stages it as `hint`, the prefix of the reply key (`expired:<md5>`, `DATA:<md5>`): eventFactsOfHint reads
 * it back.
 */
export function sourceHint(event: {
  reasonHint?: string | null;
  smtpCommand?: SmtpCommand | null;
}): string | null {
  return event.reasonHint ?? event.smtpCommand ?? null;
}

/** The hint and SMTP command a sourceHint string stands for. */
export function eventFactsOfHint(hint: string | null): Pick<EventFacts, "hint" | "smtpCommand"> {
  return hint !== null && (SMTP_COMMANDS as readonly string[]).includes(hint)
    ? { hint: null, smtpCommand: hint as SmtpCommand }
    : { hint, smtpCommand: null };
}

function copy(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
