import { BODY_START, blockAnswer, blockInBytes, FIELDS_AT, LINES } from "./header-bytes.ts";

/**
 * Header-block scanning over a latin1 string (one char per byte), in linear time whatever the size: in
 * WebAssembly over the message's bytes (header-bytes.ts), or with indexOf over the string; folded values are
 * joined once, when read.
 */

/**
 * One header field. The value is unfolded only when read: most fields of a bounce are never looked at; nor
 * is the name lower-cased until it is read (a look-up compares lengths first: most names never are).
 */
export class HeaderField {
  private readonly text: string;
  private readonly nameStart: number;
  /** Length of the name, lower-cased or not (field names are ASCII). */
  readonly nameLength: number;
  private readonly start: number;
  private readonly end: number;
  private lowerName: string | null;
  private unfolded: string | null;

  constructor(text: string, nameStart: number, nameEnd: number, start: number, end: number) {
    this.text = text;
    this.nameStart = nameStart;
    this.nameLength = nameEnd - nameStart;
    this.start = start;
    this.end = end;
    this.lowerName = null;
    this.unfolded = null;
  }

  /** Lower-cased field name. */
  get name(): string {
    if (this.lowerName === null)
      this.lowerName = this.text.slice(this.nameStart, this.nameStart + this.nameLength).toLowerCase();
    return this.lowerName;
  }

  /**
   * Whether the field's name is `name` (lower case; callers compare lengths first, nameLength),
   * whatever its case: compared a character at a time, A–Z lowered, in the compiled code (no lower-case copy,
   * no call out of it: a startsWith of the name in title case cost ~240 instructions a call). Field names are
   * printable ASCII (fieldColon, header-bytes.wat), where toLowerCase changes only A–Z, one character at a time,
   * so this is `this.name === name`; a name that matches is kept as the lower-cased name.
   */
  isNamed(name: string): boolean {
    if (this.lowerName !== null) return this.lowerName === name;
    if (name.length !== this.nameLength) return false;
    const text = this.text;
    const start = this.nameStart;
    for (let i = 0; i < name.length; i++) {
      const code = text.charCodeAt(start + i);
      if ((code >= 65 && code <= 90 ? code + 32 : code) !== name.charCodeAt(i)) return false;
    }
    this.lowerName = name;
    return true;
  }

  /** Unfolded value, trimmed (still raw bytes as latin1 chars; see decodeWords for RFC 2047). */
  get value(): string {
    if (this.unfolded === null) {
      let end = this.start + MAX_VALUE_LENGTH;
      if (this.end < end) end = this.end;
      const text = this.text;
      const start = this.start;
      const nl = text.indexOf("\n", start);
      if (
        (nl < 0 || nl >= end) &&
        start + 1 < end &&
        text.charCodeAt(start) === 32 &&
        isPrintable(text.charCodeAt(start + 1)) &&
        isPrintable(text.charCodeAt(end - 1))
      ) {
        // Most fields: one line, one space after the colon, no blank at the end. What trim() would leave of the
        // slice, without the slice it would make first.
        this.unfolded = text.slice(start + 1, end);
      } else {
        const raw = text.slice(start, end);
        this.unfolded = (nl >= 0 && nl < end ? raw.replace(/\r?\n[ \t]*/g, " ") : raw).trim();
      }
    }
    return this.unfolded;
  }
}

/** Printable ASCII but the space ("!" to "~"): never a character trim() removes. */
const isPrintable = (code: number): boolean => code > 32 && code < 127;

export interface HeaderBlock {
  fields: HeaderField[];
  /** Offset of the first body character (after the blank line), or `end` when there is no body. */
  bodyStart: number;
  /** Number of lines the block (and its blank separator) spans. */
  lines: number;
}

/** A field value longer than this is cut: nothing we read needs more, and it bounds memory on hostile input. */
const MAX_VALUE_LENGTH = 64 * 1024;

/**
 * A field name (printable ASCII but ":"), perhaps blanks ("Name  : value" is obsolete syntax some MTAs still
 * write), then its colon. An expression, not a character loop: Maglev (email runs' tier) runs the loop at
 * several times the instructions of the compiled expression (measured: a loop over a parameter list instead
 * of its expression cost +1.2 % of a run). Linear: the two classes are disjoint (no backtracking into a
 * run), a line is read no further than its first character of neither, and each line of a block once.
 * (Bounded quantifiers, {1,80}, cost 1.2 % of a run more than these.)
 */
