import { randomBytes } from "node:crypto";

/** The header every seed copy carries (receivers and forwarders may strip it: the body token survives). */
export const TEST_HEADER = "X-Deliverlens-Test";
/** The words before the id in the body token (`deliverlens-test: dl-…`). */
export const BODY_TOKEN_PREFIX = "deliverlens-test:";

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** A fresh test id, e.g. `dl-k7m2q9x4ta8w`: 12 random characters, unlikely to occur in any other mail. */
export function newTestId(): string {
  const bytes = randomBytes(12);
  let id = "dl-";
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

/**
 * A test id given with `--test` (e.g. one an ESP put in its own send): 8–100 letters, digits, `.`, `_`,
 * `:` or `-`. At least 8 characters so that a body search does not match unrelated mail.
 */
export function checkTestId(id: string): string | null {
  if (!/^[A-Za-z0-9._:-]{8,100}$/.test(id))
    return `test id "${id.length > 40 ? `${id.slice(0, 40)}…` : id}": 8 to 100 letters, digits, '.', '_', ':' or '-'`;
  return null;
}

/** The body token added to text parts. */
export function bodyToken(id: string): string {
  return `${BODY_TOKEN_PREFIX} ${id}`;
}
