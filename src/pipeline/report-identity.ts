import { hash } from "node:crypto";
import { headerValue, parseHeaderBlock } from "../bounce/email/headers.ts";
import { trimAscii } from "../util/ascii.ts";

/**
 * What identifies a bounce email's event in the store (its `eventId`, so `email:<id>` is hashed into
 * `event_key`): the report message itself, the recipient it reports and the event type — never what the
 * reader extracts from its text (the diagnostic), which every change to the readers' knowledge moves, so a
 * mailbox ingested again after an upgrade would store its bounces a second time.
 */
export function reportEventId(report: string, recipient: string | null, type: string): string {
  // The recipient as the store keeps it (stagingRow): a reader that changes its case or blanks stores no new row.
  const address = recipient ? trimAscii(recipient).toLowerCase() : "";
  return `${report}\u001f${address}\u001f${type}`;
}

/** A Message-ID and Date longer than a header line may be (RFC 5322 §2.1.1) are kept as their hash. */
const MAX_MESSAGE_ID = 998;

/**
 * The report message's identity: its own Message-ID and Date: header, else a hash of its Date: header and its
 * body. The Date too, because reports that reuse one Message-ID exist (anonymised and sample mail; a copy of
 * one message keeps both). Not of every byte: local delivery and mail readers add header fields
 * (Return-Path, Delivered-To, an mbox's Status:) to the same message, and IMAP serves CRLF where an mbox keeps
 * LF. The mbox `From ` line is not part of the message (parseHeaderBlock skips it).
 */
export function reportId(raw: Buffer): string {
  const text = raw.toString("latin1", 0, headerEnd(raw));
  const headers = parseHeaderBlock(text, 0, text.length);
  const date = headerValue(headers, "date")?.replace(/\s+/g, " ").trim() ?? "";
  const messageId = headerValue(headers, "message-id")?.replace(/\s+/g, " ").trim();
  if (messageId) {
    const id = `${messageId}\u001f${date}`;
    return id.length <= MAX_MESSAGE_ID ? `id:${id}` : `id-sha1:${hash("sha1", id, "hex")}`;
  }
  const body = raw.toString("latin1", headers.bodyStart).replace(/\r\n/g, "\n").trimEnd();
  return `body-sha1:${hash("sha1", `${date}\u001f${body}`, "hex")}`;
}

/** Where the message's header block ends (after its first empty line), else the message's end. */
function headerEnd(raw: Buffer): number {
  const lf = raw.indexOf("\n\n");
  const crlf = raw.indexOf("\n\r\n");
  const ends = [lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 3].filter((at) => at >= 0);
  return ends.length > 0 ? Math.min(...ends) : raw.length;
}
