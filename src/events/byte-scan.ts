/**
 * Searches in ASCII bytes, for parsers that decide from a line's bytes whether it needs decoding at all
 * (see LineParser.skip). In an ASCII line a byte offset is a character offset, so positions found here
 * are the ones the string scan of the same line finds.
 */

import { FNV_PRIME } from "../util/fnv.ts";

/** The bytes of an ASCII needle (looked up once, at module load). */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** The first `byte` in bytes[from, to), or -1. */
export function indexOfByte(bytes: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (bytes[i] === byte) return i;
  return -1;
}

/** The last `byte` in bytes[from, to), or -1. */
export function lastIndexOfByte(bytes: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (bytes[i] === byte) return i;
  return -1;
}

/**
 * An ASCII needle searched for in bytes by Boyer-Moore-Horspool: the byte under the needle's last
 * position says how far the needle can move, so a search looks at a fraction of the bytes it passes
 * (a loop over every byte was the cost of finding `, status=` on a Postfix line).
 */
export class BytePattern {
  private readonly needle: Uint8Array;
  /** How far the needle moves when this byte is under its last position. */
  private readonly shift = new Uint8Array(256);

  constructor(text: string) {
    if (text.length === 0 || text.length > 255) throw new Error("a byte pattern is 1-255 bytes long");
    this.needle = asciiBytes(text);
    const last = this.needle.length - 1;
    this.shift.fill(this.needle.length);
    for (let j = 0; j < last; j++) this.shift[this.needle[j]] = last - j;
  }

  /** The first occurrence in bytes[from, to), or -1. */
  indexIn(bytes: Uint8Array, from: number, to: number): number {
    const needle = this.needle;
    const last = needle.length - 1;
    const lastByte = needle[last];
    for (let i = from; i + last < to; ) {
      const byte = bytes[i + last];
      if (byte === lastByte) {
        let j = 0;
        while (j < last && bytes[i + j] === needle[j]) j++;
        if (j === last) return i;
      }
      i += this.shift[byte];
    }
    return -1;
  }
}

/** Whether bytes[at …] starts with `needle` (within `to`). */
export function startsWithBytes(bytes: Uint8Array, needle: Uint8Array, at: number, to: number): boolean {
  if (at + needle.length > to) return false;
  for (let j = 0; j < needle.length; j++) if (bytes[at + j] !== needle[j]) return false;
  return true;
}

/** The last occurrence of an ASCII `needle` lying wholly in bytes[from, to), or -1. */
export function lastIndexOfBytes(bytes: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  for (let i = to - needle.length; i >= from; i--) {
    let j = 0;
    while (j < needle.length && bytes[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** Whether bytes[at, at + text.length) are the (ASCII) characters of `text`. */
export function bytesEqualText(bytes: Uint8Array, at: number, text: string): boolean {
  for (let j = 0; j < text.length; j++) if (bytes[at + j] !== text.charCodeAt(j)) return false;
  return true;
}

interface Latin1Slicer {
  latin1Slice(from: number, to: number): string;
}

/** The characters of bytes [from, to) as Latin-1 (ASCII: the text itself), by Buffer's own slicer. */
export function latin1(bytes: Buffer, from: number, to: number): string {
  return (bytes as unknown as Latin1Slicer).latin1Slice(from, to);
}

/** Slots of a ByteTexts table (a power of two). */
const TEXT_SLOTS = 256;

/**
 * The strings of short byte runs that repeat (relay hosts, DSN codes), found by a hash of their bytes:
 * a run seen before costs no decoding and gives the same string (whose hash Maps keep). A slot holds the
 * last run that fell in it.
 */
export class ByteTexts {
  private readonly texts: string[] = new Array<string>(TEXT_SLOTS).fill("");

  of(bytes: Buffer, from: number, to: number): string {
    let hash = 0x811c9dc5;
    for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
    const slot = (hash ^ (hash >>> 16)) & (TEXT_SLOTS - 1);
    const known = this.texts[slot];
    if (known.length === to - from && bytesEqualText(bytes, from, known)) return known;
    const text = latin1(bytes, from, to);
    this.texts[slot] = text;
    return text;
  }
}
