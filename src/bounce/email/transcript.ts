/**
 * Sendmail's DSN writes only the first line of a multi-line reply into Diagnostic-Code (sendmail deliver.c
 * keeps the reply's first line as the status text: "Diagnostic-Code: SMTP; 550-5.4.1 Recipient address
 * rejected:"); the whole reply is in the report's transcript (savemail.c, "----- Transcript of session
 * follows -----"), every line the server sent marked `<<< ` (RFC 5321 §4.2.1: `550-` lines, then `550 `).
 * Sisimai reads those lines as the diagnosis too (sisimai go lhost/via-sendmail.go joins the `<<<` replies
 * before Diagnostic-Code). The home of what both the DSN path and the plain-text path read of a Sendmail report:
 * its "(reason: …)" lines, its transcript's parts and replies.
 */

import { MAX_REPLY_LENGTH } from "../smtp-reply.ts";
import { namesAddress, TRANSCRIPT_HOST, transcriptHostAt, transcriptHostStarts } from "./text.ts";

/** The line Sendmail opens its transcript with (savemail.c). */
const TRANSCRIPT_SEPARATOR = /-{3,} ?Transcript of session follows ?-{3,}/i;

/**
 * Sendmail's list of failed addresses gives each its reply's first line ("    (reason: 550-5.7.30 This mail has
 * been blocked because DKIM does not)", savemail.c errbody from the recipient's q_rstatus), as its DSN's
 * Diagnostic-Code does: the whole reply is in the transcript (wholeTranscriptReply reads it for the DSN).
 */
export const SENDMAIL_REASON = new RegExp(
  `^\\(reason: (.{1,998}?)\\)(?=$| ${TRANSCRIPT_SEPARATOR.source})`,
  "i",
);

/**
 * A recipient's lines are Sendmail's "(reason: …)" for it: its own error, with or without a reply code. Read by
 * the DSN path (dialects/rfc3464.ts) and the plain-text one alike.
 */
export const isSendmailReason = (lines: string): boolean => SENDMAIL_REASON.test(lines);

/**
 * Whether a recipient's lines are Sendmail's own line about it still being queued ("<a@b>... Deferred: Connection
 * timed out with mx.example.org.", "a@b... Deferred: 421 …"; deliver.c, the address as the envelope gave it): its
 * own error, with or without a reply, as "(reason: …)" is a failed one's.
 */
export function isSendmailDeferral(lines: string, recipient: string): boolean {
  const address = recipient.toLowerCase();
  const head = lines.slice(0, address.length + 16).toLowerCase();
  return head.startsWith(`${address}... deferred`) || head.startsWith(`<${address}>... deferred`);
}

/** Transcript lines looked at, and characters: hostile input stays bounded. */
const MAX_TRANSCRIPT_LINES = 256;
const MAX_TRANSCRIPT_LENGTH = 64 * 1024;

/** The lines of a report's Sendmail transcript after its separator, trimmed; none when it has no transcript. */
export function transcriptLines(reportText: string): string[] {
  const separator = TRANSCRIPT_SEPARATOR.exec(reportText);
  if (separator === null) return [];
  const from = separator.index + separator[0].length;
  const lines = reportText.slice(from, from + MAX_TRANSCRIPT_LENGTH).split("\n", MAX_TRANSCRIPT_LINES + 1);
  return lines.slice(1).map((line) => line.trim());
}

/** A reply's first line: its code and `-` (more lines follow). */
const CONTINUED_FIRST_LINE = /^([45][0-9][0-9])-\S/;

/**
 * The whole reply a Diagnostic-Code that is only a continued reply's first line (`550-…`, and no later line
 * of that code) was cut from: the transcript's `<<< ` run that starts with that very line, through its last
 * line (`<<< 550 …`) or the run's end, its lines joined by a space (`550-… 550-… 550 …`, as a folded
 * Diagnostic-Code reads). The line ties the reply to its recipient, so a report about several recipients
 * gives each its own. Null when the diagnostic is not cut or the transcript has no such run. At most
 * MAX_REPLY_LENGTH characters are taken. The report's text (`report.reportText`, the transcript) is read only
 * for a cut diagnostic: a DSN's human-readable part is decoded on first use (email/scan.ts), and most with a
 * Diagnostic-Code never need it.
 */
export function wholeTranscriptReply(
  diagnostic: string,
  report: { readonly reportText: string },
  /** Where several host parts of the transcript start with the line, the one that names this address is read. */
  recipient: string | null = null,
): string | null {
  if (cutReplyCode(diagnostic) === null) return null;
  const opening = `<<< ${diagnostic.trim()}`;
  const reportText = report.reportText;
  const address = recipient?.toLowerCase() ?? "";
  let firstRun: string | null | undefined;
  let partRun: string | null | undefined;
  // Where the host part looked at last ends (the next part opens), and whether it names the recipient.
  let partEnd = -1;
  let partNamed = false;
  let tried = 0;
  for (let at = reportText.indexOf(opening); at >= 0; at = reportText.indexOf(opening, at + 1)) {
    const lineEnd = endOfLine(reportText, at);
    if (reportText.slice(at + opening.length, lineEnd).trim() !== "") continue;
    if (at > 0 && reportText[at - 1] !== "\n") continue;
    const lines = reportText.slice(at, lineEnd + 1 + 2 * MAX_REPLY_LENGTH).split("\n");
    const answer = answerAt(lines, 0);
    const run = answer.run.length > 1 ? answer.run.join(" ") : null;
    if (recipient === null) return run;
    // The reply this recipient's own echo follows is its, where one part holds the same reply for several.
    if (answer.echo !== null && namesAddress(answer.echo.toLowerCase(), address)) return run;
    if (at >= partEnd) {
      const next = transcriptHostAt(reportText, at);
      partNamed = partNames(reportText, at, next, address);
      partEnd = next < 0 ? reportText.length : next;
    }
    if (partNamed) partRun ??= run;
    if (firstRun === undefined) firstRun = run;
    if (++tried >= MAX_PARTS_TRIED) break;
  }
  return partRun ?? firstRun ?? null;
}

