/**
 * Reading the human-readable part of a bounce: where the attached original message starts, and which
 * recipients the text names with which error lines. Shared by the dialects that have no structured fields.
 */

import { limitOf } from "../../util/limits.ts";

/**
 * A line that introduces the copy of the original message (everything after is the sender's own mail): one
 * MTA's wording per entry, read at a line start, perhaps after a separator run ("----- Original message -----").
 * A line of dashes right before a header field starts the copy too (EZweb's, MailMarshal's and other MTAs'
 * separator: sisimai go lhost/via-ezweb.go `boundaries`; dashLineBefore), and an MTA that pastes the original
 * with no marker line has its own boundary (SCOPED_COPY_BOUNDARIES).
 */
export interface CopyMarker {
  /** A regexp source, lower case, read case-insensitively at a line start. */
  phrase: string;
  source: string;
  /** The line as the source writes it. */
  example: string;
}

/** Sisimai's MTA-independent reader stops at these lines, for MTAs nobody knows (its `re_stop`). */
const RE_STOP = "sisimai lib/Sisimai/RFC3464.pm re_stop";

export const COPY_MARKERS: readonly CopyMarker[] = [
  {
    // Not Sendmail's "The original message was received at <date>" (a line of the notice itself).
    phrase: "(?:the )?original message(?! was)",
    source:
      "sisimai go lhost/via-gmail.go, via-googlegroups.go, via-mfilter.go ('-------original message'), via-dragonfly.go and via-imailserver.go ('Original message follows.'), via-exchange2007.go ('Original message headers:') boundaries",
    example: "----- Original message -----",
  },
  {
    // Exim 4.9x writes "your message" (github.com/sisimai/set-of-emails lhost-exim-52.eml).
    phrase: "this is a copy of (?:the|your) message",
    source: "Exim deliver.c:6424, :6426 (sisimai go lhost/via-exim.go boundaries)",
    example: "------ This is a copy of the message, including all the headers. ------",
  },
  {
    phrase: "included is a copy of the message header",
    source: "MXLogic's Exim (sisimai go lhost/via-exim.go boundaries)",
    example: "Included is a copy of the message header:",
  },
  {
    phrase: "unsent message follows",
    source: "V5 Sendmail (sisimai go lhost/via-v5sendmail.go boundaries)",
    example: "   ----- Unsent message follows -----",
  },
  {
    phrase: "no message was collected",
    source: "V5 Sendmail (sisimai go lhost/via-v5sendmail.go boundaries)",
    example: "  ----- No message was collected -----",
  },
  {
    phrase: "message header follows",
    source:
      "Sendmail savemail.c:1363 (sisimai go lhost/via-sendmail.go); Gmail (sisimai go lhost/via-gmail.go boundaries)",
    example: "----- Message header follows -----",
  },
  {
    phrase: "the header of the original message",
    source: "GMX, 1&1 (sisimai go lhost/via-gmx.go, via-einsundeins.go boundaries)",
    example: "--- The header of the original message is following. ---",
  },
  {
    phrase: "returned message",
    source: "Lotus Notes (sisimai go lhost/via-notes.go boundaries)",
    example: "------- Returned Message --------",
  },
  {
    phrase: "message headers follow",
    source: "DragonFly Mail Agent (sisimai go lhost/via-dragonfly.go boundaries)",
    example: "Message headers follow.",
  },
  {
    phrase: String.raw`content-type: message\/rfc822`,
    source:
      "a MIME part header pasted into the text (sisimai go lhost/via-exim.go, via-activehunter.go… boundaries)",
    example: "Content-Type: message/rfc822",
  },
  {
    phrase: "below is a copy of the original message",
    source: `OpenSMTPD (sisimai go lhost/via-opensmtpd.go boundaries); ${RE_STOP}`,
    example: "    Below is a copy of the original message:",
  },
  {
    phrase: "the attachment contains the original mail headers",
    source: `X6 (sisimai go lhost/via-x6.go boundaries); ${RE_STOP}`,
    example: "The attachment contains the original mail headers",
  },
  {
    phrase: "original mail as follows",
    source: "fml (sisimai go lhost/via-fml.go boundaries)",
    example: "Original mail as follows:",
  },
  {
    phrase: "original mail info",
    source: "m-FILTER (sisimai go lhost/via-mfilter.go boundaries)",
    example: "-------original mail info",
  },
  {
    phrase: "below this line is a copy of the message",
    source: `qmail-1.03 qmail-send.c (sisimai go lhost/via-qmail.go boundaries); ${RE_STOP}`,
    example: "--- Below this line is a copy of the message.",
  },
  {
    phrase: "below this line is a copy of the mail header",
    source: "qmail (sisimai go lhost/via-qmail.go boundaries)",
    example: "--- Below this line is a copy of the mail header.",
  },
  {
    phrase: "below the next line is a copy of the message",
    source: "qmail clones (sisimai go lhost/via-qmail.go boundaries)",
    example: "--- Below the next line is a copy of the message.",
  },
  {
    phrase: "enclosed is a copy of the message",
    source: "a qmail clone: https://github.com/sisimai/set-of-emails lhost-qmail-20.eml",
    example: "--- Enclosed is a copy of the message.",
  },
  {
    phrase: "mensaje original adjunto",
    source: "qmail's Spanish patch (sisimai go lhost/via-qmail.go boundaries)",
    example: "--- Mensaje original adjunto.",
  },
  {
    phrase: "en-t[eê]tes de message d'origine",
    source: "Exchange 2007 fr-FR (sisimai go lhost/via-exchange2007.go boundaries)",
    example: "En-têtes de message d'origine :",
  },
  {
    phrase: "intestazioni originali del messaggio",
    source: "Exchange 2007 it-CH (sisimai go lhost/via-exchange2007.go boundaries)",
    example: "Intestazioni originali del messaggio:",
  },
  {
    phrase: "ursprungshuvuden",
    source: "Exchange 2007 sv-SE (sisimai go lhost/via-exchange2007.go boundaries)",
    example: "Ursprungshuvuden:",
  },
  {
    phrase: "here is a copy of the first part of the message",
    source: RE_STOP,
    example: "Here is a copy of the first part of the message",
  },
  {
    phrase: "the non-delivered message is attached to this message",
    source: RE_STOP,
    example: "The non-delivered message is attached to this message.",
  },
  {
    phrase: "a copy of the original message below this line",
    source: RE_STOP,
    example: "A copy of the original message below this line:",
  },
  {
    phrase: "(?:the )?attachment is a copy of the message",
    source: RE_STOP,
    example: "Attachment is a copy of the message",
  },
  { phrase: "message text follows:", source: RE_STOP, example: "Message text follows: " },
  { phrase: "unsent message below", source: RE_STOP, example: "Unsent message below" },
  {
    phrase: String.raw`your message reads \(in part\):`,
    source: RE_STOP,
    example: "Your message reads (in part):",
  },
];

/** The markers as one regexp source, compiled into MARKER_AT_START and MARKER_AFTER_BREAK. */
export const MARKER_PHRASES = COPY_MARKERS.map((marker) => marker.phrase).join("|");

