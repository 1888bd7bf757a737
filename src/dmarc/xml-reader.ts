/**
 * A strict, streaming reader of XML 1.0 documents (https://www.w3.org/TR/xml/), written for DMARC aggregate
 * reports: it checks everything well-formedness asks — one root element, tags balanced and named right,
 * attributes quoted and unique, only the five predefined entities and character references to XML
 * characters, no `]]>` in text, comments without `--`, the XML declaration only at the start, only XML
 * characters — and throws XmlSyntaxError at the first fault; a DOCTYPE goes to the handler (reports have
 * none; nothing is ever expanded). It keeps no tree: the handler sees open tags, text and close tags.
 *
 * Why not a general parser (saxes did this before): reports are mostly short tags and short values, and a
 * reader that finds markup with indexOf and checks names once per distinct name does the same checks in
 * half of saxes' CPU (0.13 against 0.25 ms per generated report of 80 records: notes/dmarc.md).
 * test/dmarc/xml-reader.test.ts holds it to saxes' verdicts on the parsedmarc samples and on fuzzed
 * documents.
 */

export interface XmlHandler {
  /**
   * A start tag (an empty-element tag is an open then a close); attributes null when it has none. `id`
   * numbers the name among the names this thread's readers met (0, 1, 2…; the same name, the same id),
   * or is -1 for a name past the bounds of that list: a handler may index tables with it.
   */
  open(name: string, attributes: Record<string, string> | null, id: number): void;
  /** Character data of an element (references expanded, line ends normalised to \n), CDATA included. */
  text(text: string): void;
  close(name: string): void;
  /** A document type declaration before the root (its content is not read). */
  doctype(): void;
  /**
   * Offered each start tag below the root without attributes, at `start` (its `<`) in `text`, before the reader reads
   * the element: a handler that recognises the whole element there — well-formed, balanced, every
   * character an XML character, nothing to expand or normalise — may take it whole (calling its own
   * open/text/close as the reader would have) and return the index after it. -1: the reader reads it.
   */
  element?(name: string, text: string, start: number): number;
}

export class XmlSyntaxError extends Error {
  /** No element at all (the document is empty, whitespace or comments). */
  readonly noRoot: boolean;
  constructor(message: string, noRoot = false) {
    super(message);
    this.noRoot = noRoot;
  }
}

const PROLOG = 0;
const IN_ROOT = 1;
const AFTER_ROOT = 2;

/** XML 1.0 fifth edition, productions [4] and [4a] (NameStartChar, NameChar) and [3] (S). */
const NAME_START =
  ":A-Z_a-z\\xC0-\\xD6\\xD8-\\xF6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\\xB7\\u0300-\\u036F\\u203F-\\u2040]*$`, "u");
/** Characters outside production [2] (Char). Lone surrogates cannot come out of a strict decoder. */
const NOT_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };
const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>$/;
/**
 * Names met so far, checked once, by length (shared by all documents of the thread): a name met again is
 * compared in place instead of cut out, and is the same string every time (internalised, so a handler's
 * maps and switches compare it by identity). A report uses a few dozen; the bounds keep a hostile
 * document from making the lists long or large.
 */
const KNOWN: string[][] = [];
/** The id of each name in KNOWN (same positions). */
const KNOWN_IDS: number[][] = [];
let knownCount = 0;
const MAX_KNOWN_LENGTH = 64;
const MAX_KNOWN_PER_LENGTH = 32;

/** 1 for the ASCII characters a name may hold; any non-ASCII character is taken and the name checked. */
const NAME_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  NAME_ASCII[c] = /[:A-Za-z_0-9.-]/.test(ch) ? 1 : 0;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

export class StrictXmlReader {
  private readonly handler: XmlHandler;
  private buf = "";
  private pos = 0;
  /** Line of the buffer's first character. */
  private firstLine = 1;
  /** Where the markup or text being handled starts (for line()). */
  private at = 0;
  private phase = PROLOG;
  private atStart = true;
  private readonly stack: string[] = [];
  /** The id of the name name() returned last (-1: none). */
  private nameId = -1;

  constructor(handler: XmlHandler) {
    this.handler = handler;
  }

  /** The line of what is being read (1-based). */
  line(): number {
    let line = this.firstLine;
    const upTo = Math.min(this.at, this.buf.length);
    for (let i = this.buf.indexOf("\n"); i >= 0 && i < upTo; i = this.buf.indexOf("\n", i + 1)) line++;
    return line;
  }

