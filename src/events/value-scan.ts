import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { WasmMemory } from "./line-bytes.ts";
import { VALUE_SCAN_WASM } from "./value-scan-wasm.ts";

/**
 * Whether a JSON file may hold, under a key whose value DuckDB's typed reader casts to text or a number, a
 * value of another kind: an object, a list, `true` or `false` (review R6). DuckDB's reader would store its
 * JSON text ("true", `{"address":…}`) where the parser (src/events/table-parser.ts `str`) finds no value, so
 * such a file is left to the parsers, and both readers store the same events whichever reads it.
 *
 * One pass over the file's bytes, outside any string-aware parse: value-scan.wat finds, sixteen bytes a step,
 * each `{`, `[`, `t` or `f` after a colon or whitespace whose preceding `"key":` has a watched key's hash;
 * `judge` (here) then reads that key exactly. It errs only one way: a value it cannot place (a key with an
 * escape, a key longer than the context kept, text that looks like `"key": true` inside a string) counts as
 * such a value, so the file goes to the parsers, which read every file exactly. Inside an SNS envelope's
 * message (a JSON text in a string: `\"key\":true`), the escaped quotes, the whitespace escapes \n \t \r and a
 * `\u00XX` escape of a structural byte are followed too.
 */

export interface ScanKeys {
  /** Keys (lower case) of values read as text or a number (src/store/field-sql.ts valueScanKeys). */
  text: readonly string[];
  /** Keys (lower case) of lists of such values. */
  lists: readonly string[];
}

/** Flag bytes per key hash (4096) before the file's bytes; zeros around them (SIMD loads read 16 bytes). */
const DATA = 4096 + 64;
/** Bytes read a step, and bytes kept before them from the step before (a key's walk back). */
const CHUNK = 2 * 1024 * 1024;
const CONTEXT = 16 * 1024;
/** Bytes scanned a call of value-scan.wat's `scan`. */
const WINDOW = 64 * 1024;
/** Bytes a place may need after it (`\u00XX`) before a step must end there, unless the file does. */
const AFTER = 16;
const PAD = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** Structural and whitespace bytes of JSON: written `\u00XX` inside a message, they would change its reading. */
const STRUCTURAL = new Set([
  0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x22, 0x5c, 0x20, 0x09, 0x0a, 0x0d, 0x74, 0x66,
]);

interface ScanApi {
  memory: WasmMemory & { grow(pages: number): number };
  floor: { value: number };
  ceiling: { value: number };
  scan(from: number, to: number, enveloped: number): number;
  hash(length: number, first: number, second: number, penultimate: number, last: number): number;
}

let api: ScanApi | null | undefined;

/** The module's instance, made once per thread (null: WebAssembly could not make it; JS scans alone). */
function scanApi(): ScanApi | null {
  if (api !== undefined) return api;
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const instance = new wasm.Instance(new wasm.Module(Buffer.from(VALUE_SCAN_WASM, "base64")), {});
    const made = instance.exports as unknown as ScanApi;
    const pages = Math.ceil((DATA + CHUNK + PAD) / 65536);
    made.memory.grow(pages - made.memory.buffer.byteLength / 65536);
    api = made;
  } catch {
    api = null;
  }
  return api;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: object) => { exports: unknown };
}

/**
 * The hash value-scan.wat gives a key (12 bits of its length and its first two and last two bytes, ASCII letters
 * in either case alike; a key of one byte has it twice).
 */
export function hashOf(key: Uint8Array): number {
  const n = key.length;
  const [f, s, p, l] = [key[0], key[n > 1 ? 1 : 0], key[n > 1 ? n - 2 : n - 1], key[n - 1]].map(
    (b) => b | 32,
  );
  const h =
    Math.imul(n, 0x9e3779b1) ^
    Math.imul(f, 0x85ebca77) ^
    Math.imul(s, 0xc2b2ae3d) ^
    Math.imul(p, 0x27d4eb2f) ^
    Math.imul(l, 0x165667b1);
  return h >>> 20;
}

