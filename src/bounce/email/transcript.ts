/**
 * Sendmail's DSN writes only the first line of a multi-line reply into Diagnostic-Code (sendmail deliver.c
 * keeps the reply's first line as the status text: "Diagnostic-Code: SMTP; 550-5.4.1 Recipient address
 * rejected:"); the whole reply is in the report's transcript (savemail.c, "----- Transcript of session
 * follows -----"), every line the server sent marked `<<< ` (RFC 5321 §4.2.1: `550-` lines, then `550 `).
 * Sisimai reads those lines as the diagnosis too (sisimai go lhost/via-sendmail.go joins the `<<<` replies
 * before Diagnostic-Code).
 */

import { MAX_REPLY_LENGTH } from "../smtp-reply.ts";

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
): string | null {
  const first = CONTINUED_FIRST_LINE.exec(diagnostic);
  if (first === null) return null;
  const code = first[1];
  const line = diagnostic.trim();
  // A Diagnostic-Code that holds more lines of the reply (folded: "550-… 550 5.2.1 …") is not cut.
  if (line.includes(` ${code}-`) || line.includes(` ${code} `) || line.includes("\n")) return null;
  const opening = `<<< ${line}`;
  const reportText = report.reportText;
  for (let at = reportText.indexOf(opening); at >= 0; at = reportText.indexOf(opening, at + 1)) {
    const lineEnd = endOfLine(reportText, at);
    if (reportText.slice(at + opening.length, lineEnd).trim() !== "") continue;
    if (at > 0 && reportText[at - 1] !== "\n") continue;
    return replyRun(reportText, lineEnd, code, line);
  }
  return null;
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