/**
 * A line with a marker, optionally after a separator ("----- Original message -----"; Smail frames its
 * separators in bars: "|----- Message text follows: -----|", flufl.bounce's simple_04.txt). The line of dashes
 * before a header field is found apart (dashLineBefore): as one more alternative here, after the optional
 * separator run, every split of a run of dashes was tried (a line of 20 dashes cost ~25 µs, of 10,000 ~3 s).
 */
const MARKER_LINE = String.raw`[ \t>]*\|?(?:[-=*_]{2,}[ \t]*)?(?:${MARKER_PHRASES})`;
/** The marker line at the start of the text. */
const MARKER_AT_START = new RegExp(MARKER_LINE, "iy");
/**
 * One after a line terminator (where a multiline "^" matches): a line terminator to start from lets the
 * expression skip ahead to the next one, where "^" in multiline mode was checked at every character.
 */
const MARKER_AFTER_BREAK = new RegExp(String.raw`[\n\r\u2028\u2029]${MARKER_LINE}`, "i");

/**
 * What follows a line of dashes that starts the copy (EZweb's, MailMarshal's and other MTAs' separator:
 * sisimai go lhost/via-ezweb.go `boundaries`): a header field (a regexp source), perhaps after one blank line.
 */
export const COPY_HEADER_FIELD = String.raw`(?:Received|Return-Path|From|Message-Id|Date|Subject|MIME-Version|Content-Type|X-[A-Za-z-]{1,40}):[ \t]`;
const HEADER_NEXT = new RegExp(String.raw`(?:[ \t]*\n)?(?=${COPY_HEADER_FIELD})`, "iy");
const DASHES = "-".repeat(20);

const isBlank = (code: number): boolean => code === 32 || code === 9;
/** "-", "=", "*", "_": the characters of a separator run. */
const isRunChar = (code: number): boolean => code === 45 || code === 61 || code === 42 || code === 95;

/**
 * Whether text[start, end) (a line, its terminator excluded) is a separator of 20+ dashes: after spaces,
 * tabs and ">" quotes, 20+ dashes, or a run of 2+ separator characters then 20+ dashes (after blanks or
 * not), then only blanks. Read once left to right, where a regular expression would try every way of
 * splitting a run of dashes (quadratic in its length).
 */
function isDashLine(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && (isBlank(text.charCodeAt(i)) || text.charCodeAt(i) === 62)) i++;
  const runStart = i;
  while (i < end && isRunChar(text.charCodeAt(i))) i++;
  const runEnd = i;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  if (i === end) {
    // One run: its last 20 characters are dashes, and it is all dashes or 2+ characters precede them.
    const length = runEnd - runStart;
    if (length < 20) return false;
    let dashes = 0;
    while (dashes < length && text.charCodeAt(runEnd - 1 - dashes) === 45) dashes++;
    return dashes >= 20 && (dashes === length || length >= 22);
  }
  // A run of 2+, blanks, then 20+ dashes and blanks to the end.
  if (runEnd - runStart < 2 || i === runEnd) return false;
  const dashStart = i;
  while (i < end && text.charCodeAt(i) === 45) i++;
  if (i - dashStart < 20) return false;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i === end;
}

/**
 * Where the first line of dashes before a header field starts in text[0, before), or -1. Only lines holding
 * 20 dashes in a row are looked at (found by one search), each once; line starts and ends are those of a
 * multiline "^": after \n, \r, U+2028 or U+2029, each terminator searched for once per occurrence.
 */
function dashLineBefore(text: string, before: number): number {
  // Next terminator of each kind at or after the run; -2 before the first search.
  let lf = -2;
  let cr = -2;
  let ls = -2;
  let ps = -2;
  let from = 0;
  while (from < before) {
    const run = text.indexOf(DASHES, from);
    if (run < 0 || run >= before) return -1;
    // A character other than a separator's before the run: this line is not one.
    let start = run;
    let code = 0;
    while (start > 0) {
      code = text.charCodeAt(start - 1);
      if (!isBlank(code) && code !== 62 && !isRunChar(code)) break;
      start--;
    }
    const atLineStart = start === 0 || code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
    if (lf === -2 || (lf >= 0 && lf < run)) lf = text.indexOf("\n", run);
    if (cr === -2 || (cr >= 0 && cr < run)) cr = text.indexOf("\r", run);
    if (ls === -2 || (ls >= 0 && ls < run)) ls = text.indexOf("\u2028", run);
    if (ps === -2 || (ps >= 0 && ps < run)) ps = text.indexOf("\u2029", run);
    if (lf < 0) return -1;
    let end = lf;
    if (cr >= 0 && cr < end) end = cr;
    if (ls >= 0 && ls < end) end = ls;
    if (ps >= 0 && ps < end) end = ps;
    // The line must end in "\n" itself (a "\r\n" line does not: nothing but blanks may follow the dashes).
    if (atLineStart && end === lf && start < before && isDashLine(text, start, lf)) {
      HEADER_NEXT.lastIndex = lf + 1;
      if (HEADER_NEXT.test(text)) return start;
    }
    from = end + 1;
  }
  return -1;
}

/** Offset where the copy of the original message starts in `text`, or text.length. */
export function originalMessageStart(text: string): number {
  MARKER_AT_START.lastIndex = 0;
  let marker = 0;
  if (!MARKER_AT_START.test(text)) {
    const match = MARKER_AFTER_BREAK.exec(text);
    marker = match ? match.index + 1 : text.length;
  }
  const dashes = dashLineBefore(text, marker);
  if (dashes >= 0) return dashes;
  return marker < text.length ? marker : pastedHeaderBlock(text);
}

/** A field line of a message's header block, at the start of a line: its name, lower-cased by the caller. */
const FIELD_LINE = /([A-Za-z][A-Za-z0-9-]{0,40}):[ \t]/y;
/**
 * What a message's own header block has and a notice's summary of it has not: Exchange's lists "To:",
 * "Subject:", "Sent:"; amavis's "Return-Path:", "From:", "Message-ID:", "Subject:" (set-of-emails
 * lhost-amavis-03.eml), then the notice goes on.
 */
const ORIGINATOR = new Set(["date", "received", "mime-version"]);

/**
 * Where an MTA pastes the original with no marker line nor separator: after a blank line, the original's
 * header block — three fields or more at the start of their lines (folded lines allowed), among them From:
 * and a field a summary of it leaves out (Date:, Received:, MIME-Version:; RFC 5322 §3.6). Without it the
 * returned body's lines ("-- sales@…" signatures, "boss@… ... see you monday") read as recipient lines
 * (review R62). text.length when there is none. Each line is read once.
 */
function pastedHeaderBlock(text: string): number {
  let lineStart = 0;
  let blankBefore = false;
  while (lineStart < text.length) {
    FIELD_LINE.lastIndex = lineStart;
    if (blankBefore && FIELD_LINE.test(text)) {
      const block = fieldBlock(text, lineStart);
      if (block.isOriginal) return lineStart;
      lineStart = block.end;
      blankBefore = false;
      continue;
    }
    const nl = text.indexOf("\n", lineStart);
    const lineEnd = nl < 0 ? text.length : nl;
    let i = lineStart;
    while (i < lineEnd && (isBlank(text.charCodeAt(i)) || text.charCodeAt(i) === 13)) i++;
    blankBefore = i === lineEnd;
    lineStart = lineEnd + 1;
  }
  return text.length;
}