/** How `judge` reads a place: nothing to fear, a value of another kind (maybe), or bytes past the buffer needed. */
type Verdict = "ok" | "suspect" | "more";

interface Place {
  bytes: Uint8Array;
  /** The buffer's file bytes are [lo, hi); `start`: lo is the file's first byte. */
  lo: number;
  hi: number;
  start: boolean;
  enveloped: boolean;
  text: ReadonlySet<string>;
  lists: ReadonlySet<string>;
}

/** Walking back from `q` over JSON whitespace (enveloped: and the escapes \n \t \r): the first other byte, or -1. */
function back(at: Place, q: number): number {
  const b = at.bytes;
  while (q >= at.lo) {
    const c = b[q];
    if (c <= 0x20) q--;
    else if (
      at.enveloped &&
      (c === 0x6e || c === 0x74 || c === 0x72) &&
      q - 1 >= at.lo &&
      b[q - 1] === BACKSLASH
    )
      q -= 2;
    else return q;
  }
  return -1;
}

/** Walking forward from `i` over whitespace as `back` does: the first other byte, or `hi`. */
function forward(at: Place, i: number): number {
  const b = at.bytes;
  while (i < at.hi) {
    const c = b[i];
    if (c <= 0x20) i++;
    else if (at.enveloped && c === BACKSLASH && i + 1 < at.hi && [0x6e, 0x74, 0x72].includes(b[i + 1]))
      i += 2;
    else return i;
  }
  return at.hi;
}

/** Exactly what the value starting at `p` (a `{`, `[`, `t`, `f`; enveloped a `\u`) is under its key. */
function judge(at: Place, p: number): Verdict {
  const b = at.bytes;
  // Before the buffer: the file's start (no key) or bytes no longer kept (a key longer than the context).
  const before = at.start ? "ok" : "suspect";
  if (at.enveloped && b[p] === 0x75) {
    if (p + 4 >= at.hi) return "more";
    if (b[p + 1] !== 0x30 || b[p + 2] !== 0x30) return "ok";
    const code = Number.parseInt(String.fromCharCode(b[p + 3], b[p + 4]), 16);
    return STRUCTURAL.has(code) ? "suspect" : "ok";
  }
  let q = back(at, p - 1);
  if (q < 0) return before;
  if (b[q] !== COLON) return "ok";
  q = back(at, q - 1);
  if (q < 0) return before;
  if (b[q] !== QUOTE) return "ok";
  const inner = at.enveloped && q - 1 >= at.lo && b[q - 1] === BACKSLASH;
  const end = inner ? q - 1 : q;
  let o = end - 1;
  while (o >= at.lo && b[o] !== QUOTE) {
    // An escape in a key: DuckDB matches the key it spells (`em\u0061il` is `email`).
    if (b[o] === BACKSLASH) return "suspect";
    o--;
  }
  if (o - 1 < at.lo) return before;
  if ((b[o - 1] === BACKSLASH) !== inner) return "suspect";
  const key = Buffer.from(b.subarray(o + 1, end))
    .toString("latin1")
    .toLowerCase();
  if (b[p] === 0x5b && at.lists.has(key)) return listItems(at, p + 1, inner);
  return at.text.has(key) || at.lists.has(key) ? "suspect" : "ok";
}

