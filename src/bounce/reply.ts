/** Reading the SMTP reply out of the many ways sources wrap it. Scans with char codes: hot path. */

import { trimAscii, trimAsciiStart } from "../util/ascii.ts";

/** Drop a DSN diagnostic-type prefix (`smtp;550 …`, `smtp; 550 …`, `X-Postfix; …`). */
export function stripDiagnosticType(text: string): string {
  const semi = text.indexOf(";");
  if (semi > 0 && semi <= 12) {
    const type = text.slice(0, semi).toLowerCase();
    if (type === "smtp" || type === "x-postfix" || type === "x-unix" || type === "x-local") {
      return trimAsciiStart(text.slice(semi + 1));
    }
  }
  return text;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The 3-digit reply code a text starts with (`550 …`, `550-…`, `550`), else null. */
export function leadingReplyCode(text: string): number | null {
  if (text.length < 3) return null;
  const next = text.length > 3 ? text.charCodeAt(3) : -1;
  return replyCodeOf(text.charCodeAt(0), text.charCodeAt(1), text.charCodeAt(2), next);
}

/** leadingReplyCode of the ASCII text bytes[from, to). */
export function leadingReplyCodeOfBytes(bytes: Uint8Array, from: number, to: number): number | null {
  if (to - from < 3) return null;
  return replyCodeOf(bytes[from], bytes[from + 1], bytes[from + 2], to - from > 3 ? bytes[from + 3] : -1);
}

/** The code of the first three characters when they are one and the fourth (-1: none) ends it. */
function replyCodeOf(a: number, b: number, c: number, next: number): number | null {
  if (a < 50 || a > 53 || !isDigit(b) || !isDigit(c)) return null;
  if (next !== -1 && next !== 32 && next !== 45 && next !== 9) return null;
  return (a - 48) * 100 + (b - 48) * 10 + (c - 48);
}

/** An enhanced status (`5.7.1`) right after the reply code, or at the start of the text. */
export function leadingStatus(text: string): string | null {
  let i = 0;
  if (leadingReplyCode(text) !== null) i = 4;
  while (i < text.length && text.charCodeAt(i) === 32) i++;
  const c = text.charCodeAt(i);
  if (c < 50 || c > 53 || text.charCodeAt(i + 1) !== 46) return null;
  let j = i + 2;
  const subjectStart = j;
  while (j < text.length && isDigit(text.charCodeAt(j))) j++;
  if (j === subjectStart || j - subjectStart > 3 || text.charCodeAt(j) !== 46) return null;
  const detailStart = ++j;
  while (j < text.length && isDigit(text.charCodeAt(j))) j++;
  if (j === detailStart || j - detailStart > 3) return null;
  if (j < text.length && text.charCodeAt(j) !== 32 && text.charCodeAt(j) !== 9) return null;
  return text.slice(i, j);
}

/** A well-formed enhanced status from a status field (`5.1.1`, `5.1.1 (bad mailbox)`), else null. */
export function cleanStatus(value: string | null): string | null {
  if (!value) return null;
  const status = leadingStatus(trimAscii(value));
  return status === "0.0.0" ? null : status;
}
