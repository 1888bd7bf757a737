import type { SmtpCommand } from "../bounce/smtp-command.ts";
import type { ReasonHint } from "../bounce/vocabulary.ts";
import type { ParseProblem, SourceRef } from "../util/problem.ts";

export type { ParseProblem };

/** Event types every source is normalized to. */
export const EVENT_TYPES = {
  sent: "Accepted for delivery by the sender's MTA/ESP (an attempt starts)",
  delivered: "Accepted by the receiving server",
  deferred: "Temporary failure; the MTA will retry",
  bounced: "Permanent failure (or the final give-up after deferrals)",
  dropped: "Not attempted (ESP suppression, invalid address)",
  open: "Message opened (human or machine; see machineOpen)",
  click: "Link clicked",
  unsubscribe: "Recipient unsubscribed",
  complaint: "Recipient reported spam (feedback loop)",
} as const;
export type EventType = keyof typeof EVENT_TYPES;

/**
 * A sending-program event normalized from any source (ESP webhook, MTA log, generic CSV/NDJSON).
 * Fields a source does not carry are null.
 */
export interface DeliveryEvent {
  type: EventType;
  /** ISO 8601 UTC, or null when the source carries no usable time. */
  time: string | null;
  recipient: string | null;
  sender: string | null;
  /** The source's own event id when it has one (used for dedupe). */
  eventId: string | null;
  messageId: string | null;
  campaign: string | null;
  /** The sending IP (never the reader's IP from opens/clicks). */
  sendingIp: string | null;
  pool: string | null;
  sendingDomain: string | null;
  /** transactional | marketing | null */
  stream: string | null;
  remoteMta: string | null;
  /** Reply text for bounces/deferrals. */
  reply: string | null;
  replyCode: number | null;
  status: string | null;
  /** The ESP's own classification (kept for reference; deliverlens re-derives its own). */
  sourceLabel: string | null;
  /** For opens: true when known to be a machine/proxy open (Apple MPP), false when known human. */
  machineOpen: boolean | null;
  /** For opens/clicks: the reader's IP and user agent. */
  readerIp: string | null;
  userAgent: string | null;
  url: string | null;
  /**
   * A reason the source itself implies and the reply text may not say (Postfix/KumoMTA expiry → expired,
   * ESP suppression → suppressed, complaint → feedback). Passed to the classifier as its hint.
   */
  reasonHint?: ReasonHint | null;
  /**
   * The SMTP command the reply answered, where the source shows it (a Postfix or Exim log line): the
   * classifier reads an unknown user after DATA, or at MAIL FROM, as a bounce report's (src/bounce/email/smtp-phase.ts).
   */
  smtpCommand?: SmtpCommand | null;
  /**
   * The log's own id of the message (a Postfix queue id, an Exim message id), where the source is an MTA's log:
   * part of the event's identity in the store, so two messages failing (or delivered) for one recipient in one
   * second with one reply are two events though the log names no Message-ID (review R124).
   */
  queueId?: string | null;
  /** ARF feedback type (abuse, not-spam, …) for complaints, when the source gives it. */
  feedbackType?: string | null;
  source: SourceRef;
}
