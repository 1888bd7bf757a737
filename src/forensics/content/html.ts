/**
 * A small linear-time HTML scan: anchors, images, visible and hidden text. Regexes here are built so
 * every character is consumed at most a bounded number of times (hostile HTML must not stall inspect).
 */

export interface Anchor {
  href: string;
  text: string;
}

export interface Image {
  src: string;
  width: number | null;
  height: number | null;
}

export interface HtmlScan {
  anchors: Anchor[];
  images: Image[];
  text: string;
  hiddenText: string;
  /** Inline styles that hid text, e.g. "display:none". */
  hidingStyles: string[];
}

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]{0,20})([^<>]{0,4000})>/g;
const ATTRIBUTE = /([a-zA-Z_:][-a-zA-Z0-9_:.]{0,40})\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
const HIDING =
  /display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*(?:;|$|!)|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)/i;
/** Attributes that can hide content; other tags skip attribute parsing (it dominates the scan). */
const STYLED = /style|hidden/i;
const RAW_TEXT = new Set(["script", "style", "head", "title"]);
const VOID = new Set([
  "br",
  "img",
  "hr",
  "meta",
  "link",
  "input",
  "area",
  "base",
  "col",
  "wbr",
  "source",
  "track",
  "embed",
]);
const BLOCK = new Set([
  "p",
  "div",
  "br",
  "tr",
  "td",
  "li",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "table",
  "section",
]);

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (match, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return ENTITIES[name.toLowerCase()] ?? match;
  });
}

export function attributes(source: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of source.matchAll(ATTRIBUTE)) {
    const name = match[1].toLowerCase();
    if (!(name in result)) result[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? "");
  }
  return result;
}

/** Drop <!-- comments --> in one pass (a regex would rescan to the end for every unclosed "<!--"). */
export function stripComments(html: string): string {
  const parts: string[] = [];
  let at = 0;
  for (;;) {
    const start = html.indexOf("<!--", at);
    if (start < 0) break;
    parts.push(html.slice(at, start));
    const end = html.indexOf("-->", start + 4);
    at = end < 0 ? html.length : end + 3;
  }
  parts.push(html.slice(at));
  return parts.join("");
}

export function scanHtml(source: string): HtmlScan {
  const html = stripComments(source);
  const anchors: Anchor[] = [];
  const images: Image[] = [];
  const text: string[] = [];
  const hidden: string[] = [];
  const hidingStyles: string[] = [];
  /** Open elements that hide their content, as tag names (closed by the next matching end tag). */
  const hiders: string[] = [];
  let rawUntil: string | null = null;
  let anchor: { href: string; text: string[] } | null = null;
  let last = 0;

  const addText = (chunk: string) => {
    if (rawUntil !== null || chunk === "") return;
    if (chunk.trim() === "") {
      text.push(" ");
      return;
    }
    const decoded = decodeEntities(chunk);
    (hiders.length > 0 ? hidden : text).push(decoded);
    anchor?.text.push(decoded);
  };

  for (const match of html.matchAll(TAG)) {
    addText(html.slice(last, match.index));
    last = match.index + match[0].length;
    const closing = match[1] === "/";
    const name = match[2].toLowerCase();
    if (rawUntil !== null) {
      if (closing && name === rawUntil) rawUntil = null;
      continue;
    }
    if (closing) {
      if (name === "a" && anchor) {
        anchors.push({ href: anchor.href, text: anchor.text.join("").replace(/\s+/g, " ").trim() });
        anchor = null;
      }
      const open = hiders.lastIndexOf(name);
      if (open >= 0) hiders.length = open;
      if (BLOCK.has(name)) text.push(" ");
      continue;
    }
    if (RAW_TEXT.has(name)) {
      rawUntil = name;
      continue;
    }
    if (BLOCK.has(name)) text.push(" ");
    const source = match[3];
    const wanted = name === "a" || name === "img" || STYLED.test(source);
    const attrs = wanted ? attributes(source) : {};
    if (name === "a" && attrs.href !== undefined) {
      if (anchor) anchors.push({ href: anchor.href, text: anchor.text.join("").trim() });
      anchor = { href: attrs.href.trim(), text: [] };
    } else if (name === "img" && attrs.src !== undefined) {
      images.push({
        src: attrs.src.trim(),
        width: dimension(attrs.width, attrs.style, "width"),
        height: dimension(attrs.height, attrs.style, "height"),
      });
    }
    const style = attrs.style ?? "";
    const hiding = HIDING.exec(style)?.[0] ?? ("hidden" in attrs ? "hidden" : null);
    if (hiding && !VOID.has(name) && !source.endsWith("/")) {
      hiders.push(name);
      hidingStyles.push(hiding.replace(/\s+/g, "").replace(/;$/, ""));
    }
  }
  addText(html.slice(last));
  if (anchor) anchors.push({ href: anchor.href, text: anchor.text.join("").trim() });
  return {
    anchors,
    images,
    text: text.join("").replace(/\s+/g, " ").trim(),
    hiddenText: hidden.join(" ").replace(/\s+/g, " ").trim(),
    hidingStyles,
  };
}

const STYLE_DIMENSION = {
  width: /(?:^|;|\s)width\s*:\s*(\d{1,5})/i,
  height: /(?:^|;|\s)height\s*:\s*(\d{1,5})/i,
};

function dimension(
  attribute: string | undefined,
  style: string | undefined,
  property: keyof typeof STYLE_DIMENSION,
): number | null {
  const fromStyle = style ? STYLE_DIMENSION[property].exec(style)?.[1] : undefined;
  const value = attribute ?? fromStyle;
  if (value === undefined) return null;
  const number = Number.parseInt(value, 10);
  return Number.isFinite(number) ? number : null;
}