/**
 * The field lines from `start` and their folded continuations, up to the first other line: where they end,
 * and whether they are a message's own header block (pastedHeaderBlock's test).
 */
function fieldBlock(text: string, start: number): { end: number; isOriginal: boolean } {
  let fields = 0;
  let from = false;
  let originator = false;
  let at = start;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (code !== 32 && code !== 9) {
      FIELD_LINE.lastIndex = at;
      const field = FIELD_LINE.exec(text);
      if (!field) break;
      const name = field[1].toLowerCase();
      fields++;
      if (name === "from") from = true;
      else if (ORIGINATOR.has(name)) originator = true;
    } else if (fields === 0) break;
    const nl = text.indexOf("\n", at);
    at = nl < 0 ? text.length : nl + 1;
  }
  return { end: at, isOriginal: fields >= 3 && from && originator };
}

/**
 * Where an MTA pastes the original with no marker line: a blank line, then a line that starts as `line` does
 * (case as written). Such a line is anyone's text elsewhere ("Received: from" in a quoted body, a Postfix
 * transcript), so each boundary applies only to the notices carrying the MTA's own header (lower-case name,
 * any value), as Sisimai's per-MTA decoder does.
 */
export interface ScopedCopyBoundary {
  header: string;
  line: string;
  source: string;
  /** The line as the MTA writes it, quoted from the source. */
  example: string;
}

export const SCOPED_COPY_BOUNDARIES: readonly ScopedCopyBoundary[] = [
  {
    // Zoho's first pasted field has no blank after the colon; "Received: from" is read the same.
    header: "x-zohomail",
    line: "Received:",
    source:
      'sisimai go lhost/via-zoho.go (boundaries "\\n\\nReceived:"; its test mail set-of-emails/maildir/bsd/lhost-zoho-01.eml)',
    example: "Received:from mail.zoho.com by mx.zohomail.com",
  },
];

/** Whether the line starting at `at` follows a blank line (blanks allowed on it, CRLF or LF). */
function afterBlankLine(text: string, at: number): boolean {
  let i = at - 1;
  if (i < 0 || text.charCodeAt(i) !== 10) return false;
  i--;
  if (i >= 0 && text.charCodeAt(i) === 13) i--;
  while (i >= 0 && isBlank(text.charCodeAt(i))) i--;
  return i >= 0 && text.charCodeAt(i) === 10;
}

/**
 * Offset where the copy of the original starts by the boundary of an MTA whose header the message carries
 * (`carries(name)`), or text.length.
 */
export function scopedCopyStart(text: string, carries: (header: string) => boolean): number {
  let start = text.length;
  for (let i = 0; i < SCOPED_COPY_BOUNDARIES.length; i++) {
    const boundary = SCOPED_COPY_BOUNDARIES[i];
    if (!carries(boundary.header)) continue;
    let at = text.indexOf(boundary.line);
    while (at >= 0 && at < start && !afterBlankLine(text, at)) at = text.indexOf(boundary.line, at + 1);
    if (at >= 0 && at < start) start = at;
  }
  return start;
}

/**
 * Lengths bounded (RFC 5321 §4.5.3.1: 64-octet local part, 255-octet domain) so no input backtracks quadratically.
 * A local part is an atom or a quoted string (RFC 5321 §4.1.2 Quoted-string: '"neko....nyaan...."@example.org',
 * dots a dot-atom may not have), kept with its quotes as the address is written; quoted strings with blanks or
 * escapes are not looked for.
 */
const ADDRESS = String.raw`(?:"[^"\s\\]{1,62}"|[^\s<>()"'\[\],;:@]{1,64})@[A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9]`;
/**
 * A recipient on its own line: "<a@b>", "a@b", "\"a@b\":", "a@b: text", "<a@b>... text", "a@b (text)",
 * "a@b on <date>", "a@b <a@b>", optionally after a label such as "Recipient address:" or ">>> RCPT To:", a
 * list's bullet, Exchange's address type or a quoted display name before "<a@b>" ('"Bob Cat" <a@b>': sisimai lib/
 * Sisimai/RFC3464.pm re_addr `\A["].+["]\s*`). Forms from sisimai go lhost/via-activehunter.go (">>> a@b <a@b>"),
 * via-x3.go ("   * a@b"), via-exchange2003.go ("SMTP=a@b on <date>", and after the X.400 address it is a
 * domain-defined attribute of: "c=US;a= ;p=Org;o=Site;dda:SMTP=a@b; on Fri, 4 Oct 2002" — Sisimai reads the
 * address between "smtp=" and " on ") and via-postfix.go (an alias's address: "<r@b> (expanded from <a@b>):
 * user unknown. Command output: …", the error after it; a long one wrapped after "(expanded from", the alias and
 * the error on the lines below); a bracketed address type ("Recipient: [SMTP:a@b]", MailEnable), a dash bullet
 * ("-- a@b"), and the error after " ... " or " - " ("a@b ... unknown host": Smail; "a@b - no such user here.":
 * MDaemon).
 */
const RECIPIENT_LINE = new RegExp(
  String.raw`^[ \t]*(?:(?:>>> *|In: *)?RCPT TO: *|>>> *|\* +|-- +|(?:(?:[a-z]{1,4}=[^;\n@]{0,64};){1,12}dda:)?SMTP=|(?:Recipient(?: address)?: *)?\[SMTP:|Recipient(?: address)?: *|Failed recipient: *|Final-Recipient: *rfc822; *|[45]\d\d[ -](?=<)|"[^"\n]{1,100}"[ \t]*(?=<))?["<]?(${ADDRESS})[">\]]?(?:[ \t]*(\.\.\.|:|-(?=[ \t]))[ \t]*(.*)|[ \t]*[([](.*)[)\]][ \t]*|[ \t]+on [0-9].*|;[ \t]+on .*|[ \t]+[A-Z]+=.*|[ \t]+<[^\s<>]{1,320}>[ \t]*|[ \t]+\(expanded from(?:[ \t]+<[^\s<>]{1,320}>\):[ \t]*(.*)|[ \t]*))?$`,
  "i",
);
/**
 * A recipient after words that say what happened to it, the error first: "Unknown user: a@b", "User mailbox
 * exceeds allowed size: a@b", "The following recipients returned permanent errors: a@b. Reason: …" (sisimai
 * go lhost/via-imailserver.go, via-x6.go), "User's mailbox is full: <a@b>". Two words or more, so a header field
 * ("To: a@b") is not one.
 */
const RECIPIENT_AFTER_WORDS = new RegExp(
  String.raw`^[ \t]*([A-Za-z][A-Za-z0-9']*(?: [A-Za-z0-9']+){1,8}):[ \t]*<?(${ADDRESS})>?\.?(?:[ \t]+.*)?$`,
);
/** Words that name the sender or a header of the original, not a failed recipient ("Original Sender: <a@b>"). */
const SENDER_WORDS = /\b(?:from|sender|reply|return|envelope|by|cc|bcc)\b/i;
/**
 * The words must say something about the delivery or the address ("Unknown user", "Delivery failed 20
 * attempts", "permanent errors", "Original address"): "Please contact your administrator: a@b" names no
 * recipient.
 */
