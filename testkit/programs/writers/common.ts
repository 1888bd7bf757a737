/** Helpers the format writers share: deterministic ids, timestamps, the time-ordered event list. */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Attempt, Engagement, Message, Program } from "../model.ts";

const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
const COLON = 58;

/** FNV-1a of `text` continued from the hash `h` of what came before it. */
function fold(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME) >>> 0;
  return h;
}

/** FNV-1a of one character code, continued from `h`. */
function foldCode(h: number, code: number): number {
  return Math.imul(h ^ code, FNV_PRIME) >>> 0;
}

/** fold(h, String(n)) for an integer 0 ≤ n < 100000, in int32 arithmetic. */
function foldSmall(h: number, n: number): number {
  if (n >= 10) {
    if (n >= 100) {
      if (n >= 1000) {
        if (n >= 10000) h = foldCode(h, 48 + ((n / 10000) | 0));
        h = foldCode(h, 48 + (((n / 1000) | 0) % 10));
      }
      h = foldCode(h, 48 + (((n / 100) | 0) % 10));
    }
    h = foldCode(h, 48 + (((n / 10) | 0) % 10));
  }
  return foldCode(h, 48 + (n % 10));
}

/** FNV-1a of the decimal digits of `n` (an integer, 0 ≤ n < 2^32), continued from `h`: fold(h, String(n)). */
function foldDigits(h: number, n: number): number {
  if (n < 100000) return foldSmall(h, n);
  const high = Math.floor(n / 100000);
  const low = n - high * 100000;
  h = foldSmall(h, high);
  h = foldCode(h, 48 + ((low / 10000) | 0));
  h = foldCode(h, 48 + (((low / 1000) | 0) % 10));
  h = foldCode(h, 48 + (((low / 100) | 0) % 10));
  h = foldCode(h, 48 + (((low / 10) | 0) % 10));
  return foldCode(h, 48 + (low % 10));
}

/** A deterministic 32-bit hash of a string (FNV-1a), for ids derived from a message and a label. */
export function hash32(text: string): number {
  return fold(FNV_OFFSET, text) >>> 0;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** fold(FNV_OFFSET, `${i}:`) for each i idFrom starts a hash at (every fifth character of an id). */
const ROUND_STARTS: number[] = [];
/** The character codes of the id being made (idFrom), reused: one string made at its end. */
const ID_CODES: number[] = [];

/** `n` characters from `alphabet`, derived from `key` (the same key gives the same id). */
export function idFrom(key: string, n: number, alphabet = B64): string {
  let h = hash32(key);
  const codes = ID_CODES;
  codes.length = n;
  // h is a uint32: for an alphabet of 2^k characters h % 2^k is h & (2^k - 1) and ⌊h / 2^k⌋ is h >>> k.
  const size = alphabet.length;
  const shift = 31 - Math.clz32(size);
  const mask = 1 << shift === size ? size - 1 : -1;
  for (let i = 0; i < n; i++) {
    // hash32(`${i}:${h}:${key}`), without making that string (the writers make millions of ids).
    if (i % 5 === 0) {
      let start = ROUND_STARTS[i];
      if (start === undefined) {
        start = foldCode(foldDigits(FNV_OFFSET, i), COLON);
        ROUND_STARTS[i] = start;
      }
      h = fold(foldCode(foldDigits(start, h), COLON), key);
    }
    if (mask >= 0) {
      codes[i] = alphabet.charCodeAt(h & mask);
      h >>>= shift;
    } else {
      codes[i] = alphabet.charCodeAt(h % size);
      h = Math.floor(h / size);
    }
  }
  return String.fromCharCode.apply(null, codes);
}

export const hex = (key: string, n: number) => idFrom(key, n, "0123456789abcdef");

/** One thing that happened to a message, in time order across the program. */
export type Happening =
  | { at: number; m: Message; kind: "sent" }
  | { at: number; m: Message; kind: "attempt"; attempt: Attempt; n: number }
  | { at: number; m: Message; kind: "engagement"; engagement: Engagement; n: number };

export function happenings(program: Program, withEngagement: boolean): Happening[] {
  const out: Happening[] = [];
  for (const m of program.messages) {
    out.push({ at: m.sentAt, m, kind: "sent" });
    m.attempts.forEach((attempt, n) => {
      out.push({ at: attempt.at, m, kind: "attempt", attempt, n });
    });
    if (withEngagement)
      m.engagement.forEach((engagement, n) => {
        out.push({ at: engagement.at, m, kind: "engagement", engagement, n });
      });
  }
  out.sort((a, b) => a.at - b.at || a.m.seq - b.m.seq);
  return out;
}

/** The reply without its leading code ("550 5.7.1 …" → "5.7.1 …"), as some ESPs store it. */
export function withoutCode(text: string): string {
  return text.replace(/^\d{3}[ -]/, "");
}

/**
 * Values made once per key and kept, at most `most` at a time (a big program's messages are millions: all
 * are forgotten when that many are kept, and made again when asked for). For a writer's per-message JSON.
 */
export class Kept<K, V> {
  readonly #values = new Map<K, V>();
  readonly #most: number;

  constructor(most: number) {
    this.#most = most;
  }

  get(key: K, make: () => V): V {
    let value = this.#values.get(key);
    if (value === undefined) {
      if (this.#values.size >= this.#most) this.#values.clear();
      value = make();
      this.#values.set(key, value);
    }
    return value;
  }
}

/** Per-message JSON a writer keeps (see Kept): a small program's messages all, a big one's recent ones. */
export const MESSAGES_KEPT = 100_000;

/**
 * Writes lines to a file in 1 MiB pieces (a program's export can exceed the longest JS string), each line
 * encoded into one buffer as it comes (no joined string of the piece made and encoded again).
 */
export class LineFile {
  #fd: number;
  #buffer = Buffer.allocUnsafe(1 << 20);
  #size = 0;

  constructor(path: string) {
    this.#fd = openSync(path, "w");
  }

  push(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair's 4 bytes are two units).
    const most = line.length * 3 + 1;
    if (this.#size + most > this.#buffer.length) this.#flush();
    if (most > this.#buffer.length) writeSync(this.#fd, `${line}\n`);
    else {
      this.#size += this.#buffer.write(line, this.#size);
      this.#buffer[this.#size++] = 10;
    }
  }

  #flush(): void {
    if (this.#size > 0) writeSync(this.#fd, this.#buffer, 0, this.#size);
    this.#size = 0;
  }

  close(): void {
    this.#flush();
    closeSync(this.#fd);
  }
}
