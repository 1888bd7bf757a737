import { matchReasonRule } from "../rules/reasons.ts";
import type { Reason } from "../vocabulary.ts";

/** Which SMTP command a recipient's error answered, read from the report's own wording. */
export type SmtpCommand = "CONN" | "HELO" | "MAIL" | "RCPT" | "DATA";

/** Ordered: the first pattern found in the recipient's text names the command. */
const COMMAND_PATTERNS: ReadonlyArray<{ command: SmtpCommand; pattern: RegExp; source: string }> = [
  {
    command: "DATA",
    pattern:
      /in reply to (?:the )?(?:end of )?data\b|after (?:end of )?data\b|>>> ?data\b|for text command|\bdata command/i,
    source:
      "Postfix bounce(8) '(in reply to end of DATA command)'; Exim 'after end of data'; Sendmail transcript '>>> DATA'",
  },
  {
    command: "RCPT",
    pattern:
      /in reply to rcpt to|after rcpt to|>>> ?rcpt to|rcpt to command|\[rcpt_to\]|did not like our rcpt to|rcpt to response|does not like recipient/i,
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

/** The terse wording recipient-side filters reuse for any refusal; specific wording ("no such account") is believed. */
const GENERIC_USER_UNKNOWN = /\b(?:user unknown|unknown user|no such user)\b/;

export function smtpCommandIn(text: string): SmtpCommand | null {
  for (const entry of COMMAND_PATTERNS) if (entry.pattern.test(text)) return entry.command;
  return null;
}

/**
 * The terse "user unknown" a recipient-side filter gives for any refusal, when nothing shows the address
 * was refused at RCPT (no RCPT/MAIL command in the report, no X.1.x address status): Sisimai reports it as
 * `filtered` (lib/Sisimai/Reason/Filtered.pm and UserUnknown.pm `true`: user-unknown wording counts as
 * userunknown only at RCPT or with a 5.1.x status). Specific wording ("this user doesn't have an account")
 * is believed. Returns that container-level reason, or null.
 */
export function phaseReason(
  lowerText: string,
  status: string | null,
  commandOf: () => SmtpCommand | null,
): Reason | null {
  if (!GENERIC_USER_UNKNOWN.test(lowerText)) return null;
  const command = commandOf();
  if (command === "RCPT" || command === "MAIL" || (status !== null && /^[45]\.1\./.test(status))) return null;
  return matchReasonRule(lowerText)?.reason === "userunknown" ? "filtered" : null;
}
