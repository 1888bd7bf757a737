/**
 * Anchors (text every match of a rule contains) indexed by three of their characters, for a matcher that
 * reads a reply once: at each position the key of the three characters there rolls on by one character,
 * and only the anchors indexed under that key are compared (phrase-matcher.ts, provider-matcher.ts).
 */

/** An anchor to index: its text, and (set by trigramSlots) where in it its indexed three characters start. */
export interface IndexedAnchor {
  anchor: string;
  offset: number;
}

/** Open addressing over the anchors' keys (a Map look-up per reply character cost more than the rest). */
export interface TrigramSlots<T extends IndexedAnchor> {
  keys: Int32Array;
  /** Per slot, its anchors in the order given. */
  anchors: T[][];
  mask: number;
}

/** The bits of a trigram key (three characters of 9 bits). */
const KEY_BITS = (1 << 27) - 1;
/** An empty slot (no trigram key is negative: 27 bits). */
const EMPTY = -1;

/** What a pass over a reply calls at each position whose three characters index some anchors. */
export interface AnchorVisitor<T extends IndexedAnchor> {
  /** `anchors` are those indexed under the three characters at `at`, in the order given to trigramSlots. */
  visit(anchors: readonly T[], at: number): void;
}

/**
 * One pass over `text`. The key rolls along it: one character read a position (three cost twice as much in
 * Maglev code); most positions end at an empty slot.
 */
export function visitAnchors<T extends IndexedAnchor>(
  slots: TrigramSlots<T>,
  text: string,
  visitor: AnchorVisitor<T>,
): void {
  const keys = slots.keys;
  const mask = slots.mask;
  const last = text.length - 2;
  let key = last > 0 ? ((text.charCodeAt(0) & 511) << 9) | (text.charCodeAt(1) & 511) : 0;
  for (let i = 0; i < last; i++) {
    key = ((key << 9) & KEY_BITS) | (text.charCodeAt(i + 2) & 511);
    let slot = slotOf(key) & mask;
    while (keys[slot] !== key && keys[slot] !== EMPTY) slot = (slot + 1) & mask;
    if (keys[slot] !== EMPTY) visitor.visit(slots.anchors[slot], i);
  }
}

/**
 * Each anchor (three characters or more) indexed by the rarest three characters it holds (fewest anchors
 * hold them: "mai", "mes", "sen" start dozens of anchors, so a reply's common words would each try them
 * all); sets each one's `offset`. A slot's anchors keep the order given.
 */
export function trigramSlots<T extends IndexedAnchor>(indexed: readonly T[]): TrigramSlots<T> {
  // How many anchors hold each three characters. (Built in every process before its first reply, mostly by
  // the interpreter: each anchor's keys are worked out once, and counted once per anchor without a set per
  // anchor.)
  const keysOf = indexed.map((entry) => trigramsOf(entry.anchor));
  const holding = new Map<number, number>();
  for (const keys of keysOf) {
    for (let at = 0; at < keys.length; at++) {
      const key = keys[at];
      if (keys.indexOf(key) === at) holding.set(key, (holding.get(key) ?? 0) + 1);
    }
  }
  const byKey = new Map<number, T[]>();
  for (let n = 0; n < indexed.length; n++) {
    const entry = indexed[n];
    const keys = keysOf[n];
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
  // At most a quarter full: a miss (most characters of a reply) ends at the first empty slot.
  let size = 16;
  while (size < byKey.size * 4) size *= 2;
  const mask = size - 1;
  const keys = new Int32Array(size).fill(EMPTY);
  const anchors: T[][] = new Array(size).fill(NONE);
  for (const [key, bucket] of byKey) {
    let slot = slotOf(key) & mask;
    while (keys[slot] !== EMPTY) slot = (slot + 1) & mask;
    keys[slot] = key;
    anchors[slot] = bucket;
  }
  return { keys, anchors, mask };
}

const NONE: never[] = [];

/**
 * A key's home slot (Fibonacci hashing: its high bits, spread): Math.imul(key, 0x9e3779b1) >>> 16, multiplied
 * in two halves of the constant, each product exact as a double (key < 2^27): Maglev (email runs' tier) calls
 * a builtin for Math.imul, here once a reply character.
 */
function slotOf(key: number): number {
  return ((key * 0x79b1 + (((key * 0x9e37) & 0xffff) << 16)) | 0) >>> 16;
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