const FAILURE_WORDS =
  /\b(?:users?|userid|host|recipients?|address(?:es)?|mailbox|deliver\w*|undeliverable|fail\w*|errors?|invalid|unknown|quota|size|rejected|refused|denied|not)\b/i;
/** Weaker: a line that starts with a bare address followed by text ("a@b Invalid Address, …"). */
const RECIPIENT_LEADING = new RegExp(String.raw`^[ \t]*<?(${ADDRESS})>?[ \t]+([A-Za-z].*)$`);
/**
 * A recipient named inside a sentence: "could not be delivered to: <a@b>", "error delivering your mail to
 * <a@b>", "addressed to 'a@b'", "Local mailbox a@b is unavailable", "Duplicated Message-ID in <list@b>" (a
 * mailing list's notice about itself), and the address Exim
 * names under a failed file, pipe or hidden one ("save to /var/mail/a" / "generated by a@b", "an undisclosed
 * address" / "(generated from a@b)": Exim's deliver.c, sisimai go lhost/via-exim.go), whose DSN's
 * Final-Recipient is then the file or pipe, not an address. "generated by" only right after such a destination:
 * elsewhere it names the notice's writer ("This message was generated by mailer-daemon@…"), never a recipient.
 */
const RECIPIENT_IN_SENTENCE = new RegExp(
  String.raw`(?:\bto|\bfor|recipients?|attempts|\baddress|\bmailbox|\bin(?=[ \t]+<)|\b(?:(?:save|pipe) to [^ \t]+|an undisclosed address)[ \t]+\(?generated (?:by|from)):?[ \t]+["<']?(${ADDRESS})`,
  "gi",
);

/**
 * A recipient named inside a remote server's reply: "said: 550 5.1.1 <a@b>: Recipient address rejected",
 * "RCPT TO:<a@b>" in a transcript line (Postfix bounce(8) "host … said:", Exim "SMTP error from remote
 * mail server after RCPT TO:<a@b>:").
 */
const RECIPIENT_IN_REPLY = new RegExp(
  String.raw`(?:\b[45]\d\d[ -](?:#?[45]\.[0-7]\.\d{1,3}[ ])?[^<>\n]{0,80}?|\bRCPT TO: ?)<(${ADDRESS})>`,
  "gi",
);

/**
 * A reply code and its hyphen glued to the reply's text: the first line of a multi-line SMTP reply (RFC 5321
 * §4.2.1, "550-jane@coolexample.com Invalid SPF record …", GoDaddy's IB508 reply as dma prints it), whose first
 * word reads as an address. It is the remote server's text, never the report's recipient (review R108); a
 * phone number's local part ("555-0100@sms.example") goes on with a digit.
 */
const GLUED_REPLY_CODE = /^[2-5][0-5]\d-(?!\d)/;

function isGluedReply(address: string): boolean {
  return GLUED_REPLY_CODE.test(address);
}

export interface TextEntry {
  recipient: string;
  diagnostic: string;
  /** Listed as the program the address expanded to ("|exit 69"): what the error reports is that program's exit. */
  toProgram?: true;
  /** The lines came under the layout's label ("because:", isLayoutLabel): they are the recipient's error. */
  labelled?: true;
}

export interface ReportText {
  /** Text before the first recipient line (boilerplate, or the whole error when no recipient is named). */
  preamble: string;
  /** Where each of the preamble's paragraphs after its first starts in it (a blank line came before). */
  paragraphs: number[];
  entries: TextEntry[];
}

/**
 * The original's Subject quoted by a notice ("This report relates to a message you sent with the following header
 * fields: … Subject: …", Oracle Messaging Server / iCloud; Exchange's "Your message … Subject: …"): the
 * sender's words, never the error, so not part of the preamble a recipient's error may fall back to.
 * Example: "  Subject: Nyaaaa" under "This report relates to a message you sent with the following header
 * fields:" (https://github.com/sisimai/set-of-emails lhost-messagingserver-05.eml; sisimai go lhost/via-messagingserver.go).
 */
const QUOTED_SUBJECT = /^subject:/i;
/**
 * A header field only a message carries, never a notice's own sentence: a copy of the original's header pasted
 * into the text after a marker this reader does not know (JetMail's "---- Header of the source mail attached
 * ----", flufl.bounce's bounce_01.txt), whose "for <a@b>", "Delivered-To:", "Cc:" and "In-Reply-To: <id@host>"
 * are not failed recipients (review R57). The field and its folded lines stay out of the preamble.
 */
const PASTED_HEADER_FIELD =
  /^(?:Received|Return-Path|Delivered-To|X-Original-To|Envelope-To|In-Reply-To|References|Message-ID|Reply-To|Cc|Bcc|Sender|Errors-To|Resent-[A-Za-z-]+|List-[A-Za-z-]+|DKIM-Signature|Authentication-Results):[ \t]/i;
/** Lines kept per recipient: an error never needs more, and hostile input stays bounded. */
const MAX_LINES_PER_ENTRY = 24;
/** One more than the limit: recordsFromEmail sees it was reached and says so. */
const MAX_ENTRIES = limitOf("recipientsPerMessage") + 1;

/** Where a regexp's "." stops: the line terminators. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
/**
 * Sendmail transcript: "... while talking to mx.example.org.:" opens one remote host's dialogue (usersmtp.c; older
 * ones write "While talking to"). The one definition of the marker: it opens a part only at a line's start, in a
 * line or in a report's text (transcriptHostAt) — a reply that says "while talking to" mid-line ("451 4.3.0
 * Temporary failure while talking to backend store") opens nothing, so a part's index is the same however it is
 * counted.
 */
const TALKING_TO = "(?:\\.\\.\\. )?while talking to ";
export const TRANSCRIPT_HOST = new RegExp(`^[ \\t]*${TALKING_TO}`, "i");
const TRANSCRIPT_HOSTS = new RegExp(`^[ \\t]*${TALKING_TO}`, "gim");

/**
 * Where the first host part at or after `from` opens in `text` (a report's text, its lines as written): the index
 * of the marker's line's start; -1 when none does.
 */
export function transcriptHostAt(text: string, from: number): number {
  TRANSCRIPT_HOSTS.lastIndex = from;
  return TRANSCRIPT_HOSTS.exec(text)?.index ?? -1;
}

