/**
 * Literal anchors indexed by three of their characters, for finding which of many anchors a text holds in
 * one pass over the text (no alternation of hundreds of branches to compile and run): each anchor is
 * indexed by the rarest three characters it holds (fewest anchors hold them: "mai", "mes", "sen" start
 * dozens of anchors, so a text's common words would each wake them all), in open addressing over small
 * integer keys (a Map look-up per text character cost more than the rest).
 */
export interface IndexedAnchor {
  /** Text every match contains, three characters or more. */
  readonly anchor: string;
  /** Where in the anchor its indexed three characters start (set by the index). */
  offset: number;
}

/** An empty slot (no trigram key is negative: 27 bits). */
export const EMPTY = -1;

export class TrigramIndex<T extends IndexedAnchor> {
  /** Slot → key, EMPTY for none. */
  readonly keys: Int32Array;
  /** Slot → the anchors indexed under its key, in the order they were given. */
  readonly buckets: T[][];
  readonly mask: number;

  /** `entries` in the order a bucket should keep them; each anchor three characters or more. */
  constructor(entries: readonly T[]) {
    // How many anchors hold each three characters: each anchor's keys worked out once, and counted once
    // per anchor without a set per anchor (built in every process, mostly by the interpreter).
    const keysOf = entries.map((entry) => trigramsOf(entry.anchor));
    const holding = new Map<number, number>();
    for (const keys of keysOf) {
      for (let at = 0; at < keys.length; at++) {
        const key = keys[at];
        if (keys.indexOf(key) === at) holding.set(key, (holding.get(key) ?? 0) + 1);
      }
    }
    const byKey = new Map<number, T[]>();
    for (let n = 0; n < entries.length; n++) {
      const entry = entries[n];
      const keys = keysOf[n];
      if (keys.length === 0) throw new Error(`anchor "${entry.anchor}" is shorter than three characters`);
      // The first of its rarest keys.
      entry.offset = 0;
      let fewest = holding.get(keys[0]) ?? 0;
      for (let at = 1; at < keys.length; at++) {
        const count = holding.get(keys[at]) ?? 0;
        if (count < fewest) {
          fewest = count;
          entry.offset = at;
        }
      }
      const key = keys[entry.offset];
      const bucket = byKey.get(key);
      if (bucket) bucket.push(entry);
      else byKey.set(key, [entry]);
    }
    // At most a quarter full: a miss (most characters of a text) ends at the first empty slot.
    let size = 16;
    while (size < byKey.size * 4) size *= 2;
    this.mask = size - 1;
    this.keys = new Int32Array(size).fill(EMPTY);
    this.buckets = new Array(size).fill(NONE);
    for (const [key, bucket] of byKey) {
      let slot = slotOf(key) & this.mask;
      while (this.keys[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.buckets[slot] = bucket;
    }
  }

  /** The anchors indexed under the three characters at `at` (each still to be compared at `at - offset`). */
  bucketAt(text: string, at: number): T[] {
    const key = trigram(text, at);
    const keys = this.keys;
    let slot = slotOf(key) & this.mask;
    while (keys[slot] !== key && keys[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    return keys[slot] === EMPTY ? NONE : this.buckets[slot];
  }
}

const NONE: never[] = [];

/** A key's home slot (Fibonacci hashing: its high bits, spread). */
function slotOf(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 16;
}

/** Three characters as one small integer (9 bits each: other characters collide, startsWith decides). */
function trigram(text: string, at: number): number {
  return (
    ((text.charCodeAt(at) & 511) << 18) |
    ((text.charCodeAt(at + 1) & 511) << 9) |
    (text.charCodeAt(at + 2) & 511)
  );
}

/** The key of every three characters of an anchor, by where they start. */
function trigramsOf(anchor: string): number[] {
  const keys: number[] = [];
  for (let at = 0; at + 3 <= anchor.length; at++) keys.push(trigram(anchor, at));
  return keys;
}
