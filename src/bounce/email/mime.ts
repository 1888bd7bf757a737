import { isUtf8 } from "node:buffer";
import { type LimitName, limitOf } from "../../util/limits.ts";
import { asciiInBytes, quotedPrintableInBytes } from "./header-bytes.ts";
import { decodeCharset, type HeaderBlock, headerValue, parseHeaderBlock } from "./headers.ts";

/** MIME structure walking over a latin1 string: boundaries only, bodies are decoded on demand. */

export interface ContentType {
  /** Lower-cased `type/subtype`; `text/plain` when absent (RFC 2045 default). */
  readonly type: string;
  /** Lower-cased parameter names; values unquoted. */
  readonly params: Map<string, string>;
}

export interface MimePart {
  type: ContentType;
  headers: HeaderBlock;
  bodyStart: number;
  bodyEnd: number;
  /** True inside an attached original message (message/rfc822, text/rfc822-headers): not the report itself. */
  inOriginal: boolean;
}

/**
 * Beyond this depth, parts are kept as opaque leaves: real reports nest 3–4 levels, and a bound keeps
 * 10,000-level hostile nesting linear.
 */
export const MAX_MIME_DEPTH = limitOf("mimeDepth");
/** More parts than this in one message are ignored (reports have a handful); the message gets a problem. */
export const MAX_MIME_PARTS = limitOf("mimeParts");

const PARAM = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g;

/** A character toLowerCase may change: every other one is ASCII that it keeps. */
const MAY_LOWER = /[A-Z\u0080-\uffff]/;

export function parseContentType(value: string | null): ParsedContentType {
  if (!value) return new ParsedContentType("text/plain", "");
  const head = value.length > 4096 ? value.slice(0, 4096) : value;
  const semicolon = head.indexOf(";");
  const written = (semicolon < 0 ? head : head.slice(0, semicolon)).trim();
  // Most types are written in lower case already, and toLowerCase of a slice of the message (most values
  // are) is a call into the runtime: only a type with an upper-case ASCII letter or a character beyond ASCII
  // (which it may change) is lower-cased.
  const type = MAY_LOWER.test(written) ? written.toLowerCase() : written;
  return new ParsedContentType(
    type.includes("/") ? type : "text/plain",
    semicolon < 0 ? "" : head.slice(semicolon),
  );
}

/**
 * A Content-Type (or Content-Disposition) value: its type read at once, its parameters on first use (most
 * parts' are never read: a delivery-status part's, an attached message's).
 */
export class ParsedContentType implements ContentType {
  readonly type: string;
  /** The value from its first ";" ("" when it has none). */
  readonly rest: string;
  #params: Map<string, string> | null = null;

  constructor(type: string, rest: string) {
    this.type = type;
    this.rest = rest;
  }