/** Where each host part opens in `text` before `to` (transcriptHostAt), in order. */
export function transcriptHostStarts(text: string, to = text.length): number[] {
  const starts: number[] = [];
  TRANSCRIPT_HOSTS.lastIndex = 0;
  for (let match = TRANSCRIPT_HOSTS.exec(text); match !== null && match.index < to; ) {
    starts.push(match.index);
    match = TRANSCRIPT_HOSTS.exec(text);
  }
  return starts;
}
/** Sendmail transcript: "<<< 550 Insecure Mail Relay", what the remote host answered. */
const TRANSCRIPT_REPLY = /^[ \t]*<<< ?([45]\d\d\b.*)$/;
/** Sendmail transcript: ">>> DATA", the command the client sent last. */
const TRANSCRIPT_COMMAND = /^[ \t]*>>> ?\S/;
/** Sendmail's status of a whole host ("421 example.org (smtp)... Deferred: …"), not of any one recipient. */
const HOST_STATUS = /^[2-5]\d\d [^\s<>@]+ \([\w-]+\)\.\.\. /;
/** Sendmail's own line for a recipient ("554 <a@b>... Remote protocol error"). */
const RECIPIENT_STATUS = /^[ \t]*[45]\d\d /;
/** A reply code before an address in angle brackets ("550 <a@b>: User unknown"). */
const QUOTED_REPLY = /^[ \t]*[45]\d\d[ -]</;
/** Sendmail's line for a recipient still queued, the reply's first line after it ("a@b... Deferred: 421-4.7.0 …"). */
const DEFERRED_STATUS = /^Deferred: [45]\d\d\b/;
/** The recipient line quotes a reply of its own ("554 <a@b>... 550 Host unknown"). */
const OWN_REPLY = /^[45]\d\d\b/;
/**
 * Sendmail's own line for a recipient, with or without an enhanced status, its address as the envelope gave it
 * (in angle brackets or bare: "550 5.1.1 <a@b>... User unknown", "550 5.1.1 a@b... User unknown", review R136):
 * after a remote host's reply ("<<< 550 5.7.1 IP address blacklisted") it is that reply's code turned into
 * Sendmail's exit status and that status's stock words (sendmail/usersmtp.c maps 550/551/553 to EX_NOUSER,
 * libsm's sysexits table words it "User unknown"), so the remote's words are the error, not these.
 */
const SENDMAIL_ECHO = /^[45]\d\d (?:[45]\.[0-7]\.\d{1,3} )?(?:<([^\s<>]{1,320})>|([^\s<>]{1,320}?))\.\.\. /;

interface Entry {
  recipient: string;
  lines: string[];
  /** Every text line kept so far (separators aside) was indented. */
  indented: boolean;
  /** A text line (not a separator) was kept. */
  sawText: boolean;
  /** A blank line followed the last kept line. */
  blank: boolean;
  /** Later lines belong to no recipient. */
  closed: boolean;
  /** Started by Sendmail's own status line for the recipient: the next "While talking to" is another host. */
  statusLine: boolean;
  /** Named by "<words>: a@b" (RECIPIENT_AFTER_WORDS). */
  byWords: boolean;
  /** A separator line ("----- Transcript of session follows -----") came after the recipient line. */
  separated: boolean;
  /** Blanks before the recipient line's text: a line indented deeper, with no blank line before, continues it. */
  indent: number;
  /** Named by a reply-form line ("550 <a@b>: text", "554 <a@b>... text"): more such lines name more recipients. */
  replyForm: boolean;
  /** Listed as a program (PROGRAM_RECIPIENT); its address comes from the "(expanded from: a@b)" line under it. */
  toProgram?: true;
  /** Its first text line was the layout's label (isLayoutLabel), left out. */
  labelled?: true;
}

/**
 * Sendmail's list of failed addresses names a program recipient as the alias expanded to, quoted ("|exit 69"),
 * and the address it was expanded from on a line of its own under it: savemail.c errbody() prints q_paddr, then
 * "    (reason: …)" and "    (expanded from: …)" (https://github.com/Distrotech/sendmail/blob/master/sendmail/savemail.c).
 */
const PROGRAM_RECIPIENT = /^"\|[^"\n]{1,256}"[ \t]*$/;
const EXPANDED_FROM = new RegExp(String.raw`^\(expanded from: <?(${ADDRESS})>?\)$`, "i");

/** The address of Sendmail's own line for a recipient (SENDMAIL_ECHO), lower-cased; null when the line is none. */
export function echoedAddress(line: string): string | null {
  const echo = SENDMAIL_ECHO.exec(line);
  return echo === null ? null : (echo[1] ?? echo[2]).toLowerCase();
}

/**
 * Whether a line is a Sendmail line the recipient's error leaves out: its own stock words for a remote reply
 * already kept (`afterReply`), or, once the transcript has begun (`separated`), a line about another address
 * ("550 5.1.1 spammer@b... User unknown": the failed return of a Postmaster notify, another recipient's refusal:
 * review R136).
 */
function isLeftOutEcho(line: string, recipient: string, afterReply: boolean, separated: boolean): boolean {
  if (!afterReply && !separated) return false;
  const address = echoedAddress(line);
  if (address === null) return false;
  return address === recipient.toLowerCase() ? afterReply : separated;
}

/** What a line is tested for besides an address: Sendmail's transcript ("While talking to", "<<< 550", "(smtp)... "). */
const TRANSCRIPT_MARK = /alking to |<<<|>>>|\)\.\.\./g;

/**
 * Offset of the last character of the next transcript mark at or after `from`, or `text.length` when there is
 * none: a line holds the mark when that offset is before the line's end.
 */
function nextTranscriptMark(text: string, from: number): number {
  TRANSCRIPT_MARK.lastIndex = from;
  return TRANSCRIPT_MARK.test(text) ? TRANSCRIPT_MARK.lastIndex - 1 : text.length;
}

/** A recipient after words about it (RECIPIENT_AFTER_WORDS), as [line, address]; not one after a sender's label. */
function afterWords(line: string): [string, string] | null {
  const match = RECIPIENT_AFTER_WORDS.exec(line);
  return match && FAILURE_WORDS.test(match[1]) && !SENDER_WORDS.test(match[1]) ? [line, match[2]] : null;
}

/**
 * Whether `text` names `address` as a whole address, not inside a longer one (both lower-case). A dot after it
 * ends it unless more of a domain follows ("a@b.org... Deferred", Sendmail's echo).
 */
export function namesAddress(text: string, address: string): boolean {
  if (address === "") return false;
  for (let found = text.indexOf(address); found >= 0; found = text.indexOf(address, found + 1)) {
    const before = found > 0 ? text.charCodeAt(found - 1) : 32;
    const end = found + address.length;
    const after = end < text.length ? text.charCodeAt(end) : 32;
    const continued =
      after === 46 ? end + 1 < text.length && isAlphanumeric(text.charCodeAt(end + 1)) : isAddressChar(after);
    if (!isAddressChar(before) && !continued) return true;
  }
  return false;
}

const isAlphanumeric = (code: number): boolean => (code >= 48 && code <= 57) || (code >= 97 && code <= 122);

/** Letters, digits and ".-_+%" continue an address. */
export const isAddressChar = (code: number): boolean =>
  (code >= 48 && code <= 57) ||
  (code >= 65 && code <= 90) ||
  (code >= 97 && code <= 122) ||
  code === 46 ||
  code === 45 ||
  code === 95 ||
  code === 43 ||
  code === 37;

/**
 * Whether a recipient line of the reply form ("550 <a@b>: text", "554 <a@b>... text", QUOTED_REPLY) is a reply
 * quoted in `current`'s error: another recipient's error is being read, not a list of such lines (V5 Sendmail's, an
 * unknown MTA's) nor a section of their own (after "----- Transcript of session follows -----").
 */
