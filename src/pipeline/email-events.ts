import { readEmail, splitMbox } from "../bounce/email/index.ts";
import type { BounceRecord } from "../bounce/record.ts";
import { feedbackFact } from "../bounce/rules/feedback-types.ts";
import type { DeliveryEvent, EventType, ParseProblem } from "../events/event.ts";
import { newEvent, problem } from "../events/source.ts";
import { stripAngles } from "../events/values.ts";
import { mailDateIso } from "../util/dates.ts";
import { LimitError } from "../util/limits.ts";
import { MboxSegmenter, type Segment } from "./mbox-segmenter.ts";
import { reportEventId, reportId } from "./report-identity.ts";

/**
 * Bounce emails and mbox files as events, for `ingest` (a Postfix-only sender often has nothing else):
 * each recipient a message reports becomes one event dated by the message's Date: header. Reports that
 * are not about the sender's mail (DMARC aggregate, TLS-RPT, DMARC failure) and auto-replies are skipped
 * with a note; a message with no recipient is a problem naming its file and line.
 */

/** What a reading of one input yields, in input order. */
export type EmailItem = DeliveryEvent | ParseProblem | EmailSkip;

/** A message deliberately not stored, and why. */
export interface EmailSkip {
  skip: true;
  note: string;
  source: { file: string; line: number | null };
}

export function isSkip(item: EmailItem): item is EmailSkip {
  return (item as EmailSkip).skip === true;
}

/**
 * The event type of a record, or null when the record is not a delivery event (an auto-reply). `action`
 * is the report's RFC 3464 Action: "delayed" is a deferral; a report without one that quotes only a
 * temporary (4xx) error and did not give up is one too.
 */
function eventType(record: BounceRecord, action: string | null): EventType | null {
  if (record.reason === "vacation") return null;
  // A complaint, an unsubscribe, or a report that is neither (not-spam, virus, auth-failure: skipped).
  if (record.reason === "feedback") return feedbackFact(record.feedbackType).event;
  if (record.reason === "delivered") return "delivered";
  // The ESP did not send: the address is on its suppression list (SES's Suppressed / OnAccountSuppressionList,
  // src/bounce/rules/ses-bounce-types.ts) — a drop, as the SES event reader stores it, not a new bounce.
  if (record.reason === "suppressed") return "dropped";
  if (action === "delayed") return "deferred";
  if (action === null && record.reason !== "expired" && isTemporary(record)) return "deferred";
  return "bounced";
}

/** Why a record is no event. */
function skipNote(record: BounceRecord): string {
  if (record.reason !== "feedback") return "an auto-reply (RFC 3834), not a delivery event: skipped";
  const type = feedbackFact(record.feedbackType).type;
  return type === "auth-failure"
    ? "a DMARC failure report (ARF auth-failure), not a complaint: skipped"
    : `an ARF ${type} report, not a complaint: skipped`;
}

function isTemporary(record: BounceRecord): boolean {
  if (record.replyCode !== null) return record.replyCode >= 400 && record.replyCode < 500;
  return record.status?.startsWith("4.") ?? false;
}

/** The items of one message (`line` is where it starts in an mbox, null for a file holding one message). */
export function emailItems(raw: Buffer, file: string, line: number | null): EmailItem[] {
  const reading = readEmail(raw, file, line, true);
  const where = { file, line: line ?? 1 };
  if (reading.report)
    return reading.problems.map((note) => ({ skip: true, note: note.message, source: where }));
  const items: EmailItem[] = [...reading.problems];
  const date = mailDateIso(reading.date);
  // The report's identity, not its text's reading: the store's key of each of its events (report-identity.ts).
  let report: string | null = null;
  reading.records.forEach((record, index) => {
    const type = eventType(record, reading.actions[index] ?? null);
    if (type === null) {
      items.push({ skip: true, note: skipNote(record), source: where });
      return;
    }
    const event = newEvent(type, file, line ?? 1);
    report ??= reportId(raw);
    event.eventId = reportEventId(report, record.recipient, type);
    event.time = date ?? record.time;
    event.recipient = record.recipient;
    // Bare, as every other reader stores it (`<id@host>` → `id@host`): one message, one message_key; `<>` is
    // no id (NULL, as the other readers store an empty one), not '' (review R35).
    event.messageId = stripAngles(reading.originalMessageId) || null;
    event.remoteMta = record.remoteMta;
    event.reply = record.diagnostic || null;
    event.replyCode = record.replyCode;
    event.status = record.status;
    event.reasonHint = reading.hints[index] ?? null;
    if (type === "complaint") event.feedbackType = record.feedbackType ?? null;
    items.push(event);
  });
  return items;
}

/** Every message of a (possibly huge, possibly damaged) bounce email or mbox stream, in batches. */
export async function* emailItemBatches(
  chunks: AsyncIterable<Buffer>,
  file: string,
): AsyncGenerator<EmailItem[]> {
  const segmenter = new MboxSegmenter(file);
  const segment = ({ raw, line: first, problem: skipped }: Segment): EmailItem[] => {
    // A message over the bytes-per-message limit: skipped, and said (src/util/limits.ts).
    if (skipped) return [skipped];
    const messages = splitMbox(raw);
    const single = first === 1 && messages.length === 1;
    return messages.flatMap((message) =>
      emailItems(message.raw, file, single ? null : first + message.line - 1),
    );
  };
  let damage: unknown = null;
  try {
    for await (const chunk of chunks) {
      for (const ready of segmenter.push(chunk)) yield segment(ready);
      if (segmenter.done) break;
    }
  } catch (error) {
    damage = error;
  }
  for (const last of segmenter.finish()) yield segment(last);
  if (damage !== null)
    yield [
      {
        ...problem(
          file,
          null,
          `input could not be read to the end: ${damage instanceof Error ? damage.message : String(damage)}`,
        ),
        // Refused by a named limit (a decompression bomb): the run exits 1.
        ...(damage instanceof LimitError ? { failed: true } : {}),
      },
    ];
}
