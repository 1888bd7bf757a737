/**
 * Reading one SMTP reply: unfold it to one line, join multi-line replies (`550-5.7.1 … 550 5.7.1 …`),
 * and pull out the reply code, the enhanced status (RFC 3463) and the remote host when the text names them.
 */

import { LOCAL_PART_CHARACTERS } from "./local-part.ts";

export interface ParsedReply {
  /** The reply on one line, continuation prefixes removed, whitespace collapsed. */
  text: string;
  replyCode: number | null;
  /**
   * The enhanced status code found in the text: the one the reply leads with, unless it is missing or vague
   * (X.0.0, 4.4.7) and a later one of the reply code's class is not; or null (never a placeholder).
   */
  status: string | null;
  /** The host a log line says answered (`host mx.example[1.2.3.4] said: …`), or null. */
  remoteMta: string | null;
}

/** Diagnostic-Code types (RFC 3464 §2.3.6) that prefix DSN text: `smtp; 550 …`. */
const DIAGNOSTIC_TYPE = /^\s*(?:smtp|x-[a-z0-9-]+|x400|mta)\s*;\s*/i;

/** A reply line start: code, `-` (more lines follow) or space, then an optional enhanced status. */
const LEADING_CODE = /^([2-5][0-9][0-9])(?:[ -]+|$)(?:([2-5]\.[0-7]\.[0-9]{1,3})(?![.0-9])\s*)?/;