function isQuotedReply(current: Entry | null): boolean {
  return current !== null && !current.closed && !current.replyForm && !current.separated;
}

/**
 * A recipient line indented deeper than `current`'s, in the same paragraph: a reply continuing its error when
 * it has text besides the address (`rest`), or when the error has begun (a reply folded before its last word,
 * "550 5.1.1 unknown or illegal alias:" / "    a@b"). A bare address right under another is a recipient.
 */
function continuesEntry(line: string, rest: string, current: Entry | null): boolean {
  if (current === null || current.closed || current.blank || (rest === "" && !current.sawText)) return false;
  return leadingBlanks(line) > current.indent;
}

/** How many spaces and tabs start a line. */
function leadingBlanks(line: string): number {
  let i = 0;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  return i;
}

/** Whitespace at a line's start (as /^\s/): the common ASCII cases without a regexp. */
function startsIndented(line: string): boolean {
  // Not charCodeAt past the end (NaN): compiled code that has never seen it there is thrown away when it does.
  if (line.length === 0) return false;
  const code = line.charCodeAt(0);
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return /^\s/.test(line);
}

/**
 * A separator line ("----- Transcript of session follows -----"): three or more of "-=*_" at each end, anything
 * but a line terminator between (/^[-=*_]{3,}.*[-=*_]{3,}$/, which backtracks cubically over a long run of
 * dashes followed by anything else: seconds for 1,000). Checked by its ends: any longer runs only shorten
 * the middle, which can hold no terminator anyway.
 */
function isSeparator(trimmed: string): boolean {
  const last = trimmed.length - 1;
  if (last < 5) return false;
  for (let i = 0; i < 3; i++)
    if (!isRunChar(trimmed.charCodeAt(i)) || !isRunChar(trimmed.charCodeAt(last - i))) return false;
  return !LINE_TERMINATOR.test(trimmed);
}

/**
 * A line that is only a label of a few words ending in a colon ("because:", "Reason:", "For the following reason:"),
 * which a layout writes over a recipient's error (HCL Domino: "was not delivered to: / a@b / because: / User … not
 * listed in Domino Directory", sisimai go lhost/via-domino.go reads the line after it): the label is no part of the
 * error (review R149).
 */
const LAYOUT_LABEL = /^[A-Za-z]+(?: [A-Za-z]+){0,3}:$/;
const isLayoutLabel = (trimmed: string): boolean => trimmed.length <= 40 && LAYOUT_LABEL.test(trimmed);

/**
 * The header of a list of addresses (the one definition, src/bounce/dialects/plain-text.ts reads the lists):
 * Sendmail's (savemail.c errbody, https://github.com/Distrotech/sendmail/blob/master/sendmail/savemail.c: "-----
 * The following addresses had permanent fatal errors -----", "… transient non-fatal errors", "… successful delivery
 * notifications") and the forms of MTAs that copied it ("   --- The following addresses had delivery problems ---",
 * sisimai go lhost/via-biglobe.go; "---The following addresses had delivery errors---", lhost/via-x1.go). Group 1
 * is what the addresses had: words of letters joined by single blanks or hyphens, so no run of dashes is tried
 * both as words and as the closing separator (linear on a hostile line).
 */
export const ADDRESS_LIST_HEADER = /^-{3,} ?The following addresses had ([a-z]+(?:[ -][a-z]+)*) ?-{3,}$/i;

/** A header field of message ids written with its value on the next line ("Message-ID:" / "  <id@host>"). */
const ID_FIELD = /^[ \t]*(?:message-id|in-reply-to|references|content-id|resent-message-id):[ \t]*\r?$/i;

/**
 * Whether `line` (starting at `lineStart` in `text`) is indented under a message-id field with no value on its
 * own line: a report that quotes the original's header (amavisd-new's "Message-ID:" / "  <Qdmail.…@host>")
 * names a message there, not a recipient.
 */
function continuesIdField(text: string, lineStart: number, line: string): boolean {
  if (lineStart < 2 || !startsIndented(line)) return false;
  const previous = text.lastIndexOf("\n", lineStart - 2) + 1;
  return ID_FIELD.test(text.slice(previous, lineStart - 1));
}

/**
 * Split the report text into recipients (address lines) and the lines that follow each. One pass: the
 * markers a line is tested for ("@", Sendmail's transcript lines) are found by searching the whole text, and a
 * line is cut out of it only when it is kept or tested.
 */
