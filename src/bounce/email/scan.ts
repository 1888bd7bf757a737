import { type LimitName, limitOf } from "../../util/limits.ts";
import { type DeliveryStatus, findInlineDeliveryStatus, parseDeliveryStatus } from "./dsn.ts";
import { decodeWords, type HeaderBlock, type HeaderField, headerValue, parseHeaderBlock } from "./headers.ts";
import {
  asciiView,
  type ContentType,
  type MimePart,
  parseContentType,
  partIsAsIs,
  partText,
  walkParts,
} from "./mime.ts";
import { originalMessageStart, scopedCopyStart } from "./text.ts";

/** Everything the dialects read from one message, decoded once. */
export interface ScannedEmail {
  headers: HeaderBlock;
  /** The message's own Content-Type. */
  contentType: ContentType;
  subject: string;
  from: string;
  /**
   * Decoded human-readable report text (text parts outside the original message), cut before the copy.
   * Decoded on first read.
   */
  readonly reportText: string;
  /**
   * Whether the first line of reportText (from its first non-blank character) may hold a match of `pattern`
   * (ASCII text within one line), looked for in its parts' bytes (mime.ts asciiView) rather than in the
   * decoded report: false only when that line cannot hold one. `word`, when given, is found in every match of
   * `pattern` and matches only ASCII letters, digits, "." and ":" (nothing a tag or a named character reference
   * of HTML can stand for): an HTML report (decoded only for its text) that holds it nowhere cannot open with
   * a match either.
   */
  reportMayOpenWith(pattern: RegExp, word?: RegExp): boolean;
  /** RFC 3464 fields from a message/delivery-status part, or found inline in the text. */
  deliveryStatus: DeliveryStatus | null;
  /** Fields of a message/feedback-report part (ARF). */
  feedback: HeaderBlock | null;
  /** Headers of the attached original message, when there is one (parsed on first call). */
  originalHeaders(): HeaderBlock | null;
  parts: MimePart[];
  /** Limits the message reached while being read (its later parts, deeper nesting were not). */
  limitsReached: LimitName[];
}

/** Recipients gathered from several delivery-status parts, at most (one more shows the limit was reached). */
const MAX_RECIPIENTS = limitOf("recipientsPerMessage");
/** A tag is at most this long inside its angle brackets; a "<" without a ">" that near is text. */
const MAX_TAG = 2000;
const MAX_REPORT_TEXT = limitOf("reportTextBytes");

function isDeliveryStatus(type: string): boolean {
  return type === "message/delivery-status" || type === "message/global-delivery-status";
}

function isOriginal(type: string): boolean {
  return (
    type === "message/rfc822" ||
    type === "text/rfc822-headers" ||
    type === "text/rfc822-header" ||
    type === "message/global" ||
    type === "message/global-headers"
  );
}

/** The character references an HTML report uses in its text: numeric ones and the XML/HTML basics. */
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(nbsp|lt|gt|amp|quot|apos));/gi;
const NAMED: Readonly<Record<string, string>> = {
  nbsp: " ",
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};

/**
 * Each tag (a "<", at most MAX_TAG characters other than ">", a ">": what /<[^>]{0,2000}>/g finds) replaced by
 * a space, or by a line break where the tag breaks the line (<br>, <p>, <div>, <tr>, <li>… — HTML 5 §15.3.3's
 * block elements): an HTML report written on one line keeps its lines ("gone@example.org<br>The email
 * address …" names its recipient on a line of its own, as the text part would). Found with indexOf, the next ">" remembered while the "<"s before it are tried: linear even for
 * many "<" far from any ">" (the regexp cost 2.4 % of a steady message's instructions once HTML reports' text
 * was read for their SMTP phase).
 */