  write(chunk: string): void {
    if (this.pos < this.buf.length) {
      this.dropRead();
      this.buf += chunk;
    } else {
      this.dropRead();
      this.buf = chunk;
    }
    this.pos = 0;
    this.at = 0;
    this.scan(false);
  }

  /** The end of the document: anything left open or unread is an error. */
  end(): void {
    this.scan(true);
    if (this.pos < this.buf.length) throw this.fail("unexpected end.");
    if (this.phase === PROLOG) throw new XmlSyntaxError("document must contain a root element.", true);
    if (this.stack.length > 0) throw this.fail(`unclosed tag: ${this.stack[this.stack.length - 1]}`);
  }

  private dropRead(): void {
    const buf = this.buf;
    const upTo = Math.min(this.pos, buf.length);
    for (let i = buf.indexOf("\n"); i >= 0 && i < upTo; i = buf.indexOf("\n", i + 1)) this.firstLine++;
    this.buf = upTo < buf.length ? buf.slice(upTo) : "";
  }

  private fail(message: string): XmlSyntaxError {
    return new XmlSyntaxError(message);
  }

  private scan(final: boolean): void {
    const buf = this.buf;
    const len = buf.length;
    while (this.pos < len) {
      const pos = this.pos;
      this.at = pos;
      if (buf.charCodeAt(pos) !== 0x3c) {
        const lt = buf.indexOf("<", pos);
        if (lt < 0 && !final) return;
        const end = lt < 0 ? len : lt;
        const after = lt < 0 ? 0 : buf.charCodeAt(lt + 1);
        this.characters(pos, end, after !== 0x21 && after !== 0x3f);
        this.pos = end;
        continue;
      }
      if (pos + 1 >= len) {
        if (final) throw this.fail("unexpected end.");
        return;
      }
      const next = buf.charCodeAt(pos + 1);
      let done: number;
      if (next === 0x2f) done = this.closeTag(pos);
      else if (next === 0x21) done = this.bang(pos, final);
      else if (next === 0x3f) done = this.instruction(pos);
      else done = this.openTag(pos);
      if (done < 0) {
        if (final) throw this.fail("unexpected end.");
        return;
      }
      this.atStart = false;
      this.pos = done;
    }
  }

  /**
   * Character data from `start` to `end`. Outside the root only white space may stand; inside, white space
   * alone right before a tag is not reported (it is indentation; a handler that wants values trims them).
   */
  private characters(start: number, end: number, beforeTag: boolean): void {
    const buf = this.buf;
    let plain = true;
    let space = true;
    for (let i = start; i < end; i++) {
      const c = buf.charCodeAt(i);
      if (c > 0x20) {
        space = false;
        if (c === 0x26 || c === 0x5d || c >= 0xfffe) plain = false;
      } else if (c === 0x0d) plain = false;
      else if (c !== 0x20 && c !== 0x0a && c !== 0x09) {
        space = false;
        plain = false;
      }
    }
    if (this.phase !== IN_ROOT) {
      if (!space) throw this.fail("text data outside of root node.");
      this.atStart = false;
      return;
    }
    if (space && beforeTag) return;
    const raw = buf.slice(start, end);
    this.handler.text(plain ? raw : this.unescape(raw, true));
  }

  /**
   * Text with its references expanded and line ends normalised (an attribute's white space too); non-characters (and
   * `]]>` in text) refused.
   */
  private unescape(raw: string, text: boolean): string {
    if (NOT_CHAR.test(raw)) throw this.fail("disallowed character.");
    if (text && raw.includes("]]>")) throw this.fail('the string "]]>" is disallowed in char data.');
    let out = raw.includes("\r") ? raw.replace(/\r\n?/g, "\n") : raw;
    // Attribute-value normalisation (§3.3.3): each white space character written as itself becomes a space, before the
    // references are expanded (a character reference to one, `&#xA;`, stays what it names).
    if (!text && (out.includes("\n") || out.includes("\t"))) out = out.replace(/[\t\n]/g, " ");
    if (!out.includes("&")) return out;
    let result = "";
    let from = 0;
    for (let amp = out.indexOf("&"); amp >= 0; amp = out.indexOf("&", from)) {
      const semi = out.indexOf(";", amp + 1);
      if (semi < 0) throw this.fail("unterminated entity reference.");
      result += out.slice(from, amp) + this.entity(out.slice(amp + 1, semi));
      from = semi + 1;
    }
    out = result + out.slice(from);
    return out;
  }