  get params(): Map<string, string> {
    if (this.#params === null) this.#params = parameters(this.rest);
    return this.#params;
  }
}

/** The parameters of `rest` (a value from its first ";"): the first of each name counts. */
function parameters(rest: string): Map<string, string> {
  const params = new Map<string, string>();
  // exec in a loop, not matchAll: the iterator is an allocation per part in Maglev-compiled code.
  PARAM.lastIndex = 0;
  for (let match = PARAM.exec(rest); match !== null; match = PARAM.exec(rest)) {
    let raw = match[2];
    if (raw.startsWith('"')) {
      raw = raw.slice(1, -1);
      // Most quoted values (a boundary) escape nothing: no replace pass then.
      if (raw.includes("\\")) raw = raw.replace(/\\(.)/g, "$1");
    }
    const name = match[1].toLowerCase();
    if (!params.has(name)) params.set(name, raw);
  }
  return params;
}

/** Split the body of a multipart entity on its boundary; returns [start, end) of each part. */
function splitMultipart(
  text: string,
  start: number,
  end: number,
  boundary: string,
  cut?: Set<LimitName>,
): Array<[number, number]> {
  const delimiter = `--${boundary}`;
  const ranges: Array<[number, number]> = [];
  let partStart = -1;
  let pos = start;
  while (pos < end && ranges.length < MAX_MIME_PARTS) {
    const at = text.indexOf(delimiter, pos);
    if (at < 0 || at >= end) break;
    const atLineStart = at === start || text.charCodeAt(at - 1) === 10;
    if (!atLineStart) {
      pos = at + delimiter.length;
      continue;
    }
    if (partStart >= 0) {
      let partEnd = at;
      if (partEnd > partStart && text.charCodeAt(partEnd - 1) === 10) partEnd--;
      if (partEnd > partStart && text.charCodeAt(partEnd - 1) === 13) partEnd--;
      ranges.push([partStart, partEnd]);
    }
    const closing = text.startsWith("--", at + delimiter.length);
    const nl = text.indexOf("\n", at);
    if (closing) return ranges;
    partStart = nl < 0 || nl >= end ? end : nl + 1;
    pos = partStart;
  }
  if (ranges.length >= MAX_MIME_PARTS) {
    cut?.add("mimeParts");
    return ranges;
  }
  // Truncated message: the last part runs to the end.
  if (partStart >= 0 && partStart < end) ranges.push([partStart, end]);
  return ranges;
}

/**
 * Walk an entity and push its leaves (and attached-message parts, unexpanded) in document order. A limit
 * reached (parts, depth) is added to `cut`.
 */
export function walkParts(
  text: string,
  headers: HeaderBlock,
  end: number,
  out: MimePart[],
  depth = 0,
  inOriginal = false,
  cut?: Set<LimitName>,
  type: ParsedContentType = parseContentType(headerValue(headers, "content-type")),
): void {
  if (out.length >= MAX_MIME_PARTS) {
    cut?.add("mimeParts");
    return;
  }
  const multipart = type.type.startsWith("multipart/");
  const boundary = multipart ? type.params.get("boundary") : undefined;
  if (boundary && depth >= MAX_MIME_DEPTH) cut?.add("mimeDepth");
  if (boundary && depth < MAX_MIME_DEPTH) {
    const ranges = splitMultipart(text, headers.bodyStart, end, boundary, cut);
    if (ranges.length > 0) {
      for (let i = 0; i < ranges.length; i++) {
        const partHeaders = parseHeaderBlock(text, ranges[i][0], ranges[i][1]);
        walkParts(text, partHeaders, ranges[i][1], out, depth + 1, inOriginal, cut);
      }
      return;
    }
    // A multipart without any delimiter line (broken MTAs): its body is the report text itself.
    const plain = new ParsedContentType("text/plain", type.rest);
    out.push({ type: plain, headers, bodyStart: headers.bodyStart, bodyEnd: end, inOriginal });
    return;
  }
  out.push({ type, headers, bodyStart: headers.bodyStart, bodyEnd: end, inOriginal });
}

/** The decoded text of a leaf part: transfer encoding undone, charset applied (UTF-8 when unknown). */
export function partText(text: string, part: MimePart): string {
  const raw = text.slice(part.bodyStart, part.bodyEnd);
  const encoding = transferEncoding(part);
  let bytes: Buffer | null = null;
  if (encoding === "base64") bytes = Buffer.from(raw, "base64");
  else if (encoding === "quoted-printable") bytes = Buffer.from(quotedPrintable(text, part, raw), "latin1");
  let charset = part.type.params.get("charset") ?? "utf-8";
  if (bytes === null) {
    const ascii = isAsciiPart(text, part, raw);
    // ISO-2022-JP text (ESC $ B … ESC ( B) in a part that does not say so: Japanese MTAs' DSN fields.
    if (ascii && raw.includes("\u001b$") && !/iso-2022/i.test(charset)) charset = "iso-2022-jp";
    if (ascii && !/iso-2022/i.test(charset)) return raw;
    bytes = Buffer.from(raw, "latin1");
    // 8-bit bytes cannot be a 7-bit charset: the label is wrong. UTF-8 is the likely truth, except that
    // Japanese MTAs labelling ISO-2022-JP often send EUC-JP. (node:buffer's isUtf8 validates as a fatal
    // TextDecoder decodes, without the exception a decoder throws for every EUC-JP part: 0.4 % of a folder.)
    if (!ascii && /iso-2022|us-ascii/i.test(charset))
      charset = /iso-2022-jp/i.test(charset) && !isUtf8(bytes) ? "euc-jp" : "utf-8";
  }
  return decodeCharset(bytes, charset) ?? bytes.toString("utf8");
}

/**
 * Whether partText(text, part) is the part's body as it is in `text` (no transfer encoding, ASCII, no
 * ISO-2022 charset or escape): its fields can then be read where they are, in the message.
 */
export function partIsAsIs(text: string, part: MimePart): boolean {
  const encoding = transferEncoding(part);
  if (encoding === "base64" || encoding === "quoted-printable") return false;
  const raw = text.slice(part.bodyStart, part.bodyEnd);
  return (
    isAsciiPart(text, part, raw) &&
    !raw.includes("\u001b$") &&
    !/iso-2022/i.test(part.type.params.get("charset") ?? "utf-8")
  );
}

/** The part's Content-Transfer-Encoding, lower-cased ("" when it has none). */
function transferEncoding(part: MimePart): string {
  return (headerValue(part.headers, "content-transfer-encoding") ?? "").trim().toLowerCase();
}

/** Charsets that may write an ASCII character other than as its own byte, or hide one behind an escape. */
const MAY_HIDE_ASCII = /16|32|ucs|utf-?7|unicode|2022|hz/i;

/**
 * The part's bytes (latin1 chars), transfer encoding undone, when each run of ASCII text of partText's result
 * is the same run in them (without the charset decoded): its charset writes an ASCII character as its own byte
 * (multi-byte charsets such as Shift_JIS or UTF-8 never write a blank or a line break inside a character), or
 * partText keeps them as they are (ASCII, no escape); else null.
 */
export function asciiView(text: string, part: MimePart): string | null {
  const raw = text.slice(part.bodyStart, part.bodyEnd);
  const encoding = transferEncoding(part);
  const keepsAscii = !MAY_HIDE_ASCII.test(part.type.params.get("charset") ?? "");
  if (encoding === "base64") return keepsAscii ? Buffer.from(raw, "base64").toString("latin1") : null;
  if (encoding === "quoted-printable") return keepsAscii ? quotedPrintable(text, part, raw) : null;
  // An escape: partText may read the part as ISO-2022-JP.
  if (raw.includes("\u001b")) return null;
  return keepsAscii || isAsciiPart(text, part, raw) ? raw : null;
}

const hexValue = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
};