/** A list of a list key from `i` (after its `[`): every item a string, a number or null, else "suspect". */
function listItems(at: Place, i: number, inner: boolean): Verdict {
  const b = at.bytes;
  for (;;) {
    i = forward(at, i);
    if (i >= at.hi) return "more";
    const c = b[i];
    if (c === 0x5d) return "ok";
    if (!inner && c === QUOTE) {
      i++;
      while (i < at.hi && b[i] !== QUOTE) i += b[i] === BACKSLASH ? 2 : 1;
      i++;
    } else if (inner && c === BACKSLASH && b[i + 1] === QUOTE) {
      // A string of the message: it ends at the next `\"`; an escape of its own inside is not followed.
      i += 2;
      while (i < at.hi && b[i] !== BACKSLASH) i++;
      if (i + 1 >= at.hi) return "more";
      if (b[i + 1] !== QUOTE) return "suspect";
      i += 2;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x6e) {
      while (i < at.hi && b[i] !== 0x2c && b[i] !== 0x5d && b[i] > 0x20 && b[i] !== BACKSLASH) i++;
    } else return "suspect";
    i = forward(at, i);
    if (i >= at.hi) return "more";
    if (b[i] === 0x5d) return "ok";
    if (b[i] !== 0x2c) return "suspect";
    i++;
  }
}

/** value-scan.wat's `scan` in JavaScript (no WebAssembly): every place it returns, and more. */
function scanJs(b: Uint8Array, from: number, to: number, enveloped: boolean): number {
  for (let i = from; i < to; i++) {
    const c = b[i];
    const p = b[i - 1];
    if ((c === 0x7b || c === 0x5b || c === 0x74 || c === 0x66) && (p === COLON || p <= 0x20 || enveloped))
      return i;
    if (enveloped && c === 0x75 && p === BACKSLASH) return i;
  }
  return -1;
}

/**
 * Whether the JSON file at `path` may hold a value of another kind under one of `keys` (see the top of this
 * file); `enveloped`: its records may be SNS envelopes whose message is a JSON text. Reads the file once.
 */
export function mayHoldOtherKinds(
  path: string,
  keys: ScanKeys,
  enveloped: boolean,
  /** Tests: false scans in JavaScript alone (as where WebAssembly is not available). */
  webAssembly = true,
): boolean {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const wasm = webAssembly ? scanApi() : null;
    const bytes = wasm ? new Uint8Array(wasm.memory.buffer) : new Uint8Array(DATA + CHUNK + PAD);
    bytes.fill(0, 0, DATA);
    for (const [flag, list] of [
      [1, keys.text],
      [2, keys.lists],
    ] as const)
      for (const key of list) {
        const encoded = Buffer.from(key, "latin1");
        if (encoded.length > 0) bytes[hashOf(encoded)] |= flag;
      }
    if (wasm) wasm.floor.value = DATA;
    const at: Place = {
      bytes,
      lo: DATA,
      hi: DATA,
      start: true,
      enveloped,
      text: new Set(keys.text),
      lists: new Set(keys.lists),
    };
    let pos = 0;
    while (pos < size) {
      const base = Math.max(0, pos - CONTEXT);
      const read = readSync(fd, bytes, DATA, CHUNK, base);
      if (read <= 0) break;
      const end = base + read >= size;
      bytes.fill(0, DATA + read, DATA + read + PAD);
      at.hi = DATA + read;
      if (wasm) wasm.ceiling.value = at.hi;
      at.start = base === 0;
      let from = DATA + (pos - base);
      const to = end ? at.hi : at.hi - AFTER;
      let next = to;
      for (;;) {
        // A window a call: V8 runs a WebAssembly function's optimized code from its next call on, after the
        // first calls have run it long enough (a whole step a call would read a 10 MB file unoptimized).
        const until = Math.min(to, from + WINDOW);
        const p = wasm ? wasm.scan(from, until, enveloped ? 1 : 0) : scanJs(bytes, from, until, enveloped);
        if (p < 0) {
          if (until === to) break;
          from = until;
          continue;
        }
        const verdict = judge(at, p);
        if (verdict === "suspect") return true;
        if (verdict === "more") {
          // A list longer than a step, or a file that ends inside one: left to the parsers.
          if (end || p === DATA + (pos - base)) return true;
          next = p;
          break;
        }
        from = p + 1;
      }
      if (end && next === to) break;
      const nextPos = base + (next - DATA);
      // A read shorter than the context kept (not at the file's end) would make no progress.
      if (nextPos <= pos) return true;
      pos = nextPos;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}
