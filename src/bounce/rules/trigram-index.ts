/**
 * Anchors (text every match of a rule contains) indexed by three of their characters, for a matcher that
 * reads a reply once: at each position the key of the three characters there rolls on by one character,
 * and only the anchors indexed under that key are compared (phrase-matcher.ts, provider-matcher.ts, the
 * MTA family phrases in dialects/families.ts).
 */

import { wasmExports } from "../../util/wasm.ts";
import { TRIGRAM_WASM } from "./trigram-wasm.ts";

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
  /**
   * 1 where some indexed key has this filter position (presentAt): most reply positions hold no indexed
   * key, and one look-up here rules them out before the slot's hash and probe (a few % pass wrongly).
   */
  present: Uint8Array;
  /**
   * Where the filter lies in the WebAssembly pass's memory (the keys follow it): NOT_PLACED until the first
   * pass, NO_ROOM where the pass has no room for it (its passes run in JavaScript, as all do without WebAssembly).
   */
  placedAt: number;
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
 * One pass over `text`: the positions whose three characters index some anchors, visited in text order. Run
 * by trigram.wat where it can (the same key, filter and probe: a folder of new bounces runs this a few thousand
 * times a process, mostly before V8 optimizes JavaScript, at ~90 instructions a character; the module is
 * optimized when loaded), else by visitAnchorsInJs. Not while a visit of another pass runs (the answer lies in
 * the module's memory): that pass runs in JavaScript.
 */
export function visitAnchors<T extends IndexedAnchor>(
  slots: TrigramSlots<T>,
  text: string,
  visitor: AnchorVisitor<T>,
): void {
  const at = passing || text.length < 3 ? NO_ROOM : placed(slots);
  if (at < 0) {
    visitAnchorsInJs(slots, text, visitor);
    return;
  }
  const wasm = pass as TrigramExports;
  const anchors = slots.anchors;
  const hits = hitInts;
  passing = true;
  try {
    // A call's positions are [from, from + CHUNK) (its answer's room): the code units it reads run two past them.
    for (let from = 0; from < text.length - 2; from += CHUNK) {
      const end = Math.min(text.length, from + CHUNK + 2);
      const found = wasm.scan(text, from, end, at, at + FILTER_BYTES, slots.mask, OUT_AT);
      for (let h = 0; h < found; h++) {
        const hit = OUT_INTS + 2 * h;
        visitor.visit(anchors[hits[hit + 1]], hits[hit]);
      }
    }
  } finally {
    passing = false;
  }
}

/** visitAnchors' pass in JavaScript (no WebAssembly, no room for the table, or a pass inside a pass). */
export function visitAnchorsInJs<T extends IndexedAnchor>(
  slots: TrigramSlots<T>,
  text: string,
  visitor: AnchorVisitor<T>,
): void {
  const keys = slots.keys;
  const mask = slots.mask;
  const present = slots.present;
  const last = text.length - 2;
  let key = last > 0 ? ((text.charCodeAt(0) & 511) << 9) | (text.charCodeAt(1) & 511) : 0;
  for (let i = 0; i < last; i++) {
    key = ((key << 9) & KEY_BITS) | (text.charCodeAt(i + 2) & 511);
    // presentAt and slotOf, written out: Maglev did not inline the calls, once a reply character.
    if (present[(key ^ (key >>> 11)) & PRESENT_MASK] === 0) continue;
    let slot = (((key * 0x79b1 + (((key * 0x9e37) & 0xffff) << 16)) | 0) >>> 16) & mask;
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
  const present = new Uint8Array(PRESENT_MASK + 1);
  for (const [key, bucket] of byKey) {
    present[presentAt(key)] = 1;
    let slot = slotOf(key) & mask;
    while (keys[slot] !== EMPTY) slot = (slot + 1) & mask;
    keys[slot] = key;
    anchors[slot] = bucket;
  }
  return { keys, anchors, mask, present, placedAt: NOT_PLACED };
}

const NONE: never[] = [];

/** The filter's positions (64 KB a matcher). */
const PRESENT_MASK = (1 << 16) - 1;

/** A key's place in the filter: its three characters' bits folded onto 16. */
function presentAt(key: number): number {
  return (key ^ (key >>> 11)) & PRESENT_MASK;
}

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

interface TrigramExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  scan(
    text: string,
    from: number,
    end: number,
    filter: number,
    keys: number,
    mask: number,
    out: number,
  ): number;
}

const PAGE = 65536;
/** Positions a call of `scan` reads at most (a longer text takes more calls). */
const CHUNK = 32768;
/** The module's memory: the answer (two i32 a position), then the tables placed. */
const OUT_AT = 0;
const OUT_INTS = OUT_AT / 4;
const TABLES_AT = OUT_AT + 8 * CHUNK;
/** A filter's bytes in the module's memory (its keys follow it). */
const FILTER_BYTES = PRESENT_MASK + 1;
/**
 * Tables placed in the module's memory at most (the reply matchers hold three; a process that builds more, as
 * tests do, reads the rest in JavaScript rather than grow the memory without end).
 */
export const MAX_PLACED_TABLES = 8;
const NOT_PLACED = -1;
const NO_ROOM = -2;

/** The module (null: no WebAssembly here, or it failed; undefined: not made yet). */
let pass: TrigramExports | null | undefined;
let memoryBytes = new Uint8Array(0);
let hitInts = new Int32Array(0);
let tablesEnd = TABLES_AT;
let placedTables = 0;
/** Whether a pass in the module is visiting its answer (its memory is in use). */
let passing = false;

/** Where the table lies in the module's memory, placed there on its first pass; NO_ROOM if it cannot be. */
function placed(slots: TrigramSlots<IndexedAnchor>): number {
  if (slots.placedAt !== NOT_PLACED) return slots.placedAt;
  const wasm = trigramPass();
  // Not remembered where there is no WebAssembly: the startup snapshot's build runs passes too.
  if (wasm === null) return NO_ROOM;
  if (placedTables >= MAX_PLACED_TABLES) {
    slots.placedAt = NO_ROOM;
    return NO_ROOM;
  }
  const at = tablesEnd;
  const end = at + FILTER_BYTES + 4 * slots.keys.length;
  try {
    if (memoryBytes.length < end) {
      wasm.memory.grow(Math.ceil((end - memoryBytes.length) / PAGE));
      views(wasm);
    }
  } catch {
    slots.placedAt = NO_ROOM;
    return NO_ROOM;
  }
  memoryBytes.set(slots.present, at);
  new Int32Array(memoryBytes.buffer, at + FILTER_BYTES, slots.keys.length).set(slots.keys);
  tablesEnd = end;
  placedTables++;
  slots.placedAt = at;
  return at;
}

function trigramPass(): TrigramExports | null {
  if (pass !== undefined) return pass;
  // Made when used (nothing is remembered where there is no WebAssembly: the startup snapshot's build, where
  // the tables are built), with room for the answer; the tables' room is added as they are placed. Where
  // WebAssembly has no JS String Builtins (Node before 24), it fails: passes run in JavaScript.
  const exports = wasmExports(TRIGRAM_WASM, ["js-string"]) as TrigramExports | null | undefined;
  if (exports === undefined) return null;
  pass = null;
  if (exports === null) return null;
  try {
    const needed = TABLES_AT - exports.memory.buffer.byteLength;
    if (needed > 0) exports.memory.grow(Math.ceil(needed / PAGE));
    views(exports);
    pass = exports;
  } catch {
    pass = null;
  }
  return pass;
}

function views(wasm: TrigramExports): void {
  memoryBytes = new Uint8Array(wasm.memory.buffer);
  hitInts = new Int32Array(wasm.memory.buffer);
}