export function withoutTags(html: string): string {
  let lt = html.indexOf("<");
  if (lt < 0) return html;
  const out: string[] = [];
  let from = 0;
  let gt = -1;
  while (lt >= 0) {
    if (gt <= lt) {
      gt = html.indexOf(">", lt + 1);
      if (gt < 0) break;
    }
    if (gt - lt - 1 <= MAX_TAG) {
      out.push(html.slice(from, lt), breaksLine(html, lt + 1) ? "\n" : " ");
      from = gt + 1;
      lt = html.indexOf("<", from);
    } else lt = html.indexOf("<", lt + 1);
  }
  out.push(html.slice(from));
  return out.join("");
}

/**
 * The first line of withoutTags(view) from its first non-blank character, as the text's own line holds it before
 * the report's cuts and its trailing blanks (each can only shorten it: reportText's first line is a prefix of
 * this one), found without reading past it; null when the bytes cannot tell: a "&" in the line or before it
 * (decodeEntities may write a blank, a "<" or a line break there), or a byte beyond ASCII before its first
 * character (a blank of the part's charset, U+00A0 or U+3000, is no start). Tags are found as withoutTags finds
 * them: a "<" whose first ">" after it lies within MAX_TAG characters; a line-breaking one ends the line.
 */
export function htmlFirstLine(view: string): string | null {
  // The first ">" after the last "<" looked at; -2 once there is none left (every later "<" is text).
  let gt = -1;
  let started = false;
  let from = 0;
  let line = "";
  for (let at = 0; at < view.length; at++) {
    const code = view.charCodeAt(at);
    if (code === 60) {
      if (gt !== -2 && gt <= at) {
        gt = view.indexOf(">", at + 1);
        if (gt < 0) gt = -2;
      }
      if (gt >= 0 && gt - at - 1 <= MAX_TAG) {
        const breaks = breaksLine(view, at + 1);
        if (started) {
          line += view.slice(from, at);
          if (breaks) return line;
          line += " ";
        }
        from = gt + 1;
        at = gt;
        continue;
      }
    }
    if (code === 38) return null;
    if (started) {
      if (code === 10) return line + view.slice(from, at);
      continue;
    }
    if (code >= 128) return null;
    if (code === 32 || (code >= 9 && code <= 13)) continue;
    started = true;
    from = at;
  }
  return started ? line + view.slice(from) : "";
}

/** Tags that end a line of text when rendered (opening or closing), by their lower-case name. */
const LINE_BREAKING_TAGS = new Set(
  "br p div tr li ul ol table hr pre blockquote h1 h2 h3 h4 h5 h6".split(" "),
);
/** The longest name of LINE_BREAKING_TAGS. */
const MAX_BREAKING_NAME = 10;

/** Whether the tag whose text starts at `at` (after its "<") is one of LINE_BREAKING_TAGS, opening or closing. */
function breaksLine(html: string, at: number): boolean {
  let start = at;
  if (html.charCodeAt(start) === 47) start++; // "</p>"
  let end = start;
  while (end - start <= MAX_BREAKING_NAME && isNameChar(html.charCodeAt(end))) end++;
  return (
    end > start &&
    end - start <= MAX_BREAKING_NAME &&
    LINE_BREAKING_TAGS.has(html.slice(start, end).toLowerCase())
  );
}
const isNameChar = (code: number): boolean =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);

/** "couldn&#39;t", "&lt;a@b&gt;" → "couldn't", "<a@b>" (HTML 5 §13.5; other named references stay as they are). */
function decodeEntities(html: string): string {
  if (!html.includes("&")) return html;
  return html.replace(
    ENTITY,
    (whole, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (name) return NAMED[name.toLowerCase()] ?? whole;
      const code = decimal ? Number(decimal) : Number.parseInt(hex ?? "", 16);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
        ? String.fromCodePoint(code)
        : whole;
    },
  );
}

/** Headers quoted after an "original message follows" line, or null. */
function inlineOriginalHeaders(text: string, marker: number): HeaderBlock | null {
  const after = text.indexOf("\n", marker);
  let start = after < 0 ? text.length : after + 1;
  while (start < text.length && /\s/.test(text[start])) start++;
  const block = parseHeaderBlock(text, start, text.length);
  return block.fields.length > 0 ? block : null;
}