/** The part's body (`raw`, in `text`) quoted-printable decoded: in WebAssembly when its message is loaded there. */
function quotedPrintable(text: string, part: MimePart, raw: string): string {
  return quotedPrintableInBytes(text, part.bodyStart, part.bodyEnd) ?? decodeQuotedPrintable(raw);
}

/** Quoted-printable → bytes as latin1 chars: soft line breaks removed, =XX decoded, anything else kept. */
export function decodeQuotedPrintable(raw: string): string {
  let at = raw.indexOf("=");
  if (at < 0) return raw;
  const out: string[] = [];
  let from = 0;
  while (at >= 0) {
    out.push(raw.slice(from, at));
    const softBreakEnd = softLineBreakEnd(raw, at + 1);
    if (softBreakEnd > 0) from = softBreakEnd;
    else {
      const high = hexValue(raw.charCodeAt(at + 1));
      const low = hexValue(raw.charCodeAt(at + 2));
      if (high >= 0 && low >= 0) {
        out.push(String.fromCharCode(high * 16 + low));
        from = at + 3;
      } else {
        out.push("=");
        from = at + 1;
      }
    }
    at = raw.indexOf("=", from);
  }
  out.push(raw.slice(from));
  return out.join("");
}

/**
 * Where the text goes on when the "=" before `start` is a soft line break — the line ends there, or after
 * blanks (padding added in transport: RFC 2045 §6.7 (3) has the decoder delete it) — else 0.
 */
function softLineBreakEnd(raw: string, start: number): number {
  let at = start;
  while (raw.charCodeAt(at) === 32 || raw.charCodeAt(at) === 9) at++;
  if (raw.charCodeAt(at) === 10) return at + 1;
  return raw.charCodeAt(at) === 13 && raw.charCodeAt(at + 1) === 10 ? at + 2 : 0;
}

/** isAscii of the part's body `raw` (text[bodyStart, bodyEnd)), in the message's bytes when they are loaded. */
function isAsciiPart(text: string, part: MimePart, raw: string): boolean {
  return asciiInBytes(text, part.bodyStart, part.bodyEnd) ?? isAscii(raw);
}

/**
 * No character in U+0080–U+00FF (8-bit bytes of a latin1 message). Most parts are ASCII: their UTF-8 length
 * equals their length, which Buffer.byteLength counts several times faster than a regexp scans for the
 * range; any other text (possibly holding characters beyond U+00FF) is scanned for the range itself.
 */
function isAscii(text: string): boolean {
  return Buffer.byteLength(text, "utf8") === text.length || !/[\u0080-\u00ff]/.test(text);
}
