/**
 * Sendmail's DSN writes only the first line of a multi-line reply into Diagnostic-Code (sendmail deliver.c
 * keeps the reply's first line as the status text: "Diagnostic-Code: SMTP; 550-5.4.1 Recipient address
 * rejected:"); the whole reply is in the report's transcript (savemail.c, "----- Transcript of session
 * follows -----"), every line the server sent marked `<<< ` (RFC 5321 §4.2.1: `550-` lines, then `550 `).
 * Sisimai reads those lines as the diagnosis too (sisimai go lhost/via-sendmail.go joins the `<<<` replies
 * before Diagnostic-Code).
 */

import { MAX_REPLY_LENGTH } from "../smtp-reply.ts";
import { namesAddress } from "./text.ts";

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
  const code = cutReplyCode(diagnostic);
  if (code === null) return null;
  const line = diagnostic.trim();
  const opening = `<<< ${line}`;
  const reportText = report.reportText;
  let firstRun: string | null | undefined;
  // Where the host part looked at last ends (the next part opens), and how many parts were looked at.
  let partEnd = -1;
  let parts = 0;
  for (let at = reportText.indexOf(opening); at >= 0; at = reportText.indexOf(opening, at + 1)) {
    const lineEnd = endOfLine(reportText, at);
    if (reportText.slice(at + opening.length, lineEnd).trim() !== "") continue;
    if (at > 0 && reportText[at - 1] !== "\n") continue;
    if (recipient === null) return replyRun(reportText, lineEnd, code, line);
    // Another occurrence in a part already looked at names the recipient no more than the first did.
    if (at < partEnd) continue;
    const run = replyRun(reportText, lineEnd, code, line);
    const next = reportText.indexOf(TALKING_TO, at);
    if (partNames(reportText, at, next, recipient.toLowerCase())) return run;
    if (firstRun === undefined) firstRun = run;
    if (next < 0 || ++parts >= MAX_PARTS_TRIED) break;
    partEnd = next;
  }
  return firstRun ?? null;
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

/** "... while talking to mx.example.org.:" opens one remote host's part of a Sendmail transcript (usersmtp.c). */
const TALKING_TO = "while talking to ";
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
  const from = Math.max(0, at - MAX_PART_LENGTH);
  const to = Math.min(next < 0 ? text.length : next, at + MAX_PART_LENGTH);
  const window = text.slice(from, to);
  const opened = window.lastIndexOf(TALKING_TO, at - from);
  return namesAddress((opened < 0 ? window : window.slice(opened)).toLowerCase(), address);
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

/** The reply's lines after its first (`<<< 550-…` while they go on, then `<<< 550 …`), joined to it. */
function replyRun(text: string, from: number, code: string, firstLine: string): string | null {
  const parts = [firstLine];
  let length = firstLine.length;
  for (let at = from + 1; at < text.length && length < MAX_REPLY_LENGTH; ) {
    const end = endOfLine(text, at);
    const next = text.slice(at, end).trim();
    if (!next.startsWith(`<<< ${code}`)) break;
    const mark = next[4 + code.length];
    if (mark !== "-" && mark !== " " && mark !== undefined) break;
    const reply = next.slice(4);
    parts.push(reply);
    length += reply.length + 1;
    if (mark !== "-") break;
    at = end + 1;
  }
  return parts.length > 1 ? parts.join(" ") : null;
}