/** Delivery-status fields quoted in a forwarded bounce ("> Final-Recipient: rfc822; a@b"). */
const QUOTED_FIELDS = /^>[ \t]?(?:Final-Recipient|Original-Recipient|Reporting-MTA):/im;
/** Those fields quoted or not: one scan rules both out for most reports (they have no such fields inline). */
const ANY_FIELDS = /^(?:>[ \t]?)?(?:Final-Recipient|Original-Recipient|Reporting-MTA):/im;
const QUOTE_PREFIX = /^>[ \t]?/gm;

/**
 * A delivery-status part's fields. An MTA that writes them right under the part's Content-Type, with no
 * blank line between, makes them part headers: they are read from there (RFC 3464 §2.1 wants the blank line).
 */
function deliveryStatusText(text: string, part: MimePart): string {
  const body = partText(text, part);
  const fields = part.headers.fields;
  if (!namesRecipient(fields)) return body;
  const inHeaders = fields.filter(
    (field) => !field.name.startsWith("content-") && field.name !== "mime-version",
  );
  return `${inHeaders.map((field) => `${field.name}: ${field.value}`).join("\n")}\n\n${body}`;
}

/**
 * A delivery-status part's fields: read in the message itself when the part is as it is there (most are:
 * 7-bit ASCII), so its groups are read where the message's bytes were loaded (header-bytes.ts); the same
 * fields as from partText's copy.
 */
function deliveryStatusOf(text: string, part: MimePart): DeliveryStatus {
  if (!namesRecipient(part.headers.fields) && partIsAsIs(text, part))
    return parseDeliveryStatus(text, part.bodyStart, part.bodyEnd);
  return parseDeliveryStatus(deliveryStatusText(text, part));
}

/** Whether a Final-Recipient or Original-Recipient field is among `fields` (an index loop: no closure per part). */
function namesRecipient(fields: readonly HeaderField[]): boolean {
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const length = field.nameLength;
    if (
      length === 15 ? field.isNamed("final-recipient") : length === 18 && field.isNamed("original-recipient")
    )
      return true;
  }
  return false;
}

/** Scan a message held as a latin1 string (one char per byte). */
export function scanEmail(text: string): ScannedEmail {
  const headers = parseHeaderBlock(text, 0, text.length);
  const parts: MimePart[] = [];
  const cut = new Set<LimitName>();
  const type = parseContentType(headerValue(headers, "content-type"));
  walkParts(text, headers, text.length, parts, 0, false, cut, type);
  const textParts: MimePart[] = [];
  const htmls: MimePart[] = [];
  let deliveryStatus: DeliveryStatus | null = null;
  let feedback: HeaderBlock | null = null;
  let originalPart: MimePart | null = null;
  // An index loop: for-of allocates an iterator per message in Maglev-compiled code (email runs' tier).
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    const type = part.type.type;
    if (isDeliveryStatus(type)) {
      const parsed = deliveryStatusOf(text, part);
      if (!deliveryStatus || deliveryStatus.recipients.length === 0) deliveryStatus = parsed;
      else if (deliveryStatus.recipients.length <= MAX_RECIPIENTS)
        deliveryStatus.recipients.push(...parsed.recipients.slice(0, MAX_RECIPIENTS + 1));
    } else if (type === "message/feedback-report") {
      const body = partText(text, part);
      feedback ??= parseHeaderBlock(body, 0, body.length);
    } else if (isOriginal(type)) {
      originalPart ??= part;
    } else if (!originalPart && textParts.length < 4) {
      if (type === "text/plain") textParts.push(part);
      else if (type === "text/html") htmls.push(part);
    }
  }
  const mail = new ScannedMessage(
    text,
    headers,
    type,
    parts,
    cut.size === 0 ? [] : [...cut],
    textParts,
    htmls,
    originalPart,
  );
  mail.deliveryStatus = deliveryStatus;
  mail.feedback = feedback;
  if (!deliveryStatus && ANY_FIELDS.test(mail.reportText)) {
    let report = mail.reportText;
    // A bounce forwarded as a quotation ("Begin forwarded message:", every line "> "): read it unquoted.
    if (QUOTED_FIELDS.test(report)) {
      report = report.replace(QUOTE_PREFIX, "");
      mail.setReportText(report);
    }
    const inline = findInlineDeliveryStatus(report);
    if (inline >= 0) {
      const parsed = parseDeliveryStatus(report, inline);
      if (parsed.recipients.length > 0) {
        mail.deliveryStatus = parsed;
        // The human-readable report ends where the fields start (the original message may follow them).
        mail.setReportText(report.slice(0, inline));
      }
    }
  }
  return mail;
}