export function readReportText(text: string): ReportText {
  const preamble: string[] = [];
  const entries: Entry[] = [];
  let current: Entry | null = null;
  // The remote reply of the Sendmail transcript block being read: the cause of the recipient lines after it.
  let remoteReply: string | null = null;
  // The command the client sent last in that block (">>> DATA"), and the one `remoteReply` answered.
  let lastCommand: string | null = null;
  let replyCommand: string | null = null;
  // The preamble's line before was a pasted header field (PASTED_HEADER_FIELD): an indented line folds it.
  let inPastedHeader = false;
  // The lines after dma's "<host> did not like our RCPT TO:" up to a blank line: the server's reply, as it sent it.
  let inServerReply = false;
  // The preamble's lines that start a paragraph (a blank line before them), by index.
  const paragraphLines: number[] = [];
  let blankBefore = false;
  let nextAt = -1;
  let nextMark = -1;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    const lineEnd = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const lineStart = pos;
    pos = nl + 1;
    if (nextAt < lineStart) {
      nextAt = text.indexOf("@", lineStart);
      if (nextAt < 0) nextAt = text.length;
    }
    if (nextMark < lineStart) nextMark = nextTranscriptMark(text, lineStart);
    const candidate = lineEnd - lineStart < 1000 && nextAt < lineEnd;
    const marked = nextMark < lineEnd;
    const keeps = current ? !current.closed : preamble.length < MAX_LINES_PER_ENTRY * 4;
    // A line nothing would test or keep (after a closed recipient, past the preamble's limit): skipped.
    if (!candidate && !marked && !keeps) continue;
    const line = text.slice(lineStart, lineEnd);
    if (inServerReply && line.trim() === "") inServerReply = false;
    // An empty line is no program's (and charCodeAt past its end would throw the compiled loop away: startsIndented).
    if (
      line.length > 0 &&
      line.charCodeAt(0) === 34 &&
      entries.length < MAX_ENTRIES &&
      PROGRAM_RECIPIENT.test(line)
    ) {
      current = programEntry();
      entries.push(current);
      continue;
    }
    if (current?.toProgram && current.recipient === "" && !current.closed && candidate) {
      const from = EXPANDED_FROM.exec(line.trim());
      if (from !== null) {
        current.recipient = from[1];
        continue;
      }
    }
    const lineMatch =
      candidate && !continuesIdField(text, lineStart, line) ? RECIPIENT_LINE.exec(line) : null;
    // "550 <a@b>: User unknown" under a recipient is a remote server's reply quoted in its error (Gmail's "The
    // error that the other server returned was:", GMX's block), its address the server's echo; a list of such
    // lines, or Sendmail's own "554 <a@b>... reason" lines in their section, name a recipient each.
    const replyLine: boolean = lineMatch !== null && QUOTED_REPLY.test(line);
    const match: RegExpExecArray | null = replyLine && isQuotedReply(current) ? null : lineMatch;
    const leadingLine: RegExpExecArray | null = match || !candidate ? null : RECIPIENT_LEADING.exec(line);
    // "<words>: a@b" names a recipient only as the report's first one or after another of its kind (IMail
    // lists one "Unknown user: a@b" line per recipient): after a recipient of another form it is boilerplate
    // ("Report delivery problems to: postmaster@…").
    const byWords: [string, string] | null =
      match || leadingLine || !candidate || (current !== null && !current.byWords) ? null : afterWords(line);
    const leading: RegExpExecArray | [string, string] | null = leadingLine ?? byWords;
    // A line indented deeper than its recipient's line, in the same paragraph, continues that recipient's error
    // even when it quotes another address: Postfix folds a reply ("said: 550 5.1.1" / "    <alias@b>: Recipient
    // address rejected"), Exim indents the reply under its recipient ("    550 <alias@b>: User unknown").
    const named =
      (match !== null || leading !== null) && !inServerReply && !isGluedReply((match ?? leading)![1]);
    const rest: string = !named ? "" : match ? (match[3] ?? match[4] ?? match[5] ?? "").trim() : line.trim();
    const replyForm: boolean = match !== null && replyLine;
    if (named && !continuesEntry(line, rest, current) && entries.length < MAX_ENTRIES) {
      const recipient: string = (match ?? leading)![1];
      // Keep the whole line when it carries context: "554 <a@b>... reason", "550 <a@b>: reason" (the reply
      // code), ">>> RCPT To:<a@b>" (the command).
      const keep: string = match?.[2] === "..." || replyForm || /^\s*>>>/.test(line) ? line.trim() : rest;
      if (current && !current.closed && current.recipient.toLowerCase() === recipient.toLowerCase()) {
        const echo = remoteReply !== null && echoedAddress(line.trim()) === recipient.toLowerCase();
        if (keep && !echo && current.lines.length < MAX_LINES_PER_ENTRY) current.lines.push(keep);
        continue;
      }
      // "554 <a@b>... Remote protocol error" after "<<< 550 Insecure Mail Relay": the reply is the cause, read
      // with the recipient's own line as one diagnosis (sisimai go lhost/via-v5sendmail.go appends each "<<<"
      // line to the recipient it precedes).
      // Sendmail's "a@b... Deferred: 421-…" (deliver.c) ends its host's part as its own status line does, the
      // reply's first line in it: the next "while talking to" is another host's, and no reply before it is its cause.
      const deferred: boolean = match?.[2] === "..." && DEFERRED_STATUS.test(rest);
      const statusLine: boolean = match?.[2] === "..." && (deferred || RECIPIENT_STATUS.test(line));
      const cause: string | null =
        statusLine && !deferred && remoteReply && !OWN_REPLY.test(rest) ? remoteReply : null;
      // The reply is the cause of that one recipient line only, never of a later one (another host's: review R86).
      if (cause) remoteReply = null;
      // The command it answered goes with it, as Sisimai's reader keeps ">>> DATA" with the reply: the phase.
      const lines: string[] = cause ? (replyCommand ? [replyCommand, cause] : [cause]) : [];
      if (keep) lines.push(keep);
      current = newEntry(recipient, lines, {
        statusLine,
        byWords: byWords !== null,
        indent: leadingBlanks(line),
        replyForm,
      });
      entries.push(current);
      continue;
    }
    const trimmed = line.trim();
    if (trimmed.endsWith(":") && SERVER_REPLY_LEAD.test(trimmed)) inServerReply = true;
    if (marked && line.includes("alking to ") && TRANSCRIPT_HOST.test(line)) {
      remoteReply = null;
      lastCommand = null;
      if (current?.statusLine) current.closed = true;
    } else if (marked && line.includes("<<<")) {
      const reply = TRANSCRIPT_REPLY.exec(line)?.[1];
      if (reply !== undefined) {
        remoteReply = reply;
        replyCommand = lastCommand;
      }
    } else if (marked && TRANSCRIPT_COMMAND.test(line)) lastCommand = trimmed;
    if (marked && trimmed.includes(")...") && HOST_STATUS.test(trimmed)) {
      // The host's status ends the recipient before it, but not the reply: Sendmail V5 writes "421 host (smtp)...
      // Deferred: Connection reset … during result wait" between the reply and the recipient it refused
      // (sisimai go lhost/via-v5sendmail.go keeps such lines apart and the "<<<" line with that recipient).
      if (current) current.closed = true;
    }
    // A later line about the same address ("Routing: Could not find a gateway for a@b" after the list of
    // failed recipients and a paragraph break: sisimai go lhost/via-x3.go) is its error all the same.
    const aboutCurrent =
      current !== null && candidate && namesAddress(line.toLowerCase(), current.recipient.toLowerCase());
    if (current && !current.closed) {
      const indented = startsIndented(line);
      if (!trimmed) current.blank = true;
      else if (isSeparator(trimmed) && ADDRESS_LIST_HEADER.test(trimmed)) {
        // Sendmail's next list ("----- The following addresses had transient non-fatal errors -----"): no part of
        // the recipient before it.
        current.closed = true;
      } else if (isSeparator(trimmed)) {
        // "----- Transcript of session follows -----": a new section about the same failure.
        current.blank = false;
        current.separated = true;
        if (current.lines.length < MAX_LINES_PER_ENTRY) current.lines.push(trimmed);
      } else if (current.blank && !indented && current.indented && !aboutCurrent) {
        // An indented block (Exim, Postfix) ended by a paragraph of boilerplate: not this recipient's error.
        current.closed = true;
      } else if (isLeftOutEcho(trimmed, current.recipient, remoteReply !== null, current.separated)) {
        // Sendmail's stock words for the remote reply already kept, or another address's line in the transcript.
      } else if (!current.sawText && isLayoutLabel(trimmed)) {
        // The layout's label over the recipient's error (Domino's "because:"), no word of the error itself.
        current.labelled = true;
      } else if (current.lines.length < MAX_LINES_PER_ENTRY) {
        current.indented = indented && (current.indented || !current.sawText);
        current.sawText = true;
        current.lines.push(trimmed);
      }
    } else if (current) {
      if (aboutCurrent && current.lines.length < MAX_LINES_PER_ENTRY) current.lines.push(trimmed);
    } else if (PASTED_HEADER_FIELD.test(line) || (inPastedHeader && trimmed && startsIndented(line))) {
      inPastedHeader = true;
    } else if (trimmed && preamble.length < MAX_LINES_PER_ENTRY * 4 && !QUOTED_SUBJECT.test(trimmed)) {
      inPastedHeader = false;
      if (blankBefore && preamble.length > 0) paragraphLines.push(preamble.length);
      blankBefore = false;
      preamble.push(trimmed);
    } else {
      inPastedHeader = false;
      if (!trimmed) blankBefore = true;
    }
  }
  // A loop, not flatMap: the builtin is a call out of the compiled code, with an array per entry.
  const read: TextEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry.recipient === "") continue;
    const diagnostic = entry.lines.join(" ");
    read.push(
      entry.toProgram
        ? { recipient: entry.recipient, diagnostic, toProgram: true }
        : entry.labelled && diagnostic !== ""
          ? { recipient: entry.recipient, diagnostic, labelled: true }
          : { recipient: entry.recipient, diagnostic },
    );
  }
  return { preamble: preamble.join(" "), paragraphs: offsetsOf(preamble, paragraphLines), entries: read };
}

