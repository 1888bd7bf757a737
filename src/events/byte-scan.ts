/**
 * Searches in ASCII bytes, for parsers that decide from a line's bytes whether it needs decoding at all
 * (see LineParser.skip). In an ASCII line a byte offset is a character offset, so positions found here
 * are the ones the string scan of the same line finds.
 */

/** The bytes of an ASCII needle (looked up once, at module load). */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** The first `byte` in bytes[from, to), or -1. */
export function indexOfByte(bytes: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (bytes[i] === byte) return i;
  return -1;
}

/** The first occurrence of `needle` in bytes[from, to), or -1. */
export function indexOfBytes(bytes: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const first = needle[0];
  const last = to - needle.length;
  for (let i = from; i <= last; i++) {
    if (bytes[i] !== first) continue;
    let j = 1;
    while (j < needle.length && bytes[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** Whether bytes[at …] starts with `needle` (within `to`). */
export function startsWithBytes(bytes: Uint8Array, needle: Uint8Array, at: number, to: number): boolean {
  if (at + needle.length > to) return false;
  for (let j = 0; j < needle.length; j++) if (bytes[at + j] !== needle[j]) return false;
  return true;
}
