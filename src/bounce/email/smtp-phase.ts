import { matchReasonRule } from "../rules/reasons.ts";
import type { Reason } from "../vocabulary.ts";

/** Which SMTP command a recipient's error answered, read from the report's own wording. */
export type SmtpCommand = "CONN" | "HELO" | "MAIL" | "RCPT" | "DATA";

/** Ordered: the first pattern found in the recipient's text names the command. */
const COMMAND_PATTERNS: ReadonlyArray<{ command: SmtpCommand; pattern: RegExp; source: string }> = [
  {
    command: "DATA",
    pattern: /in reply to (?:the )?(?:end of )?data\b|after (?:end of )?data\b|>>> ?data\b|for text command|\bdata command/i,
    source: "Postfix bounce(8) '(in reply to end of DATA command)'; Exim 'after end of data'; Sendmail transcript '>>> DATA'",
  },
  {
    command: "RCPT",
    pattern: /in reply to rcpt to|after rcpt to|>>> ?rcpt to|rcpt to command|\[rcpt_to\]|did not like our rcpt to/i,
    source: "Postfix '(in reply to RCPT TO command)'; Exim 'after RCPT TO:'; Sendmail '>>> RCPT To:'",
  },
  {
    command: "MAIL",
    pattern: /in reply to mail from|after mail from|>>> ?mail from|mail from command|sender was rejected/i,
    source: "Postfix '(in reply to MAIL FROM command)'; Exim 'after MAIL FROM:'; qmail 'sender was rejected'",
  },
  {
    command: "HELO",
    pattern: /in reply to (?:ehlo|helo)|after (?:ehlo|helo)\b|>>> ?(?:ehlo|helo)\b/i,
    source: "Postfix '(in reply to EHLO command)'; Exim 'after EHLO'",
  },
  {
    command: "CONN",
    pattern: /after initial connection|refused to talk to me|while connected to|greeting/i,
    source: "Exim 'after initial connection'; Postfix 'refused to talk to me'",
  },
];

export function smtpCommandIn(text: string): SmtpCommand | null {
  for (const entry of COMMAND_PATTERNS) if (entry.pattern.test(text)) return entry.command;
  return null;
}

/**
 * A recipient refused with "user unknown" wording after DATA (and without an X.1.x address status) was
 * accepted at RCPT and refused later by a filter: Sisimai's `filtered` (lib/Sisimai/Reason/Filtered.pm
 * `true`, UserUnknown.pm `true`). Returns that container-level reason, or null.
 */
export function phaseReason(lowerText: string, status: string | null, command: SmtpCommand | null): Reason | null {
  if (command !== "DATA" || (status !== null && /^[45]\.1\./.test(status))) return null;
  return matchReasonRule(lowerText)?.reason === "userunknown" ? "filtered" : null;
}