/**
 * A scanned message. A class, not an object literal, and no closures: a getter written in a literal is a
 * new accessor per message, so each message would get a hidden class of its own (kept in the old
 * generation with the closures, and so the whole message text, alive until a full GC) and every read of a
 * field would be megamorphic; what is decoded on demand is kept in fields.
 */
class ScannedMessage implements ScannedEmail {
  readonly headers: HeaderBlock;
  readonly contentType: ContentType;
  readonly subject: string;
  readonly from: string;
  deliveryStatus: DeliveryStatus | null = null;
  feedback: HeaderBlock | null = null;
  readonly parts: MimePart[];
  readonly limitsReached: LimitName[];
  readonly #text: string;
  readonly #textParts: MimePart[];
  readonly #htmls: MimePart[];
  readonly #originalPart: MimePart | null;
  #reportText: string | null = null;
  /** The decoded report, when the copy of the original message is quoted in it (not attached), and where. */
  #inlineOriginal: string | null = null;
  #inlineOriginalAt = 0;
  #parsedOriginal: HeaderBlock | null | undefined = undefined;

  constructor(
    text: string,
    headers: HeaderBlock,
    contentType: ContentType,
    parts: MimePart[],
    limitsReached: LimitName[],
    textParts: MimePart[],
    htmls: MimePart[],
    originalPart: MimePart | null,
  ) {
    this.#text = text;
    this.headers = headers;
    this.contentType = contentType;
    this.subject = decodeWords(headerValue(headers, "subject") ?? "");
    this.from = headerValue(headers, "from") ?? "";
    this.parts = parts;
    this.limitsReached = limitsReached;
    this.#textParts = textParts;
    this.#htmls = htmls;
    this.#originalPart = originalPart;
  }

