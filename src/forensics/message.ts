import PostalMime, { type Email, type Header } from "postal-mime";
import { getDomain } from "tldts";

/** Limits so a hostile message cannot make parsing slow or deep. */
const MAX_NESTING_DEPTH = 64;
const MAX_HEADERS_SIZE = 1024 * 1024;

/** A parsed message plus the raw bytes (mailauth needs those untouched). */
export interface Message {
  raw: Buffer;
  email: Email;
  /** Address of the (first) From mailbox, lowercased, or null. */
  fromAddress: string | null;
  fromDomain: string | null;
  /** Registrable (organizational) domain of the From domain. */
  fromOrgDomain: string | null;
  /** Set when the MIME body could not be parsed (e.g. nesting over the limit): only the headers were read. */
  parseError: string | null;
}

const OPTIONS = {
  maxNestingDepth: MAX_NESTING_DEPTH,
  maxHeadersSize: MAX_HEADERS_SIZE,
  attachmentEncoding: "arraybuffer",
} as const;

export async function parseMessage(raw: Buffer): Promise<Message> {
  let email: Email;
  let parseError: string | null = null;
  try {
    email = await PostalMime.parse(raw, OPTIONS);
  } catch (error) {
    parseError = error instanceof Error ? error.message : String(error);
    email = await PostalMime.parse(headerBlock(raw), OPTIONS).catch(() => ({
      headers: [],
      headerLines: [],
      attachments: [],
    }));
  }
  const from = email.from && "address" in email.from ? email.from.address : undefined;
  const fromAddress = from ? from.toLowerCase() : null;
  const fromDomain = fromAddress?.includes("@") ? fromAddress.slice(fromAddress.lastIndexOf("@") + 1) : null;
  return {
    raw,
    email,
    fromAddress,
    fromDomain,
    fromOrgDomain: fromDomain ? orgDomain(fromDomain) : null,
    parseError,
  };
}

/** The header section only (up to the first empty line), with an empty body. */
function headerBlock(raw: Buffer): Buffer {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  const ends = [crlf, lf].filter((at) => at >= 0);
  const end = ends.length > 0 ? Math.min(...ends) : raw.length;
  return Buffer.concat([raw.subarray(0, end), Buffer.from("\r\n\r\n")]);
}

/** Registrable domain (tldts, ICANN + private suffixes), falling back to the host itself. */
export function orgDomain(host: string): string {
  return getDomain(host, { allowPrivateDomains: true }) ?? host.toLowerCase();
}

/** Every value of a header (case-insensitive), in message order (top first). */
export function headerValues(email: Email, key: string): string[] {
  const wanted = key.toLowerCase();
  return email.headers.filter((header: Header) => header.key === wanted).map((header) => header.value);
}

export function firstHeader(email: Email, key: string): string | null {
  return headerValues(email, key)[0] ?? null;
}