const FIELD_NAME = /[!-9;-~]+[ \t]*:/y;

/** Index of the ':' ending a field name at `start` (within 80 characters), or -1 when the line is not a header field. */
function fieldColon(text: string, start: number, lineEnd: number): number {
  FIELD_NAME.lastIndex = start;
  if (!FIELD_NAME.test(text)) return -1;
  const colon = FIELD_NAME.lastIndex - 1;
  return colon < start + 80 && colon < lineEnd ? colon : -1;
}

/**
 * Where a message's header block starts: past the whitespace-only lines above its first field (a message saved
 * with padding before its headers, as npm baunsu's test mail auto_earthlink.txt is:
 * https://github.com/ardiesaeidi/node-baunsu; Sisimai reads the fields under it, its divideup dropping each
 * line's trailing blanks). 0 when the message starts otherwise, or when no field follows the blank lines (then
 * they stay the empty header block they always were).
 */
export function headerStart(raw: Uint8Array): number {
  let lineStart = 0;
  for (let at = 0; at < raw.length; at++) {
    const byte = raw[at];
    if (byte === 10) lineStart = at + 1;
    else if (byte !== 32 && byte !== 9 && byte !== 13) break;
  }
  if (lineStart === 0) return 0;
  const line = Buffer.from(raw.buffer, raw.byteOffset + lineStart, Math.min(raw.length - lineStart, 128));
  return fieldColon(line.toString("latin1"), 0, 128) > 0 ? lineStart : 0;
}

/** "boundary=…" on a line of its own after a value ending in ";": a continuation some MTAs forget to indent. */
function isUnindentedParameter(text: string, pos: number, lineEnd: number, previousEnd: number): boolean {
  let last = previousEnd - 1;
  while (last > 0 && (text.charCodeAt(last) === 32 || text.charCodeAt(last) === 9)) last--;
  if (text.charCodeAt(last) !== 59) return false;
  const equals = text.indexOf("=", pos);
  return (
    equals > pos && equals < lineEnd && equals - pos < 40 && /^[A-Za-z-]+$/.test(text.slice(pos, equals))
  );
}

/** Whether text[start, end) is the (lower-case) field name `name`, whatever its case. */
function isName(text: string, start: number, end: number, name: string): boolean {
  return end - start === name.length && text.slice(start, end).toLowerCase() === name;
}

/** A line of an SMTP reply: three digits then "-" or " " (RFC 5321 §4.2). */
function isReplyLine(text: string, pos: number, lineEnd: number): boolean {
  return lineEnd - pos > 4 && /^[2-5]\d\d[- ]/.test(text.slice(pos, pos + 4));
}

/**
 * Parse the header block starting at `start`. Stops at the first empty line, or at the first line that is
 * neither a field nor a continuation (then the body starts on that line). A leading mbox `From ` line is skipped.
 * In WebAssembly when `text` is the message whose bytes are loaded there (header-bytes.ts), else by
 * parseHeaderText: the same rules.
 */
export function parseHeaderBlock(text: string, start: number, end: number): HeaderBlock {
  const count = blockInBytes(text, start, end);
  if (count < 0) return parseHeaderText(text, start, end);
  const answer = blockAnswer();
  // Pushed, not preset: a packed array, as parseHeaderText makes (one array kind for the readers).
  const fields: HeaderField[] = [];
  for (let at = FIELDS_AT; at < FIELDS_AT + 4 * count; at += 4)
    fields.push(new HeaderField(text, answer[at], answer[at + 1], answer[at + 2], answer[at + 3]));
  return { fields, bodyStart: answer[BODY_START], lines: answer[LINES] };
}

