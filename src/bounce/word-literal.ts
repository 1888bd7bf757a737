/**
 * A literal byte string compared against memory four bytes at a time, as aligned 32-bit words
 * (Int32Array loads). In V8's optimized code a byte loop costs ~8 instructions a byte and DataView.getInt32
 * ~12 (bounds, detach and byte-order work per call), an aligned word ~2.5 a byte: the literal parts of line
 * and reply templates are most of the bytes a delivery's record is read by (classify --all).
 *
 * The literal is held in four versions, one per alignment of its first byte in memory (0–3 bytes into a
 * word), padded with zeros; the first and last words of a version are compared under a mask of the
 * literal's own bytes (the memory's bytes around them are not looked at, whatever they are). Where the
 * words would run past the memory's last whole word, the bytes are compared one by one: same answer.
 */
export class WordLiteral {
  readonly length: number;
  /** The literal's bytes (held, not copied: the caller leaves them unchanged). */
  private readonly bytes: Uint8Array;
  /**
   * Per alignment a (0–3): its word count at [a], the masks of its first and last word (the literal's
   * bytes set) at [4 + a] and [8 + a], its words from [12 + a * stride].
   */
  private readonly table: Int32Array;
  private readonly stride: number;

  constructor(bytes: Uint8Array) {
    const n = bytes.length;
    this.length = n;
    this.bytes = bytes;
    const stride = (n + 6) >> 2;
    this.stride = stride;
    // One array, its words assembled one by one: no buffers of bytes and masks to view as words (a reply
    // template of a new reply makes one per literal piece).
    const table = new Int32Array(HEADER + 4 * stride);
    for (let a = 0; a < 4; a++) {
      for (let k = 0; k < stride; k++) table[HEADER + a * stride + k] = wordAt(bytes, 4 * k - a, false);
      const count = n === 0 ? 0 : (a + n + 3) >> 2;
      table[a] = count;
      if (count === 0) continue;
      table[4 + a] = wordAt(bytes, -a, true);
      table[8 + a] = wordAt(bytes, 4 * (count - 1) - a, true);
    }
    this.table = table;
  }

  /**
   * Whether `memory` (MemoryWords.of the bytes) holds the literal at bytes[at, at + length). The caller
   * checks that those bytes lie within its range.
   */
  at(memory: MemoryWords, bytes: Uint8Array, at: number): boolean {
    const position = memory.offset + at;
    const align = position & 3;
    const table = this.table;
    const count = table[align];
    const first = (position - align) >> 2;
    const words = memory.words;
    if (first + count > words.length) return this.byBytes(bytes, at);
    if (count === 0) return true;
    const base = HEADER + align * this.stride;
    if ((words[first] & table[4 + align]) !== table[base]) return false;
    const last = count - 1;
    for (let k = 1; k < last; k++) if (words[first + k] !== table[base + k]) return false;
    return last === 0 || (words[first + last] & table[8 + align]) === table[base + last];
  }

  private byBytes(bytes: Uint8Array, at: number): boolean {
    const own = this.bytes;
    for (let i = 0; i < own.length; i++) if (bytes[at + i] !== own[i]) return false;
    return true;
  }
}

/** Ints before a WordLiteral's words in its table (counts and masks per alignment). */
const HEADER = 12;

/** Four bytes, read as the word they make in memory (the platform's byte order, as Int32Array reads memory). */
const WORD_BYTES = new Uint8Array(4);
const WORD = new Int32Array(WORD_BYTES.buffer);

/**
 * The word of the four bytes from `bytes[from]` on (those outside `bytes`: 0); with `mask`, 0xff for each of
 * them that is a byte of `bytes` instead.
 */
function wordAt(bytes: Uint8Array, from: number, mask: boolean): number {
  for (let j = 0; j < 4; j++) {
    const i = from + j;
    WORD_BYTES[j] = i < 0 || i >= bytes.length ? 0 : mask ? 0xff : bytes[i];
  }
  return WORD[0];
}

/**
 * The aligned 32-bit words of the memory under a byte array, for WordLiteral.at: made again only when
 * asked for another array (an input chunk's bytes are one array; the identity compare is cheaper than
 * reading its `buffer`, a runtime call).
 */
export class MemoryWords {
  words: Int32Array = new Int32Array(0);
  /** Where the bytes start in the words' memory. */
  offset = 0;
  private last: Uint8Array | null = null;

  of(bytes: Uint8Array): this {
    if (bytes !== this.last) {
      this.last = bytes;
      // The words up to the bytes' end, not the memory's: the memory is an ArrayBuffer or a SharedArrayBuffer
      // (a big log's chunks, events/line-index.ts), two maps, and reading its byteLength deoptimized every
      // function this is inlined into the first time the other kind came (line and reply templates: the
      // parser's `outcome` and ReplyMask.matches, compiled again in both threads of a big log).
      this.words = new Int32Array(bytes.buffer, 0, (bytes.byteOffset + bytes.byteLength) >> 2);
      this.offset = bytes.byteOffset;
    }
    return this;
  }
}
