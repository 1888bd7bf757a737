import { type DeliveryStatus, findInlineDeliveryStatus, parseDeliveryStatus } from "./dsn.ts";
import { decodeWords, type HeaderBlock, headerValue, parseHeaderBlock } from "./headers.ts";
import { type MimePart, partText, walkParts } from "./mime.ts";
import { originalMessageStart } from "./text.ts";

/** Everything the dialects read from one message, decoded once. */
export interface ScannedEmail {
  headers: HeaderBlock;
  subject: string;
  from: string;
  /** Decoded human-readable report text (text parts outside the original message), cut before the copy. */
  reportText: string;
  /** RFC 3464 fields from a message/delivery-status part, or found inline in the text. */
  deliveryStatus: DeliveryStatus | null;
  /** Fields of a message/feedback-report part (ARF). */
  feedback: HeaderBlock | null;
  /** Headers of the attached original message, when there is one. */
  originalHeaders: HeaderBlock | null;
  parts: MimePart[];
}

const HTML_TAG = /<[^>]{0,2000}>/g;
const MAX_REPORT_TEXT = 256 * 1024;

function isDeliveryStatus(type: string): boolean {
  return type === "message/delivery-status" || type === "message/global-delivery-status";
}

function isOriginal(type: string): boolean {
  return (
    type === "message/rfc822" ||
    type === "text/rfc822-headers" ||
    type === "text/rfc822-header" ||
    type === "message/global"
  );
}

/** Scan a message held as a latin1 string (one char per byte). */
export function scanEmail(text: string): ScannedEmail {
  const headers = parseHeaderBlock(text, 0, text.length);
  const parts: MimePart[] = [];
  walkParts(text, headers, text.length, parts);
  const texts: string[] = [];
  let deliveryStatus: DeliveryStatus | null = null;
  let feedback: HeaderBlock | null = null;
  let originalHeaders: HeaderBlock | null = null;
  let seenOriginal = false;
  for (const part of parts) {
    const type = part.type.type;
    if (isDeliveryStatus(type)) {
      const body = partText(text, part);
      const parsed = parseDeliveryStatus(body);
      if (!deliveryStatus || deliveryStatus.recipients.length === 0) deliveryStatus = parsed;
      else deliveryStatus.recipients.push(...parsed.recipients);
    } else if (type === "message/feedback-report") {
      feedback ??= parseHeaderBlock(partText(text, part), 0, Number.MAX_SAFE_INTEGER);
    } else if (isOriginal(type)) {
      seenOriginal = true;
      originalHeaders ??= parseHeaderBlock(text, part.bodyStart, part.bodyEnd);
    } else if (!seenOriginal && (type === "text/plain" || type === "text/html") && texts.length < 4) {
      let body = partText(text, part);
      if (type === "text/html") body = body.replace(HTML_TAG, " ").replace(/&nbsp;/g, " ");
      texts.push(body.length > MAX_REPORT_TEXT ? body.slice(0, MAX_REPORT_TEXT) : body);
    }
  }
  let reportText = texts.join("\n");
  const cut = originalMessageStart(reportText);
  if (cut < reportText.length) {
    if (!originalHeaders) {
      const after = reportText.indexOf("\n", cut);
      let start = after < 0 ? reportText.length : after + 1;
      while (start < reportText.length && /\s/.test(reportText[start])) start++;
      const inline = parseHeaderBlock(reportText, start, reportText.length);
      if (inline.fields.length > 0) originalHeaders = inline;
    }
    reportText = reportText.slice(0, cut);
  }
  if (!deliveryStatus) {
    const inline = findInlineDeliveryStatus(reportText);
    if (inline >= 0) {
      const parsed = parseDeliveryStatus(reportText, inline);
      if (parsed.recipients.length > 0) deliveryStatus = parsed;
    }
  }
  return {
    headers,
    subject: decodeWords(headerValue(headers, "subject") ?? ""),
    from: headerValue(headers, "from") ?? "",
    reportText,
    deliveryStatus,
    feedback,
    originalHeaders,
    parts,
  };
}