/** parseHeaderBlock in JavaScript, over any string. */
export function parseHeaderText(text: string, start: number, end: number): HeaderBlock {
  const fields: HeaderField[] = [];
  let pos = start;
  let lines = 0;
  // The current field's name is text[nameStart, nameEnd); -1 before the first field.
  let nameStart = -1;
  let nameEnd = -1;
  let valueStart = 0;
  let valueEnd = 0;
  if (text.startsWith("From ", pos)) {
    const nl = text.indexOf("\n", pos);
    pos = nl < 0 || nl >= end ? end : nl + 1;
    lines++;
  }
  while (pos < end) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0 || nl >= end) nl = end;
    let lineEnd = nl;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd === pos) {
      if (nameStart >= 0) fields.push(new HeaderField(text, nameStart, nameEnd, valueStart, valueEnd));
      return { fields, bodyStart: nl < end ? nl + 1 : end, lines: lines + 1 };
    }
    const first = text.charCodeAt(pos);
    if (
      nameStart >= 0 &&
      (first === 32 || first === 9 || isUnindentedParameter(text, pos, lineEnd, valueEnd))
    ) {
      valueEnd = lineEnd;
    } else {
      const colon = fieldColon(text, pos, lineEnd);
      if (
        colon < 0 &&
        nameStart >= 0 &&
        isName(text, nameStart, nameEnd, "diagnostic-code") &&
        isReplyLine(text, pos, lineEnd)
      ) {
        // "550-…" / "550 …": the rest of a multi-line SMTP reply some MTAs copy without folding it.
        valueEnd = lineEnd;
        lines++;
        pos = nl + 1;
        continue;
      }
      if (colon < 0) {
        if (nameStart >= 0) fields.push(new HeaderField(text, nameStart, nameEnd, valueStart, valueEnd));
        return { fields, bodyStart: pos, lines };
      }
      if (nameStart >= 0) fields.push(new HeaderField(text, nameStart, nameEnd, valueStart, valueEnd));
      // A space before the colon is rare (fieldColon allows it): the name ends before it.
      nameStart = pos;
      nameEnd = colon;
      while (text.charCodeAt(nameEnd - 1) === 32 || text.charCodeAt(nameEnd - 1) === 9) nameEnd--;
      valueStart = colon + 1;
      valueEnd = lineEnd;
    }
    lines++;
    pos = nl + 1;
  }
  if (nameStart >= 0) fields.push(new HeaderField(text, nameStart, nameEnd, valueStart, valueEnd));
  return { fields, bodyStart: end, lines };
}

/** First value of a field (name lower-case), or null. */
export function headerValue(block: HeaderBlock, name: string): string | null {
  // An index loop: hot, and for-of allocates an iterator per call in code V8's Maglev tier compiles.
  const fields = block.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field.nameLength === name.length && field.isNamed(name)) return field.value;
  }
  return null;
}

const ENCODED_WORD = /=\?([^?\s]{1,40})\?([bqBQ])\?([^?\s]{0,2000})\?=/g;

/** Decode RFC 2047 encoded words (=?charset?B|Q?…?=) in a header value; unknown charsets stay as they are. */
export function decodeWords(value: string): string {
  if (!value.includes("=?")) return value;
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(ENCODED_WORD, (whole, charset: string, encoding: string, data: string) => {
      const bytes =
        encoding.toLowerCase() === "b"
          ? Buffer.from(data, "base64")
          : Buffer.from(
              data
                .replace(/_/g, " ")
                .replace(/=([0-9a-fA-F]{2})/g, (_m, hex: string) =>
                  String.fromCharCode(Number.parseInt(hex, 16)),
                ),
              "latin1",
            );
      return decodeCharset(bytes, charset) ?? whole;
    });
}

type Decoder = InstanceType<typeof TextDecoder>;

/** Decoders by charset label, null for a label this runtime does not know: making one costs more than most decodes. */
const DECODERS = new Map<string, Decoder | null>();
/** Labels kept, at most (hostile input may name any number of charsets; beyond this they are not kept). */
const MAX_DECODERS = 64;

function decoderFor(name: string): Decoder | null {
  let decoder = DECODERS.get(name);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(name);
    } catch {
      decoder = null;
    }
    if (DECODERS.size < MAX_DECODERS) DECODERS.set(name, decoder);
  }
  return decoder;
}

/** Bytes → text in the given charset; null when the charset is unknown to this runtime. */
export function decodeCharset(bytes: Buffer, charset: string): string | null {
  const name = charset.trim().toLowerCase().replace(/^"|"$/g, "");
  if (name === "" || name === "us-ascii" || name === "utf-8" || name === "utf8")
    return bytes.toString("utf8");
  if (name === "iso-8859-1" || name === "latin1") return bytes.toString("latin1");
  const decoder = decoderFor(name);
  if (decoder === null) return null;
  try {
    // Not streaming: each call starts afresh (a stateful charset such as ISO-2022-JP keeps no state).
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** Drops the decoders kept: a V8 startup snapshot cannot hold their native (ICU) state (src/cli/classify-snapshot.ts). */
export function forgetDecoders(): void {
  DECODERS.clear();
}