  // The human-readable part is decoded on first use: a DSN with Diagnostic-Codes rarely needs it.
  get reportText(): string {
    if (this.#reportText !== null) return this.#reportText;
    const bodies = this.#textParts.map((part) => partText(this.#text, part));
    // HTML only when there is no plain text: the same report, costlier to read.
    if (bodies.length === 0 && this.#htmls.length > 0) {
      bodies.push(decodeEntities(withoutTags(partText(this.#text, this.#htmls[0]))));
    }
    // Past the limit the rest is not read, and the message says so: a recipient listed there is lost.
    for (let b = 0; b < bodies.length; b++) {
      if (bodies[b].length <= MAX_REPORT_TEXT) continue;
      bodies[b] = bodies[b].slice(0, MAX_REPORT_TEXT);
      if (!this.limitsReached.includes("reportTextBytes")) this.limitsReached.push("reportTextBytes");
    }
    const full = withoutTrailingBlanks(bodies.join("\n"));
    const cut = Math.min(
      originalMessageStart(full),
      scopedCopyStart(full, (name) => headerValue(this.headers, name) !== null),
    );
    if (cut < full.length && !this.#originalPart) {
      this.#inlineOriginal = full;
      this.#inlineOriginalAt = cut;
    }
    this.#reportText = full.slice(0, cut);
    return this.#reportText;
  }

  reportMayOpenWith(pattern: RegExp, word?: RegExp): boolean {
    if (this.#reportText === null && this.#textParts.length === 0 && this.#htmls.length > 0 && word) {
      // The report would be this HTML part's text: each run of ASCII letters in it is a run of the part's bytes
      // (asciiView) between two tags (each becomes a blank or a line break), unless a numeric character
      // reference wrote it. Decoding the whole text (tags, references, its charset) to look at its first line
      // cost a big HTML report as much as tens of plain ones.
      const view = asciiView(this.#text, this.#htmls[0]);
      const line = view === null ? null : htmlFirstLine(view);
      if (line !== null) return pattern.test(line);
      if (view !== null && !view.includes("&#") && !word.test(view)) return false;
    }
    if (this.#reportText !== null || this.#textParts.length === 0) {
      const text = this.reportText;
      return pattern.test(lineFrom(text, text.search(NOT_BLANK)));
    }
    // The line of the first printable ASCII character of the first part that has one, when only ASCII comes
    // before it: the report's first line is that line, or one before it that starts with an ASCII control
    // character (no match). A byte beyond ASCII before it may be a character whose last byte is that one
    // (Shift_JIS, Big5, GBK: U+3000 is 0x81 0x40, "@" in the view) or a blank line's: then decoded.
    const parts = this.#textParts;
    for (let i = 0; i < parts.length; i++) {
      const view = asciiView(this.#text, parts[i]);
      if (view === null) return true;
      const printable = view.search(PRINTABLE_ASCII);
      if (printable < 0) continue;
      if (printable > 0 && BEYOND_ASCII.test(view.slice(0, printable))) return true;
      return pattern.test(lineFrom(view, printable));
    }
    return false;
  }

  /** The report text as scanEmail narrowed it (unquoted, or cut before inline delivery-status fields). */
  setReportText(text: string): void {
    this.#reportText = text;
  }

  originalHeaders(): HeaderBlock | null {
    if (this.#parsedOriginal === undefined) {
      // The report is decoded first: a copy of the original quoted in it (not attached) is found then.
      if (this.#reportText === null) this.reportText;
      const part = this.#originalPart;
      if (part) this.#parsedOriginal = parseHeaderBlock(this.#text, part.bodyStart, part.bodyEnd);
      else if (this.#inlineOriginal !== null)
        this.#parsedOriginal = inlineOriginalHeaders(this.#inlineOriginal, this.#inlineOriginalAt);
      else this.#parsedOriginal = null;
    }
    return this.#parsedOriginal;
  }
}

const NOT_BLANK = /\S/;
const PRINTABLE_ASCII = /[!-~]/;
const BEYOND_ASCII = /[^\0-\x7f]/;

/** text[at] to the end of its line ("" when `at` is -1: no such character). */
function lineFrom(text: string, at: number): string {
  if (at < 0) return "";
  const nl = text.indexOf("\n", at);
  return text.slice(at, nl < 0 ? text.length : nl);
}

/**
 * The text with the blanks that end its lines removed. Gateways pad lines, format=flowed ends its soft breaks
 * with a space (RFC 3676 §4.2) and quoted-printable keeps an encoded one (=20): "<a@b.example> " is still a
 * recipient line and "Reason: " still a label, as the families' readers expect them (end-anchored). A loop,
 * not a regexp: /[ \t]+(?=\n)/ retries every start of a long run of blanks that ends no line (quadratic).
 */
export function withoutTrailingBlanks(text: string): string {
  if (!PADDED_LINE_END.test(text)) return text;
  const kept: string[] = [];
  let from = 0;
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", nl + 1)) {
    const lineEnd = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    let end = lineEnd;
    while (end > from && isBlank(text.charCodeAt(end - 1))) end--;
    if (end === lineEnd) continue;
    kept.push(text.slice(from, end));
    from = lineEnd;
  }
  kept.push(text.slice(from));
  return kept.join("");
}
/** A blank before a line break: one scan of the text (four includes() of " \n", "\t\n"… were four). */
const PADDED_LINE_END = /[ \t]\r?\n/;
const isBlank = (code: number): boolean => code === 32 || code === 9;
