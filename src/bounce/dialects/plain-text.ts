import { headerValue } from "../email/headers.ts";
import type { ScannedEmail } from "../email/scan.ts";
import {
  addressesIn,
  readReportText,
  recipientsInReplies,
  recipientsInSentences,
  withoutAddressee,
} from "../email/text.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/** Signs that a message without structured fields is a bounce at all. */
const BOUNCE_SUBJECT =
  /undeliver|undelivered|delivery|returned mail|failure|failed|not delivered|could not be delivered|bounce|rejected|error|non-?remis|problem|warning|nondeliverable/i;
const BOUNCE_TEXT =
  /could not be delivered|undeliverable|delivery (?:has )?failed|permanent(?:ly)? (?:error|fatal|failure)|failed recipient|returned to (?:the )?sender|not (?:be )?delivered|delivery status notification|mail delivery (?:software|system|subsystem)|unable to deliver/i;
/** A warning that delivery is still being tried (RFC 3464 Action: delayed), not a final failure. */
const DELAY_WARNING =
  /\bdelayed\b|delivery delay|warning message only|has not yet been delivered|not been delivered yet|will (?:keep trying|continue trying|be retried|retry)|attempts will continue|temporary failure report|still (?:being )?(?:tried|retried|undelivered)/i;
const BOUNCE_SENDER = /mailer-daemon|post_?master|mail delivery|mailer|bounce|daemon|system administrator/i;

/**
 * The generic fallback: recipients named on their own line in the human-readable report (qmail, Exim,
 * Gmail and most legacy MTAs write them so), each followed by its error lines.
 */
/** The original sender: the bounce's addressee, and the From/Return-Path of the attached original. */
function senderAddresses(mail: ScannedEmail): string {
  const original = mail.originalHeaders();
  const fromOriginal = original
    ? [headerValue(original, "from"), headerValue(original, "return-path")].filter((value) => value !== null)
    : [];
  return [headerValue(mail.headers, "to") ?? "", ...fromOriginal].join(", ");
}

const REPLY_IN_TEXT = /\b[45]\d\d[- ]|\b[45]\.\d{1,3}\.\d{1,3}\b/;

/** A recipient line whose own lines carry no reply: the error was written before it ("Error: … RCPT TO: a@b"). */
function withPreamble(diagnostic: string, preamble: string): string {
  if (!diagnostic) return preamble;
  return !REPLY_IN_TEXT.test(diagnostic) && REPLY_IN_TEXT.test(preamble)
    ? `${preamble} ${diagnostic}`
    : diagnostic;
}

/**
 * One entry per recipient: a report written twice (Mail.Ru's Russian then English text) names each
 * recipient twice. The first entry is kept, with the later one's error when only that quotes a reply.
 */
function onePerRecipient<T extends { recipient: string; diagnostic: string }>(entries: T[]): T[] {
  if (entries.length < 2) return entries;
  const kept = new Map<string, T>();
  for (const entry of entries) {
    const key = entry.recipient.toLowerCase();
    const first = kept.get(key);
    if (!first) kept.set(key, entry);
    else if (!REPLY_IN_TEXT.test(first.diagnostic) && REPLY_IN_TEXT.test(entry.diagnostic))
      kept.set(key, { ...first, diagnostic: entry.diagnostic });
  }
  return kept.size === entries.length ? entries : [...kept.values()];
}

/**
 * Recipients listed one per line with one error after the list ("bob@…", "carol@…", then "Reason: … said:
 * 552 …"): a recipient line with nothing of its own takes the error of the recipient after it.
 */
function shareFollowingError<T extends { diagnostic: string }>(entries: T[]): T[] {
  if (entries.length < 2 || entries.every((entry) => entry.diagnostic !== "")) return entries;
  const shared = entries.slice();
  for (let index = shared.length - 2; index >= 0; index--) {
    const next = shared[index + 1].diagnostic;
    if (shared[index].diagnostic === "" && REPLY_IN_TEXT.test(next))
      shared[index] = { ...shared[index], diagnostic: next };
  }
  return shared;
}

export const plainText: Dialect = {
  id: "plain-text",
  source: "Common non-RFC 3464 bounce layouts (see Sisimai lib/Sisimai/Lhost/*.pm)",
  detect(mail) {
    return (
      headerValue(mail.headers, "x-failed-recipients") !== null ||
      BOUNCE_SUBJECT.test(mail.subject) ||
      BOUNCE_SENDER.test(mail.from) ||
      BOUNCE_TEXT.test(mail.reportText.slice(0, 4096))
    );
  },
  parse(mail) {
    const text = readReportText(mail.reportText);
    const time = headerValue(mail.headers, "date");
    // What RFC 3464 would say in Action: a report that is not a delay warning says delivery failed.
    const action =
      DELAY_WARNING.test(mail.subject) || DELAY_WARNING.test(mail.reportText.slice(0, 4096))
        ? "delayed"
        : "failed";
    if (text.entries.length > 0) {
      const entries = shareFollowingError(
        onePerRecipient(
          text.entries.length > 1 ? withoutAddressee(text.entries, senderAddresses(mail)) : text.entries,
        ),
      );
      // A recipient line with nothing after it: the error was written before it (e.g. "Error: … RCPT TO: a@b").
      return entries.map(
        (entry): RecipientReport => ({
          ...entry,
          diagnostic: withPreamble(entry.diagnostic, text.preamble),
          time,
          action,
        }),
      );
    }
    const failed = addressesIn(headerValue(mail.headers, "x-failed-recipients"));
    const headers = mail.originalHeaders();
    const original = headers ? addressesIn(headerValue(headers, "to")) : [];
    // X-Failed-Recipients, then an address in a sentence ("could not be delivered to <a@b>"), then one in a
    // quoted reply ("said: 550 5.1.1 <a@b>: …").
    const inText = (found: string[]) =>
      withoutAddressee(
        found.map((recipient) => ({ recipient })),
        senderAddresses(mail),
      ).map((entry) => entry.recipient);
    let named = failed.length > 0 ? failed : inText(recipientsInSentences(text.preamble));
    if (named.length === 0) named = inText(recipientsInReplies(text.preamble));
    const recipients = named.length > 0 ? named : original.slice(0, 1);
    return recipients.map(
      (recipient): RecipientReport => ({ recipient, diagnostic: text.preamble, time, action }),
    );
  },
};
