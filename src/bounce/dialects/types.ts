import type { ScannedEmail } from "../email/scan.ts";
import type { RuleRef } from "../record.ts";
import type { SmtpCommand } from "../smtp-command.ts";
import type { ReasonHint } from "../vocabulary.ts";

/** What a message says about one recipient, before classification. */
export interface RecipientReport {
  recipient: string | null;
  /** The error text for this recipient (reply / diagnostic), unfolded to one line. */
  diagnostic: string;
  /**
   * Other text the report gives about this recipient (e.g. the SMTP transcript naming the command); a
   * function when finding it costs work that is rarely needed.
   */
  context?: string | (() => string);
  /**
   * The command the recipient's error answered where the report says so by its own words about the recipient,
   * not by a command it shows (Sendmail's "a@b... User unknown" after the reply: a refused RCPT TO); the context
   * is not read then.
   */
  command?: SmtpCommand;
  /**
   * The notice's own words before its recipient lines ("Your message was not delivered within 2 days. Host
   * example.com is not responding."), read only when the recipient's lines name no reason.
   */
  notice?: string;
  /** RFC 3464 diagnostic-type of the diagnostic (smtp, x-unix, x-postfix…), lower-cased. */
  diagnosticType?: string | null;
  /** The recipient was a program (a pipe), so an exit status is that program's failure. */
  toProgram?: boolean;
  status?: string | null;
  replyCode?: number | null;
  remoteMta?: string | null;
  /** The host that wrote the report (Reporting-MTA): provider tables also apply to their own reports. */
  reportingMta?: string | null;
  action?: string | null;
  /** Raw date text (Last-Attempt-Date, Arrival-Date, Date:), normalized by the caller. */
  time?: string | null;
  hintReason?: ReasonHint | null;
  /** Where `hintReason` comes from, when it is a dialect's knowledge (shown as the record's rule when it decides). */
  hintSource?: RuleRef | null;
  feedbackType?: string | null;
}

/** One report format: how to recognise it and how to read its recipients. */
export interface Dialect {
  id: string;
  /** Where the format knowledge comes from. */
  source: string;
  detect(mail: ScannedEmail): boolean;
  parse(mail: ScannedEmail): RecipientReport[];
}