/**
 * The reply code of a diagnostic that is only a continued reply's first line ("550-5.4.1 Recipient address
 * rejected:"), null for any other: a Diagnostic-Code that holds more lines of the reply (folded: "550-… 550 5.2.1
 * …") is not cut.
 */
export function cutReplyCode(diagnostic: string): string | null {
  const first = CONTINUED_FIRST_LINE.exec(diagnostic);
  if (first === null) return null;
  const code = first[1];
  const line = diagnostic.trim();
  return line.includes(` ${code}-`) || line.includes(` ${code} `) || line.includes("\n") ? null : code;
}

/** How far around a reply a host part is looked at, and how many parts: hostile input stays bounded. */
const MAX_PART_LENGTH = 8 * 1024;
const MAX_PARTS_TRIED = 16;

/**
 * Whether the host part of the transcript that holds `at` (the next opens at `next`, -1: none) names `address`
 * (lower-case), read at most MAX_PART_LENGTH either side of `at`: in an expiry report each
 * deferred recipient's part ends "a@b... Deferred: 421 …" (savemail.c), and Exim's "503-All RCPT commands were
 * rejected with this error:" opens a reply on every host that refused that way (review R137).
 */
function partNames(text: string, at: number, next: number, address: string): boolean {
  // From a line's start (`at` starts one): a cut line's tail is no text of its own ("b@x" of "bob@x").
  let from = Math.max(0, at - MAX_PART_LENGTH);
  if (from > 0 && text[from - 1] !== "\n") from = text.indexOf("\n", from) + 1;
  const to = Math.min(next < 0 ? text.length : next, at + MAX_PART_LENGTH);
  const window = text.slice(from, to);
  const opened = transcriptHostStarts(window, at - from).at(-1) ?? -1;
  return namesAddress((opened < 0 ? window : window.slice(opened)).toLowerCase(), address);
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

/** A server's reply line in a Sendmail transcript: its code, and "-" when more lines of the reply follow. */
const REPLY_LINE = /^<<< ([2-5]\d\d)([ -]|$)/;

/** A Sendmail transcript's dialogue about one recipient: ">>> RCPT To:<a@b>", then "<<< 550 …" (savemail.c). */
export const DIALOGUE = /^>>>/;

/** A server's reply in a transcript and what follows it (answerAt). */
export interface Answer {
  /** The reply's lines without "<<< " (its first, then its continuation lines up to MAX_REPLY_LENGTH). */
  run: string[];
  /** The index of the first line after the reply's last. */
  end: number;
  /**
   * The reporting Sendmail's own line after the reply, before any later reply (dialogue lines aside): its verdict
   * on the recipient ("550 5.1.1 a@b... User unknown", "a@b... Deferred: 421 …"). Null when a reply or nothing
   * follows.
   */
  echo: string | null;
}

/**
 * The reply whose first line is `lines[at]` ("<<< 550-…"): each `<<< 550-…` line after it while the reply goes
 * on, through its last (`<<< 550 …`), and Sendmail's own line after it. Lines are read trimmed.
 */
export function answerAt(lines: readonly string[], at: number): Answer {
  const first = lines[at].trim();
  const run = [first.slice(4)];
  let end = at + 1;
  const lead = REPLY_LINE.exec(first);
  if (lead !== null && lead[2] === "-") {
    const code = lead[1];
    let length = run[0].length;
    for (; end < lines.length; end++) {
      const next = lines[end].trim();
      if (!next.startsWith(`<<< ${code}`)) break;
      const mark = next[4 + code.length];
      if (mark !== "-" && mark !== " " && mark !== undefined) break;
      if (length < MAX_REPLY_LENGTH) {
        run.push(next.slice(4));
        length += next.length - 3;
      }
      if (mark !== "-") {
        end++;
        break;
      }
    }
  }
  let echo: string | null = null;
  for (let i = end; i < lines.length; i++) {
    const line = lines[i].trim();
    if (REPLY_LINE.test(line)) break;
    if (line === "" || TRANSCRIPT_HOST.test(line)) break;
    if (DIALOGUE.test(line)) continue;
    echo = line;
    break;
  }
  return { run, end, echo };
}

/** Whether a transcript line is a server's reply ("<<< 550 …"). */
export const isReplyLine = (line: string): boolean => REPLY_LINE.test(line);