/** A recipient's entry as its line opens it: nothing kept yet, not closed. */
const newEntry = (
  recipient: string,
  lines: string[],
  opened: Pick<Entry, "statusLine" | "byWords" | "indent" | "replyForm"> & Pick<Partial<Entry>, "toProgram">,
): Entry => ({
  recipient,
  lines,
  indented: false,
  sawText: false,
  blank: false,
  closed: false,
  separated: false,
  ...opened,
});

/** A listed program recipient's entry, without its address until its "(expanded from: a@b)" line. */
const programEntry = (): Entry =>
  newEntry("", [], { statusLine: false, byWords: false, indent: 0, replyForm: false, toProgram: true });

/** Where lines `at` (indexes) start in `lines` joined by single spaces. */
function offsetsOf(lines: readonly string[], at: readonly number[]): number[] {
  const offsets: number[] = [];
  let offset = 0;
  let line = 0;
  for (let i = 0; i < at.length; i++) {
    const index = at[i];
    for (; line < index; line++) offset += lines[line].length + 1;
    offsets.push(offset);
  }
  return offsets;
}

/**
 * Where a remote server's reply quoted in the notice starts: a refusal code before an enhanced status or a word
 * ("550-5.7.511 Access denied", "550 User unknown"), not a number in prose ("412-555-0100", "500 messages").
 */
const QUOTED_REPLY_START = /(?<![\w.-])[45][0-5]\d(?:[ -][245]\.[0-7]\.\d{1,3}\b| (?=<|[A-Z][a-z]))/g;
/**
 * dma's line before the reply it got, which it prints as the server sent it: "mx.example.net [192.0.2.25] did not
 * like our RCPT TO:" (https://github.com/corecode/dma net.c READ_REMOTE_CHECK, for MAIL FROM, RCPT TO, DATA and
 * final DATA; sisimai go lhost/via-dragonfly.go). What follows it, whatever its form ("jane@…: 550 5.1.1 User
 * unknown", "550-5.1.1-jane@…"), is the server's text, never the recipient the notice named (review R108).
 */
const SERVER_REPLY_LEAD = /\bdid not like our (?:final )?(?:DATA|RCPT TO|MAIL FROM):/i;
const SERVER_REPLY_LEADS = new RegExp(SERVER_REPLY_LEAD.source, "gi");

/**
 * Recipients named inside sentences of the preamble (used when no address stands on its own line). Once the
 * notice has named one, an address inside a server's reply it quotes — from the reply code to the end of its
 * paragraph — is the server's text ("To request removal from this list, forward this message to
 * delist@messaging.microsoft.com"), not another recipient: dma names its one recipient per report that way
 * (sisimai go lhost/via-dragonfly.go reads only "There was an error delivering your mail to <a@b>"; review
 * R89). A later paragraph's sentence names a recipient again (review R91).
 */
export function recipientsInSentences(preamble: string, paragraphs: readonly number[] = []): string[] {
  const seen = new Set<string>();
  let reply = quotedReplyFrom(preamble, 0);
  let replyEnd = paragraphEnd(preamble, paragraphs, reply);
  for (const match of preamble.matchAll(RECIPIENT_IN_SENTENCE)) {
    while (match.index >= replyEnd) {
      reply = quotedReplyFrom(preamble, replyEnd);
      replyEnd = paragraphEnd(preamble, paragraphs, reply);
    }
    // Where the address starts: after dma's "did not like our RCPT TO:" the reply starts between the words and it.
    const at = match.index + match[0].length - match[1].length;
    if ((at >= reply && seen.size > 0) || isGluedReply(match[1])) continue;
    seen.add(match[1].replace(/\.$/, ""));
    if (seen.size >= MAX_ENTRIES) break;
  }
  return [...seen];
}

/** Where the first quoted reply at or after `from` starts (its code, or the end of dma's line before it), or the text's length. */
function quotedReplyFrom(text: string, from: number): number {
  QUOTED_REPLY_START.lastIndex = from;
  const code = QUOTED_REPLY_START.exec(text)?.index ?? text.length;
  SERVER_REPLY_LEADS.lastIndex = from;
  const lead = SERVER_REPLY_LEADS.exec(text);
  return lead !== null && lead.index + lead[0].length < code ? lead.index + lead[0].length : code;
}

/** Where the paragraph holding `at` ends: the next paragraph's start, or the text's length. */
function paragraphEnd(text: string, paragraphs: readonly number[], at: number): number {
  for (let i = 0; i < paragraphs.length; i++) if (paragraphs[i] > at) return paragraphs[i];
  return text.length;
}

/** Recipients named inside quoted replies or RCPT TO commands of the text (after sentences, before the original's To:). */
export function recipientsInReplies(text: string): string[] {
  const seen = new Set<string>();
  // exec in a loop, not matchAll: matchAll copies the expression (a call into the runtime) for every text.
  RECIPIENT_IN_REPLY.lastIndex = 0;
  for (let match = RECIPIENT_IN_REPLY.exec(text); match !== null; match = RECIPIENT_IN_REPLY.exec(text)) {
    seen.add(match[1]);
    if (seen.size >= MAX_ENTRIES) break;
  }
  return [...seen];
}

/**
 * Drop entries naming the bounce's own addressee (the original sender, quoted in "A message sent by <…>"),
 * unless nothing else is left.
 */
export function withoutAddressee<T extends { recipient: string }>(entries: T[], to: string | null): T[] {
  const own = new Set(addressesIn(to).map((address) => address.toLowerCase()));
  const rest = entries.filter((entry) => !own.has(entry.recipient.toLowerCase()));
  return rest.length > 0 ? rest : entries;
}

const ANY_ADDRESS = new RegExp(ADDRESS, "g");

/** Every address in a header value such as To: or Cc:, in order. */
export function addressesIn(value: string | null): string[] {
  if (!value) return [];
  return value.match(ANY_ADDRESS)?.slice(0, MAX_ENTRIES) ?? [];
}

/**
 * An SMTP reply code quoted in a notice's text ("550 5.1.1 …", "452-4.2.2 …", "said: 550 …"): a 4xx/5xx code
 * with a space or a continuation hyphen after it, standing alone — not a port ("mx.example.org:465 "), a part of
 * a longer number ("10.550 "), or a phone number ("415-555-0100").
 */
export const REPLY_CODE_IN_TEXT = /(?<![\w.:-])[45]\d\d(?: |-(?!\d{3}-))/;

/** An enhanced status code quoted in a text ("5.1.1"), not a part of an IP address or version ("10.5.1.1"). */
export const STATUS_IN_TEXT = /(?<![\w.])[45]\.[0-7]\.\d{1,3}(?!\.?\d)/;