/** A code-and-status pair anywhere (Postfix `said: 550 5.7.1 …`, Exim `SMTP error … : 550 …`). */
const EMBEDDED_CODE = /(?:^|[\s:;(])([2-5][0-9][0-9])[ -]+([2-5]\.[0-7]\.[0-9]{1,3})(?![.0-9])/;

/** A lone code after `said:` or `:` at a reply boundary (`said: 421 Too many sessions`). */
const CODE_AFTER_SAID = /(?:said|reply|response|error)\s*:\s*([2-5][0-9][0-9])(?:[ -]|$)/i;

/**
 * The first line of a multi-line reply where nothing else named the code (Exim writes a reply without a
 * status after "SMTP error from remote mail server after RCPT TO:<a@b>:"): `550-` at a reply's boundary —
 * the text's start, after ": " or Sendmail's `<<< ` — taken only when the same code starts another line later.
 * Never after a word, so a phone number, a ticket or a count in prose ("call 412-555-0100 or 412 …") is no
 * reply code; only a refusal (4xx, 5xx), so a transcript's "<<< 250-mx Hello … <<< 250 HELP" is not the reply.
 */
const CONTINUED_CODE = /(?:^|: |<<< )([45][0-9][0-9])-(?=\S)/;

/**
 * An enhanced status on its own (`#5.1.1`, `(5.7.1)`), not part of an IP address or version number, nor of an
 * address's local part (`john5.1.1@example.com`, `b4.7.4-x@…`): the reply key masks a local part whole
 * (reply-key.ts, "local-part"), so a status read there would give one key's replies two verdicts, and a
 * recipient's own address would decide its verdict (a false userunknown).
 */
const LONE_STATUS = new RegExp(
  `(?:^|[^0-9.vV])([2-5]\\.[0-7]\\.[0-9]{1,3})(?![.0-9])(?![${LOCAL_PART_CHARACTERS}]*@)`,
);

const REMOTE_HOST = /\bhost\s+([a-z0-9][a-z0-9.-]*[a-z0-9])\s*\[/i;

/** Whitespace including the Unicode line/paragraph separators that some MTAs leak into replies. */
const SPACES = /[\s\u0085\u2028\u2029]+/g;
/** Whitespace SPACES would change: a run of two, or any but a plain space (most replies have neither). */
const UNEVEN_SPACE = /[\s\u0085]{2}|[^\S ]|\u0085/;

/** Longest text we look at: replies are short; this bounds regex work on hostile input. */
export const MAX_REPLY_LENGTH = 16_384;

export function parseReply(raw: string): ParsedReply {
  const bounded = raw.length > MAX_REPLY_LENGTH ? raw.slice(0, MAX_REPLY_LENGTH) : raw;
  const typed = bounded.replace(DIAGNOSTIC_TYPE, "");
  const spaced = (UNEVEN_SPACE.test(typed) ? typed.replace(SPACES, " ") : typed).trim();
  const unfolded = spaced.includes("<<< ") ? joinTranscriptReplies(spaced) : spaced;
  const head = LEADING_CODE.exec(unfolded);
  let replyCode: number | null = null;
  let status: string | null = null;
  let start = 0;
  if (head) {
    replyCode = Number(head[1]);
    status = head[2] ?? null;
  } else {
    const embedded = EMBEDDED_CODE.exec(unfolded);
    if (embedded) {
      replyCode = Number(embedded[1]);
      status = embedded[2];
      start = embedded.index + embedded[0].indexOf(embedded[1]);
    } else {
      const said = CODE_AFTER_SAID.exec(unfolded);
      const opener = said ? null : CONTINUED_CODE.exec(unfolded);
      if (said) {
        replyCode = Number(said[1]);
        start = said.index + said[0].lastIndexOf(said[1]);
      } else if (opener && continuesLater(unfolded, opener[1], opener.index + opener[0].length)) {
        replyCode = Number(opener[1]);
        start = opener.index + opener[0].indexOf(opener[1]);
      }
      status = LONE_STATUS.exec(unfolded)?.[1] ?? null;
    }
  }
  const text = replyCode === null ? unfolded : joinContinuations(unfolded, start, replyCode, status);
  // The status the reply leads with says least when vague (X.0.0, 4.4.7) or missing: a later one of the reply's
  // class says more ("550 5.0.0 … (#5.1.1)", qmail's "550 … (#5.1.1)"), as sisimai go smtp/status/find.go reads.
  if (status === null || isVagueStatus(status)) status = laterStatus(unfolded, replyCode, status);
  return { text, replyCode, status, remoteMta: REMOTE_HOST.exec(unfolded)?.[1].toLowerCase() ?? null };
}

/** A refusal line the server sent in Sendmail's transcript, after its `<<< `: code, `-` or a space, a status. */
const TRANSCRIPT_LINE = /^([45][0-9][0-9])([ -])(?:([245]\.[0-7]\.[0-9]{1,3}) )?/;

/**
 * Sendmail's transcript (sendmail/savemail.c, "----- Transcript of session follows -----") marks every line
 * the server sent with `<<< `; a multi-line reply is `<<< 550-…` lines and a last `<<< 550 …` (RFC 5321
 * §4.2.1), with or without an enhanced status on each. Unfolded, its lines are joined into one reply: the
 * first keeps `<<< 550 ` (and its status), the later lines of the same code lose their prefix — so a phrase
 * split over two lines ("does" / "550-not exist") reads whole. Anything else is left as it is.
 */
function joinTranscriptReplies(text: string): string {
  const parts = ` ${text}`.split(" <<< ");
  if (parts.length < 3) return text;
  const out: string[] = parts[0] === "" ? [] : [parts[0].slice(1)];
  // The code of the multi-line reply the previous part left open, and where its first line is in `out`.
  let open: string | null = null;
  let first = -1;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    const line = TRANSCRIPT_LINE.exec(part);
    if (open !== null && line !== null && line[1] === open) {
      out[first] = out[first].replace(`<<< ${open}-`, `<<< ${open} `);
      out[out.length - 1] += ` ${part.slice(line[0].length)}`;
    } else {
      out.push(`<<< ${part}`);
      first = out.length - 1;
    }
    if (line === null || line[2] === " ") open = null;
    else open = line[1];
  }
  return out.join(" ");
}

/** X.0.0 and 4.4.7 say less than any other status (sisimai go smtp/status/find.go sets them aside). */
export const isVagueStatus = (status: string): boolean => status.endsWith(".0.0") || status === "4.4.7";

const LONE_STATUSES = new RegExp(LONE_STATUS.source, "g");

/**
 * The first status standing alone in the text — never a piece of an IP address or a version ("relay 10.5.1.1"
 * holds none) — of one of `classes` ("45": failures) that is not vague, and the first vague one before it.
 */
function loneStatuses(text: string, classes: string): [specific: string | null, vague: string | null] {
  let vague: string | null = null;
  for (const match of text.matchAll(LONE_STATUSES)) {
    const candidate = match[1];
    if (!classes.includes(candidate[0])) continue;
    if (!isVagueStatus(candidate)) return [candidate, vague];
    vague ??= candidate;
  }
  return [null, vague];
}

/** The first failure status (4.x.x, 5.x.x) standing alone in the text that is not vague; or null. */
export function specificFailureStatus(text: string): string | null {
  return loneStatuses(text, "45")[0];
}

/**
 * The first status in the text, of the reply code's class when there is a code, that is not vague; else
 * `found` (the vague one the reply led with), else the first vague one of that class; or null.
 */
function laterStatus(text: string, replyCode: number | null, found: string | null): string | null {
  // Most replies write no status of their own past the one they lead with.
  if (text.indexOf(".", 4) < 0) return found;
  const [specific, vague] = loneStatuses(text, replyCode === null ? "2345" : String(replyCode)[0]);
  return specific ?? found ?? vague;
}

/** The code starts a later line of the reply (unfolded: after a space, before `-` or a space). */
function continuesLater(text: string, code: string, from: number): boolean {
  for (let at = text.indexOf(` ${code}`, from); at >= 0; at = text.indexOf(` ${code}`, at + 4)) {
    const next = text[at + 4];
    if (next === "-" || next === " " || next === undefined) return true;
  }
  return false;
}

/**
 * A multi-line reply repeats `550-5.7.1 ` at the start of every line; once unfolded those prefixes sit
 * mid-text. Keep the first (as `550 5.7.1 `), drop the repeats. Without a status only `550-` repeats are
 * certain continuation markers, plus the last line's `550 ` when a `550-` came before it. Sendmail's transcript
 * marks every line of the server's reply with `<<< `, which goes with the repeated prefix.
 */
function joinContinuations(text: string, start: number, replyCode: number, status: string | null): string {
  const code = String(replyCode);
  let reply = text.slice(start);
  if (status !== null && reply[3] === "-" && reply.indexOf(status, 4 + status.length) >= 0)
    reply = reply.replace(gluedStatusPattern(status), "");
  // Most replies are single-line: nothing to join when the code does not come back.
  if (reply.indexOf(code, 4) < 0)
    return start === 0 && reply[3] === " " ? text : `${text.slice(0, start)}${code} ${reply.slice(4)}`;
  // Lines that carry no status (`550-text`, or a status only in the text: qmail's "(#5.1.1)").
  const continued = reply.startsWith(`${code}-`) && (status === null || !reply.startsWith(status, 4));
  let rest = reply.slice(4).replace(continuationPattern(code, status), " ");
  if (continued) rest = rest.replace(new RegExp(`\\s+(?:<<< )?${code} (?=\\S)`), " ");
  return `${text.slice(0, start)}${code} ${rest}`.replace(SPACES, " ").trim();
}

const gluedStatusPatterns = new Map<string, RegExp>();

/**
 * A multi-line reply's status glued to the word its line follows ("not accepted from5.7.708 this IP", "or
 * DKIM.5.7.26 Authentication"): OpenSMTPD's reports join the lines by dropping each later line's `550-` and
 * the line break but not its status. Only after a character that no status number follows — a letter or a
 * sign, or a dot after one — never after a digit (an address "10.5.7.1", a version "1.5.7.708") or the
 * reply's own `550-`; compiled once per status.
 */
function gluedStatusPattern(status: string): RegExp {
  let pattern = gluedStatusPatterns.get(status);
  if (!pattern) {
    pattern = new RegExp(`(?<=[^\\s0-9.-]|[^\\s0-9]\\.)${status.replaceAll(".", "\\.")}(?=\\s|$)`, "g");
    if (gluedStatusPatterns.size > 1000) gluedStatusPatterns.clear();
    gluedStatusPatterns.set(status, pattern);
  }
  return pattern;
}

const continuationPatterns = new Map<string, RegExp>();

/** `\s+550[ -]5.7.1` or `\s+550-` (a line that dropped the status), compiled once per code and status. */
function continuationPattern(code: string, status: string | null): RegExp {
  const key = `${code} ${status ?? ""}`;
  let pattern = continuationPatterns.get(key);
  if (!pattern) {
    pattern = status
      ? new RegExp(`\\s+(?:<<< )?${code}(?:[ -]${status.replaceAll(".", "\\.")}(?=\\s|$)|-(?=\\S))`, "g")
      : new RegExp(`\\s+(?:<<< )?${code}-(?=\\S)`, "g");
    if (continuationPatterns.size > 1000) continuationPatterns.clear();
    continuationPatterns.set(key, pattern);
  }
  return pattern;
}
