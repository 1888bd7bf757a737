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
}

export async function parseMessage(raw: Buffer): Promise<Message> {
  const email = await PostalMime.parse(raw, {
    maxNestingDepth: MAX_NESTING_DEPTH,
    maxHeadersSize: MAX_HEADERS_SIZE,
    attachmentEncoding: "arraybuffer",
  });
  const from = email.from && "address" in email.from ? email.from.address : undefined;
  const fromAddress = from ? from.toLowerCase() : null;
  const fromDomain = fromAddress?.includes("@") ? fromAddress.slice(fromAddress.lastIndexOf("@") + 1) : null;
  return { raw, email, fromAddress, fromDomain, fromOrgDomain: fromDomain ? orgDomain(fromDomain) : null };
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
