import { escapeRegExp } from "../util/regexp.ts";
import { bodyToken, TEST_HEADER } from "./test-id.ts";

/** How the test id was put into one copy of the campaign. */
export interface TaggedMessage {
  raw: Buffer;
  /** `tagged`: header and body; `dkim-signed`: header only (the body is signed); `no-text-part`: header only. */
  body: "tagged" | "dkim-signed" | "no-text-part";
  /** What a user should know about it, or null. */
  note: string | null;
}

const MAX_DEPTH = 8;
const MAX_PARTS = 200;

/**
 * Put the test id into the message: a `X-Deliverlens-Test` header always, and a `deliverlens-test: ID`
 * line at the end of every inline text/plain and text/html part — unless the message is DKIM-signed: a
 * signature covers the body (RFC 6376 §3.7, https://www.rfc-editor.org/rfc/rfc6376#section-3.7), so the
 * body is left byte for byte and only the header is added (a header not in h= does not break it).
 */
export function tagMessage(raw: Buffer, testId: string): TaggedMessage {
  const text = raw.toString("latin1");
  const split = splitHead(text);
  const header = `${TEST_HEADER}: ${testId}${split.eol}`;
  if (/^dkim-signature[ \t]*:/im.test(split.head)) {
    return {
      raw: Buffer.from(header + text, "latin1"),
      body: "dkim-signed",
      note: `the message is DKIM-signed: the test id was added as the ${TEST_HEADER} header only (changing the body would break the signature), so a seed whose receiver strips that header shows as missing`,
    };
  }
  const counter = { parts: 0, tagged: 0 };
  const body = tagPart(split.head, split.body, split.eol, testId, 0, counter);
  if (counter.tagged === 0) {
    return {
      raw: Buffer.from(header + text, "latin1"),
      body: "no-text-part",
      note: `no inline text part to carry the body token: the test id is in the ${TEST_HEADER} header only`,
    };
  }
  return {
    raw: Buffer.from(header + split.head + split.separator + body, "latin1"),
    body: "tagged",
    note: null,
  };
}

interface Split {
  head: string;
  separator: string;
  body: string;
  eol: string;
}

function splitHead(text: string): Split {
  const match = /\r?\n\r?\n/.exec(text);
  const eol = /\r\n/.test(text.slice(0, match ? match.index + 2 : 2000)) ? "\r\n" : "\n";
  if (!match) return { head: text, separator: "", body: "", eol };
  return {
    head: text.slice(0, match.index),
    separator: match[0],
    body: text.slice(match.index + match[0].length),
    eol,
  };
}

/** The value of header `name` in a header block (unfolded), or null. */
function headerValue(head: string, name: string): string | null {
  const match = new RegExp(`^${name}[ \\t]*:(.*(?:\\r?\\n[ \\t].*)*)`, "im").exec(head);
  return match ? match[1].replace(/\r?\n[ \t]/g, " ").trim() : null;
}

function param(value: string, name: string): string | null {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, "i").exec(value);
  return match ? (match[1] ?? match[2]).replace(/\\(.)/g, "$1") : null;
}

function tagPart(
  head: string,
  body: string,
  eol: string,
  id: string,
  depth: number,
  counter: { parts: number; tagged: number },
): string {
  if (++counter.parts > MAX_PARTS) return body;
  const type = (headerValue(head, "content-type") ?? "text/plain").toLowerCase();
  const mediaType = type.split(";")[0].trim();
  const encoding = (headerValue(head, "content-transfer-encoding") ?? "7bit").toLowerCase();
  const disposition = (headerValue(head, "content-disposition") ?? "").toLowerCase();
  if (mediaType.startsWith("multipart/")) {
    const boundary = param(headerValue(head, "content-type") ?? "", "boundary");
    if (!boundary || depth >= MAX_DEPTH) return body;
    return tagMultipart(body, boundary, eol, id, depth, counter);
  }
  if (disposition.startsWith("attachment") || (mediaType !== "text/plain" && mediaType !== "text/html"))
    return body;
  if (/utf-?16|utf-?32/.test(param(type, "charset") ?? "")) return body;
  const html = mediaType === "text/html";
  if (encoding === "base64") {
    const decoded = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ""), "base64").toString("latin1");
    counter.tagged++;
    return `${wrap76(Buffer.from(insertToken(decoded, html, eol, id), "latin1").toString("base64"), eol)}${eol}`;
  }
  if (["7bit", "8bit", "binary", "quoted-printable"].includes(encoding)) {
    counter.tagged++;
    return insertToken(body, html, eol, id);
  }
  return body;
}

function tagMultipart(
  body: string,
  boundary: string,
  eol: string,
  id: string,
  depth: number,
  counter: { parts: number; tagged: number },
): string {
  const delimiter = new RegExp(`(^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?=\\r?\\n|$)`, "g");
  const pieces: { start: number; end: number; close: boolean }[] = [];
  for (let match = delimiter.exec(body); match; match = delimiter.exec(body)) {
    pieces.push({ start: match.index, end: match.index + match[0].length, close: match[2] === "--" });
    if (match[2] === "--") break;
  }
  if (pieces.length < 2) return body;
  let out = body.slice(0, pieces[0].end);
  for (let i = 0; i < pieces.length - 1; i++) {
    const part = body.slice(pieces[i].end, pieces[i + 1].start);
    // The part begins after the delimiter line's own line break.
    const lead = /^\r?\n/.exec(part)?.[0] ?? "";
    const inner = splitHead(part.slice(lead.length));
    const tagged = inner.separator
      ? inner.head + inner.separator + tagPart(inner.head, inner.body, eol, id, depth + 1, counter)
      : part.slice(lead.length);
    out += lead + tagged + body.slice(pieces[i + 1].start, pieces[i + 1].end);
  }
  return out + body.slice(pieces[pieces.length - 1].end);
}

function insertToken(text: string, html: boolean, eol: string, id: string): string {
  const token = bodyToken(id);
  if (html) {
    const snippet = `${eol}<p>${token}</p>${eol}`;
    const close = text.toLowerCase().lastIndexOf("</body>");
    return close >= 0 ? text.slice(0, close) + snippet + text.slice(close) : text + snippet;
  }
  const trailing = /(\r?\n)*$/.exec(text)?.[0] ?? "";
  return `${text.slice(0, text.length - trailing.length)}${eol}${eol}${token}${eol}`;
}

function wrap76(base64: string, eol: string): string {
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 76) lines.push(base64.slice(i, i + 76));
  return lines.join(eol);
}