  private entity(name: string): string {
    if (name === "") throw this.fail("empty entity name.");
    if (name.charCodeAt(0) !== 0x23) {
      const value = PREDEFINED[name];
      if (value !== undefined) return value;
      throw this.fail(NAME.test(name) ? "undefined entity." : "disallowed character in entity name.");
    }
    let code = Number.NaN;
    if (/^#x[0-9a-fA-F]{1,8}$/.test(name)) code = Number.parseInt(name.slice(2), 16);
    else if (/^#[0-9]{1,10}$/.test(name)) code = Number.parseInt(name.slice(1), 10);
    if (
      !(
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff)
      )
    )
      throw this.fail("malformed character entity.");
    return String.fromCodePoint(code);
  }

  /** End of the name starting at `start` (its characters are checked by checkName). */
  private nameEnd(start: number): number {
    const buf = this.buf;
    const len = buf.length;
    let i = start;
    while (i < len) {
      const c = buf.charCodeAt(i);
      if (c < 128 ? NAME_ASCII[c] === 0 : c === 0xfffe || c === 0xffff) break;
      i++;
    }
    return i;
  }

  /**
   * The name from `start` to `end`, checked (the same string each time a name comes again); its id in
   * `nameId`.
   */
  private name(start: number, end: number, what: string): string {
    const length = end - start;
    const same = KNOWN[length];
    if (same)
      for (let i = 0; i < same.length; i++)
        if (this.buf.startsWith(same[i], start)) {
          this.nameId = KNOWN_IDS[length][i];
          return same[i];
        }
    const name = this.buf.slice(start, end);
    if (!NAME.test(name)) throw this.fail(`disallowed character in ${what}.`);
    this.nameId = -1;
    if (length > MAX_KNOWN_LENGTH) return name;
    const internal = Object.keys({ [name]: 0 })[0];
    if (!same) {
      KNOWN[length] = [internal];
      KNOWN_IDS[length] = [knownCount];
    } else if (same.length < MAX_KNOWN_PER_LENGTH) {
      same.push(internal);
      KNOWN_IDS[length].push(knownCount);
    } else return internal;
    this.nameId = knownCount++;
    return internal;
  }

  /** `<name attr="v" …>` or `<name …/>`: the index after it, or -1 if it is not all here yet. */
  private openTag(pos: number): number {
    const buf = this.buf;
    const len = buf.length;
    let i = this.nameEnd(pos + 1);
    if (i >= len) return -1;
    if (i === pos + 1) throw this.fail("disallowed character in tag name.");
    const name = this.name(pos + 1, i, "tag name");
    const id = this.nameId;
    if (this.phase === AFTER_ROOT) throw this.fail("documents may contain only one root.");
    let attributes: Record<string, string> | null = null;
    for (;;) {
      let c = buf.charCodeAt(i);
      if (c === 0x3e) {
        if (attributes === null && this.stack.length > 0 && this.handler.element) {
          const end = this.handler.element(name, buf, pos);
          if (end > pos) return end;
        }
        this.opened(name, attributes, id);
        return i + 1;
      }
      if (c === 0x2f) {
        if (i + 1 >= len) return -1;
        if (buf.charCodeAt(i + 1) !== 0x3e)
          throw this.fail("forward-slash in opening tag not followed by >.");
        this.opened(name, attributes, id);
        this.closed(name);
        return i + 2;
      }
      if (!isSpace(c)) throw this.fail("disallowed character in tag name.");
      while (i < len && isSpace(buf.charCodeAt(i))) i++;
      if (i >= len) return -1;
      c = buf.charCodeAt(i);
      if (c === 0x3e || c === 0x2f) continue;
      // An attribute: name, =, quoted value.
      const nameStart = i;
      i = this.nameEnd(i);
      if (i >= len) return -1;
      if (i === nameStart) throw this.fail("disallowed character in attribute name.");
      const attribute = this.name(nameStart, i, "attribute name");
      while (i < len && isSpace(buf.charCodeAt(i))) i++;
      if (i >= len) return -1;
      if (buf.charCodeAt(i) !== 0x3d) throw this.fail("attribute without value.");
      i++;
      while (i < len && isSpace(buf.charCodeAt(i))) i++;
      if (i >= len) return -1;
      const quote = buf.charCodeAt(i);
      if (quote !== 0x22 && quote !== 0x27) throw this.fail("unquoted attribute value.");
      const close = buf.indexOf(quote === 0x22 ? '"' : "'", i + 1);
      if (close < 0) return -1;
      const raw = buf.slice(i + 1, close);
      if (raw.includes("<")) throw this.fail("disallowed character.");
      attributes ??= Object.create(null) as Record<string, string>;
      if (Object.hasOwn(attributes, attribute)) throw this.fail(`duplicate attribute: ${attribute}.`);
      attributes[attribute] = this.unescape(raw, false);
      i = close + 1;
      if (i >= len) return -1;
      c = buf.charCodeAt(i);
      if (!isSpace(c) && c !== 0x3e && c !== 0x2f) throw this.fail("no whitespace between attributes.");
    }
  }

  private opened(name: string, attributes: Record<string, string> | null, id: number): void {
    this.phase = IN_ROOT;
    this.stack.push(name);
    this.handler.open(name, attributes, id);
  }

  private closed(name: string): void {
    this.stack.pop();
    if (this.stack.length === 0) this.phase = AFTER_ROOT;
    this.handler.close(name);
  }

  /** `</name>`: the index after it, or -1. */
  private closeTag(pos: number): number {
    const buf = this.buf;
    const open = this.stack[this.stack.length - 1];
    // The usual case: the open element's name, then `>`.
    if (
      open !== undefined &&
      buf.charCodeAt(pos + 2 + open.length) === 0x3e &&
      buf.startsWith(open, pos + 2)
    ) {
      this.closed(open);
      return pos + 3 + open.length;
    }
    const gt = buf.indexOf(">", pos + 2);
    if (gt < 0) return -1;
    const end = this.nameEnd(pos + 2);
    const name = buf.slice(pos + 2, end);
    for (let i = end; i < gt; i++)
      if (!isSpace(buf.charCodeAt(i))) throw this.fail("disallowed character in closing tag.");
    if (name === "") throw this.fail("weird empty close tag.");
    if (open === undefined) throw this.fail(`unmatched closing tag: ${name}.`);
    if (open !== name) throw this.fail("unexpected close tag.");
    this.closed(name);
    return gt + 1;
  }

  /** A comment, CDATA section or DOCTYPE: the index after it, or -1. */
  private bang(pos: number, final: boolean): number {
    const buf = this.buf;
    if (buf.startsWith("<!--", pos)) {
      const end = buf.indexOf("-->", pos + 4);
      if (end < 0) return -1;
      const body = buf.slice(pos + 4, end);
      if (body.includes("--") || body.endsWith("-")) throw this.fail("malformed comment.");
      if (NOT_CHAR.test(body)) throw this.fail("disallowed character.");
      return end + 3;
    }
    if (buf.startsWith("<![CDATA[", pos)) {
      if (this.phase !== IN_ROOT) throw this.fail("text data outside of root node.");
      const end = buf.indexOf("]]>", pos + 9);
      if (end < 0) return -1;
      const body = buf.slice(pos + 9, end);
      if (NOT_CHAR.test(body)) throw this.fail("disallowed character.");
      this.handler.text(body.includes("\r") ? body.replace(/\r\n?/g, "\n") : body);
      return end + 3;
    }
    if (buf.startsWith("<!DOCTYPE", pos)) {
      if (this.phase !== PROLOG) throw this.fail("inappropriately located doctype declaration.");
      this.handler.doctype();
      throw this.fail("a DOCTYPE is not read.");
    }
    // Not all of `<!--`, `<![CDATA[` or `<!DOCTYPE` may be here yet.
    if (
      !final &&
      buf.length - pos < 9 &&
      ["<!--", "<![CDATA[", "<!DOCTYPE"].some((m) => m.startsWith(buf.slice(pos)))
    )
      return -1;
    throw this.fail("incorrect syntax.");
  }

  /** A processing instruction, or the XML declaration at the very start: the index after it, or -1. */
  private instruction(pos: number): number {
    const buf = this.buf;
    const end = buf.indexOf("?>", pos + 2);
    if (end < 0) return -1;
    const targetEnd = this.nameEnd(pos + 2);
    if (targetEnd === pos + 2) throw this.fail("processing instruction without a target.");
    const target = this.name(pos + 2, targetEnd, "processing instruction name");
    if (target.toLowerCase() === "xml") {
      if (!this.atStart || target !== "xml")
        throw this.fail("the XML declaration must appear at the start of the document.");
      if (!XML_DECL.test(buf.slice(pos, end + 2))) throw this.fail("malformed XML declaration.");
      return end + 2;
    }
    if (targetEnd < end && !isSpace(buf.charCodeAt(targetEnd)))
      throw this.fail("disallowed character in processing instruction name.");
    if (NOT_CHAR.test(buf.slice(targetEnd, end))) throw this.fail("disallowed character.");
    return end + 2;
  }
}
